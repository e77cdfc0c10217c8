/* seisinv grad — the gradient of a training loss for one batch, one tensor
 * per parameter named as the PyTorch state dict, so the backward pass can be
 * checked against another framework (issue 5). Training mode: batch
 * statistics, dropout off; the weights file is not modified. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_data.h"
#include "seisinv/npy.h"
#include "seisinv/train.h"
#include "train/loss.h"

static const char usage[] =
    "usage: seisinv grad --weights W.safetensors --data X.npy --target V.npy -o G.safetensors\n"
    "                    [--loss l1|l2|l2+msssim] [--threads N]\n"
    "\n"
    "Writes d loss / d parameter of SeisInvNet for the batch X [n, S, T, R] (raw\n"
    "amplitudes, normalised with the weights' metadata) against the velocity\n"
    "models V [n, 1, H, W] in m/s, in training mode (batch statistics, dropout\n"
    "off): one float32 tensor per parameter, named and shaped as the state dict\n"
    "(BatchNorm running statistics have none). Prints the loss.\n"
    "\n"
    "  -w, --weights FILE  model weights (.safetensors)\n"
    "      --data FILE     surveys [n, S, T, R] float32 (a shard's data_K.npy)\n"
    "      --target FILE   velocity models [n, 1, H, W] float32 in m/s\n"
    "      --loss NAME     l1, l2 (default) or l2+msssim (SPEC 1)\n"
    "  -o, --output FILE   gradients (.safetensors)\n"
    "  -j, --threads N     threads (default: one per CPU)\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit codes: 0 done, 2 bad input (nothing written).\n";

enum { OPT_DATA = OPT_FIRST_FREE, OPT_TARGET, OPT_LOSS };

static const struct option options[] = {{"weights", required_argument, 0, 'w'},
                                        {"data", required_argument, 0, OPT_DATA},
                                        {"target", required_argument, 0, OPT_TARGET},
                                        {"loss", required_argument, 0, OPT_LOSS},
                                        {"output", required_argument, 0, 'o'},
                                        {"threads", required_argument, 0, 'j'},
                                        {"help", no_argument, 0, 'h'},
                                        {0, 0, 0, 0}};

typedef struct args {
    const char *weights, *data, *target, *out;
    si_loss_kind loss;
    long threads;
} args;

static int parse(int argc, char **argv, args *a) {
    int c;
    optind = 1, opterr = 0;
    a->loss = SI_LOSS_L2;
    while ((c = getopt_long(argc, argv, ":w:o:j:h", options, NULL)) != -1) {
        switch (c) {
        case 'w':
            a->weights = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case OPT_DATA:
            a->data = optarg;
            break;
        case OPT_TARGET:
            a->target = optarg;
            break;
        case OPT_LOSS:
            if (si_loss_parse(optarg, &a->loss)) return si_cli_report("grad", SI_EINVAL);
            break;
        case 'j':
            if (si_parse_int(optarg, 1, 1024, &a->threads))
                return si_cli_usage_error("grad", "--threads '%s': need an integer in [1, 1024]",
                                          optarg);
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return si_cli_bad_option("grad", c, argv);
        }
    }
    if (optind < argc)
        return si_cli_usage_error("grad", "unexpected argument '%s' (see --help)", argv[optind]);
    if (!a->weights) return si_cli_usage_error("grad", "--weights W.safetensors is required");
    if (!a->data) return si_cli_usage_error("grad", "--data X.npy is required");
    if (!a->target) return si_cli_usage_error("grad", "--target V.npy is required");
    if (!a->out) return si_cli_usage_error("grad", "-o G.safetensors is required");
    return si_check_output_path("grad", "-o", a->out);
}

static int read_npy(const char *path, si_array *out) {
    si_err st = si_npy_read(path, out);
    return st ? si_cli_report("grad", st) : 0;
}

/* Shapes against the model: X [n, S, T, R], V [n, 1, H, W] with the same n. */
static int check_shapes(const args *a, const si_model_info *m, const si_array *x,
                        const si_array *v) {
    const int64_t n = x->ndim == 4 ? x->shape[0] : 0;
    if (x->ndim != 4 || n < 1 || x->shape[1] != m->S || x->shape[2] != m->T || x->shape[3] != m->R)
        return si_cli_usage_error("grad",
                                  "%s: need surveys [n, S, T, R] = [n, %d, %d, %d] (the model's "
                                  "S, T, R), got rank %d with %lld first",
                                  a->data, m->S, m->T, m->R, x->ndim,
                                  (long long)(x->ndim ? x->shape[0] : 0));
    if (v->ndim != 4 || v->shape[0] != n || v->shape[1] != 1 || v->shape[2] != m->H ||
        v->shape[3] != m->W)
        return si_cli_usage_error("grad",
                                  "%s: need velocity models [n, 1, H, W] = [%lld, 1, %d, %d] "
                                  "(n of --data, the model's H, W)",
                                  a->target, (long long)n, m->H, m->W);
    return 0;
}

