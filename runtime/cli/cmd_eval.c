/* seisinv eval — a trained model's mean metrics over a dataset: every
 * survey of the shards inverted and compared with its true model. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_data.h"
#include "cli_metrics.h"
#include "cli_shards.h"
#include "seisinv/model.h"

static const char usage[] =
    "usage: seisinv eval --weights W.safetensors --data DIR|data_K.npy [options]\n"
    "\n"
    "Inverts every survey of a dataset (the data_K.npy / model_K.npy shards\n"
    "`seisinv dataset` writes: a folder, or one data_K.npy with its model_K.npy\n"
    "beside it) and prints the mean metrics against the true models: MAE, MSE,\n"
    "RMSE, PSNR, SSIM and MS-SSIM on velocity normalised to [0, 1] with the\n"
    "weights' v_min / v_max (SPEC 1), and MAE, RMSE in m/s. Every metric is the\n"
    "mean of the per-model values.\n"
    "\n"
    "  -w, --weights FILE  model weights (.safetensors)\n"
    "  -d, --data PATH     folder of shards, or one data_K.npy\n"
    "  -n, --count N       only the first N surveys\n"
    "  -j, --threads N     threads (default: one per CPU)\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit codes: 0 done, 2 bad input, 130 interrupted (the means so far are\n"
    "printed).\n";

static const struct option options[] = {
    {"weights", required_argument, 0, 'w'}, {"data", required_argument, 0, 'd'},
    {"count", required_argument, 0, 'n'},   {"threads", required_argument, 0, 'j'},
    {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};

typedef struct args {
    const char *weights, *data;
    long count, threads;
} args;

static int parse(int argc, char **argv, args *a) {
    int c;
    optind = 1, opterr = 0;
    while ((c = getopt_long(argc, argv, ":w:d:n:j:h", options, NULL)) != -1) {
        switch (c) {
        case 'w':
            a->weights = optarg;
            break;
        case 'd':
            a->data = optarg;
            break;
        case 'n':
            if (si_parse_int(optarg, 1, 1000000000L, &a->count))
                return si_cli_usage_error("eval", "--count '%s': need an integer >= 1", optarg);
            break;
        case 'j':
            if (si_parse_int(optarg, 1, 1024, &a->threads))
                return si_cli_usage_error("eval", "--threads '%s': need an integer in [1, 1024]",
                                          optarg);
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return si_cli_bad_option("eval", c, argv);
        }
    }
    if (optind < argc)
        return si_cli_usage_error("eval", "unexpected argument '%s' (see --help)", argv[optind]);
    if (!a->weights)
        return si_cli_usage_error("eval", "--weights W.safetensors is required (see --help)");
    if (!a->data) return si_cli_usage_error("eval", "--data DIR is required (see --help)");
    return 0;
}

/* Inverts surveys [0, n) of the set into the accumulator. */
static int run(const args *a, si_model *model, const si_model_info *m, const si_shardset *set,
               int64_t n, si_metrics_acc *acc) {
    float *x = si_model_survey_buffer(model);
    float *buf = malloc(2 * (size_t)m->H * m->W * sizeof *buf), *truth = buf + (size_t)m->H * m->W;
    if (!buf) {
        fprintf(stderr, "seisinv eval: out of memory\n");
        return SI_EXIT_FAIL;
    }
    volatile int *stop = si_cli_interrupt_flag();
    si_progress bar;
    si_progress_start(&bar, "eval", n, 0);
    int rc = 0;
    for (int64_t i = 0; i < n && !rc; i++) {
        if (*stop) {
            rc = SI_EXIT_INTERRUPTED;
            break;
        }
        rc = si_cli_shards_read("eval", set, i, x, truth);
        if (rc) break;
        si_err st = si_infer(model, x, SI_LAYOUT_STR, buf);
        if (!st) st = si_metrics_acc_add(acc, buf, truth, NULL);
        if (st) {
            rc = si_cli_usage_error("eval", "%s: survey %lld: %s", a->data, (long long)i,
                                    si_last_error());
            break;
        }
        const si_metrics mean = si_metrics_acc_mean(acc);
        snprintf(bar.extra, sizeof bar.extra, " MAE %.1f m/s", mean.mae_ms);
        si_progress_update(&bar, i + 1);
    }
    si_progress_finish(&bar);
    free(buf);
    return rc;
}

int cmd_eval(int argc, char **argv) {
    args a = {0};
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? SI_EXIT_OK : rc;
    si_model *model;
    const si_model_options opt = {.threads = (int)a.threads};
    si_err st = si_model_load(&model, a.weights, &opt);
    if (st) return si_cli_report("eval", st);
    const si_model_info *m = si_model_config(model);
    si_shardset set;
    rc = si_cli_shards_open("eval", a.data, m->S, m->R, m->T, m->H, m->W, &set);
    si_metrics_acc *acc = NULL;
    if (!rc && (st = si_metrics_acc_new(&acc, m->H, m->W, m->v_min, m->v_max)))
        rc = si_cli_report("eval", st);
    if (!rc) {
        const int64_t n = a.count && a.count < set.total ? a.count : set.total;
        rc = run(&a, model, m, &set, n, acc);
        if (rc == SI_EXIT_INTERRUPTED)
            fprintf(stderr, "seisinv eval: interrupted after %lld of %lld surveys\n",
                    si_metrics_acc_count(acc), (long long)n);
        if (!rc || (rc == SI_EXIT_INTERRUPTED && si_metrics_acc_count(acc))) {
            const si_metrics mean = si_metrics_acc_mean(acc);
            printf("%s: %lld surveys (%d shard%s), normalised with v in [%g, %g] m/s\n", a.data,
                   si_metrics_acc_count(acc), set.count, set.count == 1 ? "" : "s", m->v_min,
                   m->v_max);
            si_cli_print_metrics(stdout, "mean", &mean);
        }
    }
    si_metrics_acc_free(acc);
    si_cli_shards_close(&set);
    si_model_free(model);
    return rc;
}
