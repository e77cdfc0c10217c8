/* seisinv dataset — SeisInv dataset shards (OpenFWI layout) with a manifest;
 * resumable, Ctrl-C keeps the finished shards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_data.h"
#include "seisinv/dataset.h"

static const char usage[] =
    "usage: seisinv dataset --count N -o DIR [options]\n"
    "\n"
    "Generates N surveys (layered model + simulated shot gathers) into DIR as\n"
    "data_K.npy [n, S, T, R] and model_K.npy [n, 1, H, W] (m/s) plus\n"
    "manifest.json (geometry, seed, shard list, normalisation statistics).\n"
    "Survey i depends only on (seed, split, i). Running the same command again\n"
    "keeps the complete shards and generates the rest; Ctrl-C stops cleanly.\n"
    "\n"
    "  -n, --count N        number of surveys (required)\n"
    "  -o, --output DIR     output folder (created if missing)\n"
    "      --types A-B      model types cycled over, 1..4 or I..IV (default 1-4)\n"
    "  -s, --seed S         random seed below 2^63 (default 0)\n"
    "      --split NAME     train, val or test (default train); mixed into the seed\n"
    "      --shard-size N   surveys per shard (default 500)\n"
    "      --all-receivers  record every column instead of the network's 32\n"
    "      --threads N      shots run in parallel (default 0 = all cores)\n"
    "geometry (SeisInv defaults):\n"
    "      --nz N --nx N    model grid (default 100 x 100)\n"
    "      --shots N        sources at round(linspace(2, nx-3, N)) (default 20)\n"
    "      --nt N --dt S --dx M --f0 HZ --order N --pml N --free-surface\n"
    "                       as in `seisinv simulate`\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit codes: 0 done, 1 out of memory, 2 bad input, 130 interrupted (finished\n"
    "shards kept; rerun to resume).\n";

enum { OPT_TYPES = OPT_FIRST_FREE, OPT_SPLIT, OPT_SHARD, OPT_ALLREC };

static const struct option options[] = {{"count", required_argument, 0, 'n'},
                                        {"output", required_argument, 0, 'o'},
                                        {"types", required_argument, 0, OPT_TYPES},
                                        {"seed", required_argument, 0, 's'},
                                        {"split", required_argument, 0, OPT_SPLIT},
                                        {"shard-size", required_argument, 0, OPT_SHARD},
                                        {"all-receivers", no_argument, 0, OPT_ALLREC},
                                        {"nz", required_argument, 0, OPT_NZ},
                                        {"nx", required_argument, 0, OPT_NX},
                                        {"shots", required_argument, 0, OPT_SHOTS},
                                        {"help", no_argument, 0, 'h'},
                                        SI_SIM_LONG_OPTIONS,
                                        {0, 0, 0, 0}};

typedef struct args {
    long count, shard, nz, nx;
    int type_lo, type_hi, all_receivers;
    uint64_t seed;
    const char *split, *dir;
    si_sim_flags sim;
} args;

/* "2", "1-4", "II-IV". */
static int parse_types(const char *s, int *lo, int *hi) {
    char buf[16];
    const char *dash = strchr(s, '-');
    if (!dash) return (*lo = *hi = si_parse_model_type(s)) < 0 ? -1 : 0;
    size_t n = (size_t)(dash - s);
    if (n >= sizeof buf) return -1;
    memcpy(buf, s, n), buf[n] = 0;
    *lo = si_parse_model_type(buf), *hi = si_parse_model_type(dash + 1);
    return *lo < 0 || *hi < 0 || *lo > *hi ? -1 : 0;
}

static int parse_long(const char *flag, const char *s, long lo, long hi, long *out) {
    if (si_parse_int(s, lo, hi, out))
        return si_cli_usage_error("dataset", "--%s '%s': need an integer in [%ld, %ld]", flag, s,
                                  lo, hi);
    return 0;
}