/* The gradients as a safetensors file: the net's metadata plus the loss. */
static si_err write_grads(const si_net *net, const char *path, si_loss_kind k, double loss) {
    const int nt = si_net_tensor_count(net);
    si_st_entry *e = calloc((size_t)nt, sizeof *e);
    si_net_tensor *t = calloc((size_t)nt, sizeof *t);
    if (!e || !t) {
        free(e), free(t);
        return SI_ENOMEM;
    }
    size_t ne = 0;
    for (int i = 0; i < nt; i++) {
        t[i] = si_net_tensor_at(net, i);
        if (t[i].grad) e[ne++] = (si_st_entry){t[i].name, t[i].ndim, t[i].shape, t[i].grad};
    }
    si_st_kv kv[18];
    int nm = si_net_metadata(net, kv, 16);
    char value[32];
    snprintf(value, sizeof value, "%.17g", loss);
    kv[nm++] = (si_st_kv){"seisinv.loss", si_loss_name(k)};
    kv[nm++] = (si_st_kv){"seisinv.loss_value", value};
    si_err st = si_st_write(path, e, ne, kv, (size_t)nm);
    free(e), free(t);
    return st;
}

int cmd_grad(int argc, char **argv) {
    args a = {0};
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? SI_EXIT_OK : rc;
    si_array x = {0}, v = {0};
    si_net *net = NULL;
    float *xn = NULL, *yn = NULL;
    if ((rc = read_npy(a.data, &x)) || (rc = read_npy(a.target, &v))) goto done;
    const int n = x.ndim == 4 && x.shape[0] > 0 && x.shape[0] <= 4096 ? (int)x.shape[0] : 1;
    si_net_options o = {.batch = n, .threads = (int)a.threads};
    si_err st = si_net_load(&net, a.weights, &o);
    if (st) {
        rc = si_cli_report("grad", st);
        goto done;
    }
    const si_model_info *m = si_net_config(net);
    if ((rc = check_shapes(&a, m, &x, &v))) goto done;
    const size_t srt = (size_t)m->S * m->R * m->T, hw = (size_t)m->H * m->W;
    xn = malloc((size_t)n * srt * sizeof(float));
    yn = malloc((size_t)n * hw * sizeof(float));
    if (!xn || !yn) {
        fprintf(stderr, "seisinv grad: out of memory\n");
        rc = SI_EXIT_FAIL;
        goto done;
    }
    for (int b = 0; b < n && !st; b++)
        if ((st = si_net_normalise_survey(net, x.data + b * srt, SI_LAYOUT_STR, xn + b * srt)))
            fprintf(stderr, "seisinv grad: %s: survey %d: %s\n", a.data, b, si_last_error());
    if (!st && (st = si_net_normalise_velocity(net, v.data, (size_t)n * hw, yn)))
        fprintf(stderr, "seisinv grad: %s: %s\n", a.target, si_last_error());
    if (st) {
        rc = SI_EXIT_BADINPUT;
        goto done;
    }
    double loss;
    if ((st = si_net_train_batch(net, xn, yn, n, a.loss, SI_NET_BATCH_STATS, &loss)) ||
        (st = write_grads(net, a.out, a.loss, loss))) {
        rc = si_cli_report("grad", st);
        goto done;
    }
    printf("loss %s = %.9g over %d survey%s; gradients written to %s\n", si_loss_name(a.loss), loss,
           n, n == 1 ? "" : "s", a.out);
done:
    free(xn), free(yn);
    si_net_free(net);
    si_array_free(&x), si_array_free(&v);
    return rc;
}
