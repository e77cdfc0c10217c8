/* seisinv bench — SeisInvNet latency on this machine: load a model (or make
 * random paper-configuration weights), run si_infer on a random survey, and
 * report latency percentiles, GFLOP/s against the core's peak, memory and,
 * with --layers, the time of every step. Plain text or --json. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench_report.h"
#include "cli.h"
#include "cli_data.h"
#include "nn/nn_random.h"
#include "peak.h"
#include "seisinv/model.h"

static const char usage[] =
    "usage: seisinv bench [--weights W.safetensors] [options]\n"
    "\n"
    "Times SeisInvNet inference (si_infer: normalisation, network, m/s) on a\n"
    "random survey. Without --weights, random weights of the paper\n"
    "configuration (S=20, R=32, T=1000, 100x100) are made in a temporary file,\n"
    "removed afterwards. Reports latency min / median / p90 / max, GFLOP/s and\n"
    "the fraction of peak, kernel set, threads, arena and weight bytes.\n"
    "\n"
    "  -w, --weights FILE  model weights (.safetensors)\n"
    "  -j, --threads N     threads (default: one per CPU)\n"
    "  -n, --runs N        timed inferences (default 10)\n"
    "      --warmup N      untimed inferences first (default 2)\n"
    "      --layers        also the per-layer table (ms, GFLOP/s), over --runs more passes\n"
    "      --peak G        one core's peak in GFLOP/s (default: measured with the\n"
    "                      GEMM micro-kernel in use; 0 = do not report a fraction)\n"
    "      --json          machine-readable output on stdout\n"
    "  -h, --help          this text\n"
    "\n"
    "SEISINV_ISA=scalar|avx2|avx512|neon picks the kernel set.\n"
    "Exit codes: 0 done, 2 bad input, 130 interrupted.\n";

enum { OPT_WARMUP = OPT_FIRST_FREE, OPT_LAYERS, OPT_JSON, OPT_PEAK };

static const struct option options[] = {{"weights", required_argument, 0, 'w'},
                                        {"threads", required_argument, 0, 'j'},
                                        {"runs", required_argument, 0, 'n'},
                                        {"warmup", required_argument, 0, OPT_WARMUP},
                                        {"layers", no_argument, 0, OPT_LAYERS},
                                        {"json", no_argument, 0, OPT_JSON},
                                        {"peak", required_argument, 0, OPT_PEAK},
                                        {"help", no_argument, 0, 'h'},
                                        {0, 0, 0, 0}};

typedef struct args {
    const char *weights;
    long threads, runs, warmup;
    int layers, json;
    double peak; /* < 0: measure */
} args;

static int parse(int argc, char **argv, args *a) {
    int c;
    optind = 1, opterr = 0;
    while ((c = getopt_long(argc, argv, ":w:j:n:h", options, NULL)) != -1) {
        switch (c) {
        case 'w':
            a->weights = optarg;
            break;
        case 'j':
            if (si_parse_int(optarg, 1, 1024, &a->threads))
                return si_cli_usage_error("bench", "--threads '%s': need an integer in [1, 1024]",
                                          optarg);
            break;
        case 'n':
            if (si_parse_int(optarg, 1, 100000, &a->runs))
                return si_cli_usage_error("bench", "--runs '%s': need an integer in [1, 100000]",
                                          optarg);
            break;
        case OPT_WARMUP:
            if (si_parse_int(optarg, 0, 100000, &a->warmup))
                return si_cli_usage_error("bench", "--warmup '%s': need an integer in [0, 100000]",
                                          optarg);
            break;
        case OPT_PEAK:
            if (si_parse_float(optarg, 0, 1e7, &a->peak))
                return si_cli_usage_error("bench", "--peak '%s': need GFLOP/s in [0, 1e7]", optarg);
            break;
        case OPT_LAYERS:
            a->layers = 1;
            break;
        case OPT_JSON:
            a->json = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return si_cli_bad_option("bench", c, argv);
        }
    }
    if (optind < argc)
        return si_cli_usage_error("bench", "unexpected argument '%s' (see --help)", argv[optind]);
    return 0;
}