static int parse(int argc, char **argv, args *a) {
    int c, rc = 0;
    optind = 1, opterr = 0;
    while (!rc && (c = getopt_long(argc, argv, ":n:o:s:h", options, NULL)) != -1) {
        if (si_sim_flags_store(&a->sim, c, optarg)) continue;
        switch (c) {
        case 'n':
            rc = parse_long("count", optarg, 1, 1000000000L, &a->count);
            break;
        case OPT_SHARD:
            rc = parse_long("shard-size", optarg, 1, 1000000, &a->shard);
            break;
        case OPT_NZ:
            rc = parse_long("nz", optarg, 1, 65536, &a->nz);
            break;
        case OPT_NX:
            rc = parse_long("nx", optarg, 1, 65536, &a->nx);
            break;
        case 'o':
            a->dir = optarg;
            break;
        case OPT_SPLIT:
            a->split = optarg;
            break;
        case OPT_ALLREC:
            a->all_receivers = 1;
            break;
        case OPT_TYPES:
            if (parse_types(optarg, &a->type_lo, &a->type_hi))
                rc = si_cli_usage_error("dataset",
                                        "--types '%s': need T or A-B within 1..4 "
                                        "(or I..IV)",
                                        optarg);
            break;
        case 's':
            if (si_parse_u64(optarg, &a->seed) || a->seed >> 63)
                rc = si_cli_usage_error("dataset", "--seed '%s': need an integer in [0, 2^63)",
                                        optarg);
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return si_cli_bad_option("dataset", c, argv);
        }
    }
    if (rc) return rc;
    if (optind < argc)
        return si_cli_usage_error("dataset", "unexpected argument '%s' (see --help)", argv[optind]);
    if (!a->count) return si_cli_usage_error("dataset", "--count N is required (see --help)");
    if (!a->dir || !*a->dir)
        return si_cli_usage_error("dataset", "-o DIR is required (see --help)");
    if (strcmp(a->split, "train") && strcmp(a->split, "val") && strcmp(a->split, "test"))
        return si_cli_usage_error("dataset", "--split '%s': need train, val or test", a->split);
    return 0;
}

typedef struct progress_state {
    si_progress bar;
    int started;
} progress_state;

static void on_progress(int64_t done, int64_t total, void *user) {
    progress_state *p = user;
    if (!p->started) {
        si_progress_start(&p->bar, "dataset", total, done);
        p->started = 1;
    }
    si_progress_update(&p->bar, done);
}

int cmd_dataset(int argc, char **argv) {
    args a = {0, 500, 100, 100, 1, 4, 0, 0, "train", NULL, {0}};
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? SI_EXIT_OK : rc;
    si_dataset_config *cfg = malloc(sizeof *cfg);
    if (!cfg) {
        fprintf(stderr, "seisinv dataset: out of memory\n");
        return SI_EXIT_FAIL;
    }
    si_dataset_config_default(cfg, (int)a.nz, (int)a.nx);
    if (a.all_receivers) si_dataset_use_all_receivers(cfg);
    cfg->seed = a.seed, cfg->count = a.count, cfg->shard_size = (int)a.shard;
    cfg->type_lo = a.type_lo, cfg->type_hi = a.type_hi;
    snprintf(cfg->split, sizeof cfg->split, "%s", a.split);
    double ppw = 0;
    si_err st = SI_OK;
    rc = si_sim_flags_apply("dataset", &a.sim, &cfg->sim);
    if (!rc && (st = si_dataset_check(cfg, &ppw))) rc = si_cli_report("dataset", st);
    if (rc) {
        free(cfg);
        return rc;
    }
    si_warn_dispersion("dataset", &cfg->sim, ppw);
    progress_state prog = {0};
    si_dataset_summary sum;
    st = si_dataset_generate(cfg, a.dir, on_progress, &prog, si_cli_interrupt_flag(), &sum);
    if (prog.started) {
        snprintf(prog.bar.extra, sizeof prog.bar.extra, "(%lld resumed)", (long long)sum.resumed);
        si_progress_finish(&prog.bar);
    }
    free(cfg);
    if (st) return si_cli_report("dataset", st);
    printf("%s: %lld surveys in %d shards (%lld resumed, %lld generated)\n", a.dir,
           (long long)(sum.resumed + sum.generated), sum.shards, (long long)sum.resumed,
           (long long)sum.generated);
    return SI_EXIT_OK;
}
