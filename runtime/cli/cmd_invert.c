/* seisinv invert — SeisInvNet inference: one survey [S, T, R] to a velocity
 * model [H, W], or a dataset shard [n, S, T, R] to [n, 1, H, W] (m/s). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_data.h"
#include "seisinv/model.h"
#include "seisinv/npy.h"
#include "seisinv/png.h"

static const char usage[] =
    "usage: seisinv invert --weights W.safetensors SHOTS.npy -o VEL.npy [options]\n"
    "\n"
    "Runs SeisInvNet (SPEC 1) on one survey, SHOTS.npy [S, T, R] float32, and\n"
    "writes the velocity model [H, W] in m/s; or on a dataset shard\n"
    "data_K.npy [n, S, T, R] (OpenFWI layout), writing [n, 1, H, W].\n"
    "S, R, T, H, W and the normalisation come from the weights' metadata.\n"
    "\n"
    "  -w, --weights FILE  model weights (.safetensors)\n"
    "  -o, --output FILE   velocity model(s) (.npy float32, m/s)\n"
    "      --png FILE      also draw the model (the first one of a shard)\n"
    "      --dx M          grid spacing for the picture's axes (default 10)\n"
    "      --srt           the input is [S, R, T] ([n, S, R, T]): T contiguous\n"
    "  -j, --threads N     threads (default: one per CPU)\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit codes: 0 done, 2 bad input (nothing written), 130 interrupted.\n";

enum { OPT_PNG = OPT_FIRST_FREE, OPT_SRT, OPT_DX2 };

static const struct option options[] = {
    {"weights", required_argument, 0, 'w'}, {"output", required_argument, 0, 'o'},
    {"png", required_argument, 0, OPT_PNG}, {"dx", required_argument, 0, OPT_DX2},
    {"srt", no_argument, 0, OPT_SRT},       {"threads", required_argument, 0, 'j'},
    {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};

typedef struct args {
    const char *weights, *in, *out, *png;
    int srt;
    long threads;
    double dx;
} args;

static int parse(int argc, char **argv, args *a) {
    int c;
    optind = 1, opterr = 0;
    while ((c = getopt_long(argc, argv, ":w:o:j:h", options, NULL)) != -1) {
        switch (c) {
        case 'w':
            a->weights = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case OPT_PNG:
            a->png = optarg;
            break;
        case OPT_SRT:
            a->srt = 1;
            break;
        case 'j':
            if (si_parse_int(optarg, 1, 1024, &a->threads))
                return si_cli_usage_error("invert", "--threads '%s': need an integer in [1, 1024]",
                                          optarg);
            break;
        case OPT_DX2:
            if (si_parse_float(optarg, 0, 1e5, &a->dx) || a->dx <= 0)
                return si_cli_usage_error("invert", "--dx '%s': need a number in (0, 1e5]", optarg);
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return si_cli_bad_option("invert", c, argv);
        }
    }
    if (optind < argc) a->in = argv[optind++];
    if (optind < argc)
        return si_cli_usage_error("invert", "unexpected argument '%s' (see --help)", argv[optind]);
    if (!a->weights)
        return si_cli_usage_error("invert", "--weights W.safetensors is required (see --help)");
    if (!a->in) return si_cli_usage_error("invert", "the input SHOTS.npy is required (see --help)");
    if (!a->out) return si_cli_usage_error("invert", "-o VEL.npy is required (see --help)");
    int rc = si_check_output_path("invert", "-o", a->out);
    if (!rc && a->png) rc = si_check_output_path("invert", "--png", a->png);
    return rc;
}

static void shape_str(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t k = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, "]");
}

/* The input's shape against the model: one survey or a shard of them.
 * Returns the number of surveys, or -1 after printing the problem. */
static long long check_shape(const args *a, const si_model_info *m, const si_array *h) {
    const int64_t want[3] = {m->S, a->srt ? m->R : m->T, a->srt ? m->T : m->R};
    const int lead = h->ndim - 3;
    int ok = (lead == 0 || lead == 1) && (lead == 0 || h->shape[0] >= 1);
    for (int i = 0; ok && i < 3; i++)
        ok = h->shape[lead + i] == want[i];
    if (ok) return lead ? h->shape[0] : 1;
    char got[128];
    shape_str(got, sizeof got, h->ndim, h->shape);
    si_cli_usage_error("invert",
                       "%s: shape %s does not fit the model: need [S, %s] = [%d, %d, %d] or a "
                       "shard [n, S, %s]%s",
                       a->in, got, a->srt ? "R, T" : "T, R", m->S, (int)want[1], (int)want[2],
                       a->srt ? "R, T" : "T, R",
                       a->srt ? "" : " (--srt for T-contiguous [S, R, T] input)");
    return -1;
}