/* Random paper-configuration weights in a fresh temporary folder. */
static int random_weights(char *dir, size_t dcap, char *path, size_t pcap) {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, dcap, "%s/seisinv-bench-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        *dir = 0;
        return si_cli_usage_error("bench", "cannot make a temporary folder in %s",
                                  tmp && *tmp ? tmp : "/tmp");
    }
    snprintf(path, pcap, "%s/paper.safetensors", dir);
    const nn_random_spec spec = {.seed = 1};
    si_err st = nn_random_weights(path, &spec);
    return st ? si_cli_report("bench", st) : 0;
}

/* A survey of unit Gaussian noise, [S, T, R] (xorshift + Box-Muller). */
static float *random_survey(const si_model_info *c) {
    const size_t n = (size_t)c->S * c->T * c->R;
    float *x = malloc(n * sizeof(float));
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; x && i < n; i += 2) {
        double u[2];
        for (int k = 0; k < 2; k++) {
            s ^= s >> 12, s ^= s << 25, s ^= s >> 27;
            u[k] = ((double)((s * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
        }
        const double r = sqrt(-2 * log(u[0]));
        x[i] = (float)(r * cos(6.283185307179586 * u[1]));
        if (i + 1 < n) x[i + 1] = (float)(r * sin(6.283185307179586 * u[1]));
    }
    return x;
}

static int cmp_double(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Over sorted times: median (mean of the middle two for an even count) and
 * p90 by nearest rank. */
static bench_stats summarise(double *t, int n) {
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    bench_stats s = {t[0], n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]),
                     t[(9 * n + 9) / 10 - 1], t[n - 1], 0};
    for (int i = 0; i < n; i++)
        s.mean += t[i] / n;
    return s;
}

int cmd_bench(int argc, char **argv) {
    args a = {.runs = 10, .warmup = 2, .peak = -1};
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? SI_EXIT_OK : rc;
    /* from here on Ctrl-C only sets a flag, so the temporary weights go too */
    volatile int *stop = si_cli_interrupt_flag();
    char dir[512] = "", tmp_weights[600] = "";
    const char *path = a.weights;
    if (!path) {
        if ((rc = random_weights(dir, sizeof dir, tmp_weights, sizeof tmp_weights))) goto done;
        path = tmp_weights;
    }
    si_model *m = NULL;
    const si_model_options opt = {.threads = (int)a.threads};
    si_err st = si_model_load(&m, path, &opt);
    if (st) {
        rc = si_cli_report("bench", st);
        goto done;
    }
    const si_model_info *c = si_model_config(m);
    float *x = random_survey(c), *vel = malloc(sizeof(float) * c->H * c->W);
    double *t = malloc(sizeof(double) * (size_t)a.runs);
    if (!x || !vel || !t) {
        fprintf(stderr, "seisinv bench: out of memory\n");
        rc = SI_EXIT_FAIL;
    }
    for (long i = 0; !rc && i < a.warmup + a.runs + (a.layers ? a.runs : 0); i++) {
        if (*stop) {
            fprintf(stderr, "seisinv bench: interrupted\n");
            rc = SI_EXIT_INTERRUPTED;
            break;
        }
        if (i == a.warmup + a.runs) si_model_profile(m, 1); /* the --layers passes */
        const double t0 = si_now_seconds();
        if ((st = si_infer(m, x, SI_LAYOUT_STR, vel))) rc = si_cli_report("bench", st);
        if (i >= a.warmup && i < a.warmup + a.runs) t[i - a.warmup] = si_now_seconds() - t0;
    }
    if (!rc) {
        bench_report r = {.weights = a.weights,
                          .info = c,
                          .runs = (int)a.runs,
                          .warmup = (int)a.warmup,
                          .lat = summarise(t, (int)a.runs),
                          .arena = si_model_arena_bytes(m),
                          .weight_bytes = si_model_weight_bytes(m),
                          .peak = a.peak,
                          .model = a.layers ? m : NULL};
        struct stat sb;
        r.file_bytes = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
        if (r.peak < 0) r.peak = si_cli_peak_gflops(&r.kernel), r.peak_measured = 1;
        bench_print(&r, a.json);
    }
    free(x), free(vel), free(t);
    si_model_free(m);
done:
    if (*tmp_weights) unlink(tmp_weights);
    if (*dir) rmdir(dir);
    return rc;
}
