/* seisinv model — one SeisInv layered velocity model to .npy [H, W] (m/s). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "cli_data.h"
#include "seisinv/npy.h"
#include "seisinv/png.h"
#include "seisinv/velgen.h"

static const char usage[] =
    "usage: seisinv model --type T -o VEL.npy [options]\n"
    "\n"
    "One layered velocity model (SPEC 3): type I..IV has 2..5 gently undulating\n"
    "interfaces, each layer a constant velocity in [1500, 4000] m/s increasing\n"
    "with depth. Model (seed, index) is always the same.\n"
    "\n"
    "  -t, --type T       1..4 or I..IV\n"
    "  -s, --seed S       random seed (default 0)\n"
    "  -i, --index I      model number within the seed (default 0)\n"
    "      --nz N         rows, depth (default 100)\n"
    "      --nx N         columns (default 100)\n"
    "  -o, --output FILE  velocity model (.npy float32 [nz, nx], m/s)\n"
    "      --png FILE     also draw it with a colour bar\n"
    "      --dx M         grid spacing for the picture's axes (default 10)\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit codes: 0 done, 2 bad input (nothing written).\n";

enum { OPT_PNG = OPT_FIRST_FREE };

static const struct option options[] = {
    {"type", required_argument, 0, 't'},    {"seed", required_argument, 0, 's'},
    {"index", required_argument, 0, 'i'},   {"nz", required_argument, 0, OPT_NZ},
    {"nx", required_argument, 0, OPT_NX},   {"output", required_argument, 0, 'o'},
    {"png", required_argument, 0, OPT_PNG}, {"dx", required_argument, 0, OPT_DX},
    {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};

typedef struct args {
    int type;
    uint64_t seed, index;
    long nz, nx;
    double dx;
    const char *out, *png;
} args;

static int parse(int argc, char **argv, args *a) {
    int c;
    optind = 1, opterr = 0;
    while ((c = getopt_long(argc, argv, ":t:s:i:o:h", options, NULL)) != -1) {
        switch (c) {
        case 't':
            if ((a->type = si_parse_model_type(optarg)) < 0)
                return si_cli_usage_error("model", "--type '%s': need 1..4 or I..IV", optarg);
            break;
        case 's':
            if (si_parse_u64(optarg, &a->seed))
                return si_cli_usage_error("model", "--seed '%s': need a non-negative integer",
                                          optarg);
            break;
        case 'i':
            if (si_parse_u64(optarg, &a->index))
                return si_cli_usage_error("model", "--index '%s': need a non-negative integer",
                                          optarg);
            break;
        case OPT_NZ:
        case OPT_NX:
            if (si_parse_int(optarg, 1, 65536, c == OPT_NZ ? &a->nz : &a->nx))
                return si_cli_usage_error("model", "--%s '%s': need an integer in [1, 65536]",
                                          c == OPT_NZ ? "nz" : "nx", optarg);
            break;
        case OPT_DX:
            if (si_parse_float(optarg, 0, 1e5, &a->dx) || a->dx <= 0)
                return si_cli_usage_error("model", "--dx '%s': need a number in (0, 1e5]", optarg);
            break;
        case 'o':
            a->out = optarg;
            break;
        case OPT_PNG:
            a->png = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return si_cli_bad_option("model", c, argv);
        }
    }
    if (optind < argc)
        return si_cli_usage_error("model", "unexpected argument '%s' (see --help)", argv[optind]);
    if (!a->type) return si_cli_usage_error("model", "--type 1..4 is required (see --help)");
    if (!a->out) return si_cli_usage_error("model", "-o VEL.npy is required (see --help)");
    int rc = si_check_output_path("model", "-o", a->out);
    if (!rc && a->png) rc = si_check_output_path("model", "--png", a->png);
    return rc;
}

int cmd_model(int argc, char **argv) {
    args a = {0, 0, 0, 100, 100, 10, NULL, NULL};
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? SI_EXIT_OK : rc;
    float *vel = malloc((size_t)a.nz * (size_t)a.nx * sizeof(float));
    if (!vel) {
        fprintf(stderr, "seisinv model: out of memory for a %ld x %ld model\n", a.nz, a.nx);
        return SI_EXIT_FAIL;
    }
    int64_t shape[2] = {a.nz, a.nx};
    si_err st = si_velgen(a.type, a.seed, a.index, (int)a.nz, (int)a.nx, vel);
    if (!st && a.png)
        st = si_png_write_velocity(a.png, vel, (int)a.nz, (int)a.nx, (float)a.dx, SI_VEL_MIN,
                                   SI_VEL_MAX);
    if (!st) st = si_npy_write(a.out, 2, shape, vel);
    free(vel);
    if (st) return si_cli_report("model", st);
    printf("wrote %s [%ld, %ld] type %d seed %llu index %llu\n", a.out, a.nz, a.nx, a.type,
           (unsigned long long)a.seed, (unsigned long long)a.index);
    return SI_EXIT_OK;
}