/* --png: the first model drawn with the model's velocity range. */
static si_err draw(const args *a, const si_model_info *m, const float *vel) {
    if (!a->png) return SI_OK;
    return si_png_write_velocity(a->png, vel, m->H, m->W, (float)a->dx, (float)m->v_min,
                                 (float)m->v_max);
}

static int run_single(const args *a, si_model *model, const si_model_info *m) {
    si_array x;
    si_err st = si_npy_read(a->in, &x);
    if (st) return si_cli_report("invert", st);
    float *vel = malloc((size_t)m->H * m->W * sizeof(float));
    if (!vel) {
        si_array_free(&x);
        fprintf(stderr, "seisinv invert: out of memory\n");
        return SI_EXIT_FAIL;
    }
    st = si_infer(model, x.data, a->srt ? SI_LAYOUT_SRT : SI_LAYOUT_STR, vel);
    si_array_free(&x);
    if (!st) st = draw(a, m, vel);
    const int64_t shape[2] = {m->H, m->W};
    if (!st) st = si_npy_write(a->out, 2, shape, vel);
    free(vel);
    if (st) return si_cli_report("invert", st);
    printf("wrote %s [%d, %d] m/s\n", a->out, m->H, m->W);
    return SI_EXIT_OK;
}

/* A shard, one survey at a time: reading, inference and writing stream, so
 * a shard larger than memory works; the output appears only when complete. */
static int run_batch(const args *a, si_model *model, const si_model_info *m, long long n,
                     int64_t offset) {
    const size_t per = (size_t)m->S * m->R * m->T, out_per = (size_t)m->H * m->W;
    float *x = malloc(per * sizeof(float)), *vel = malloc(2 * out_per * sizeof(float));
    float *first = vel + out_per; /* kept for --png */
    FILE *fp = fopen(a->in, "rb");
    const int64_t shape[4] = {n, 1, m->H, m->W};
    si_npy_writer *w = NULL;
    si_err st = SI_OK;
    int rc = SI_EXIT_OK;
    if (!x || !vel) {
        fprintf(stderr, "seisinv invert: out of memory\n");
        rc = SI_EXIT_FAIL;
        goto done;
    }
    if (!fp || fseek(fp, (long)offset, SEEK_SET) != 0) {
        rc = si_cli_usage_error("invert", "%s: cannot read: %s", a->in, strerror(errno));
        goto done;
    }
    if ((st = si_npy_writer_open(&w, a->out, 4, shape))) goto done;
    volatile int *stop = si_cli_interrupt_flag();
    si_progress bar;
    si_progress_start(&bar, "invert", n, 0);
    for (long long i = 0; i < n && !st; i++) {
        if (*stop) {
            si_progress_finish(&bar);
            fprintf(stderr,
                    "seisinv invert: interrupted after %lld of %lld surveys; nothing "
                    "written\n",
                    i, n);
            rc = SI_EXIT_INTERRUPTED;
            goto done;
        }
        if (fread(x, sizeof(float), per, fp) != per) {
            rc = si_cli_usage_error("invert", "%s: short read at survey %lld", a->in, i);
            goto done;
        }
        st = si_infer(model, x, a->srt ? SI_LAYOUT_SRT : SI_LAYOUT_STR, vel);
        if (st) {
            rc = si_cli_usage_error("invert", "%s: survey %lld: %s", a->in, i, si_last_error());
            st = SI_OK;
            goto done;
        }
        if (i == 0) memcpy(first, vel, out_per * sizeof(float));
        st = si_npy_writer_append(w, vel, out_per);
        si_progress_update(&bar, i + 1);
    }
    si_progress_finish(&bar);
    if (!st) st = draw(a, m, first);
    if (!st) {
        st = si_npy_writer_commit(w);
        w = NULL;
    }
    if (!st) printf("wrote %s [%lld, 1, %d, %d] m/s\n", a->out, n, m->H, m->W);
done:
    if (st) rc = si_cli_report("invert", st);
    if (w) si_npy_writer_abort(w);
    if (fp) fclose(fp);
    free(x), free(vel);
    return rc;
}

int cmd_invert(int argc, char **argv) {
    args a = {.dx = 10};
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? SI_EXIT_OK : rc;
    si_array h;
    int64_t offset;
    si_err st = si_npy_read_header(a.in, &h, &offset);
    if (st) return si_cli_report("invert", st);
    si_model *model;
    const si_model_options opt = {.threads = (int)a.threads};
    if ((st = si_model_load(&model, a.weights, &opt))) return si_cli_report("invert", st);
    const si_model_info *m = si_model_config(model);
    const long long n = check_shape(&a, m, &h);
    if (n < 0)
        rc = SI_EXIT_BADINPUT;
    else
        rc = h.ndim == 3 ? run_single(&a, model, m) : run_batch(&a, model, m, n, offset);
    si_model_free(model);
    return rc;
}
