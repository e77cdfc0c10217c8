/* seisinv simulate — one survey over a velocity model: vel.npy [H, W] (m/s)
 * in, shot gathers [S, T, R] out as .npy or SEG-Y (and optionally a picture). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_data.h"
#include "cli_segy.h"
#include "seisinv/npy.h"
#include "seisinv/png.h"
#include "seisinv/sim.h"

static const char usage[] =
    "usage: seisinv simulate --model VEL.npy -o SHOTS.npy|SHOTS.sgy [options]\n"
    "\n"
    "2-D acoustic finite-difference survey over VEL.npy (float32 [H, W], m/s,\n"
    "rows = depth). Writes the shot gathers as float32 [S, T, R], or as SEG-Y\n"
    "when the name ends in .sgy/.segy (rev 1, IEEE floats, one trace per shot\n"
    "and receiver: FieldRecord = shot, TraceNumber = receiver, SourceX, GroupX,\n"
    "offset and depths in metres, dt in microseconds).\n"
    "\n"
    "  -m, --model FILE     velocity model (.npy float32 [H, W], m/s)\n"
    "  -o, --output FILE    shot gathers (.npy float32 [S, T, R], or .sgy/.segy)\n"
    "      --png FILE       also draw the gathers side by side (grey)\n"
    "      --dx M           grid spacing in metres, dz = dx (default 10)\n"
    "      --dt S           time step in seconds (default 0.001)\n"
    "      --nt N           time samples (default 1000)\n"
    "      --f0 HZ          Ricker peak frequency (default 15)\n"
    "      --order N        spatial order 2, 4 or 8 (default 8)\n"
    "      --pml N          absorbing boundary thickness in cells (default 20)\n"
    "      --free-surface   pressure-free top instead of an absorbing one\n"
    "      --src-x LIST     source columns, 'a,b,c' or 'start:stop:step'\n"
    "                       (default 20 at round(linspace(2, W-3, 20)))\n"
    "      --src-z Z        source row (default 1)\n"
    "      --rec-x LIST     receiver columns (default every column)\n"
    "      --receivers N    N receivers at round(linspace(0, W-1, N)); 32 records\n"
    "                       what SeisInvNet (`seisinv invert`) takes\n"
    "      --rec-z Z        receiver row (default 1)\n"
    "      --threads N      shots run in parallel (default 0 = all cores)\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit codes: 0 done, 1 out of memory, 2 bad input (nothing written).\n";

enum { OPT_PNG = OPT_FIRST_FREE };

static const struct option options[] = {{"model", required_argument, 0, 'm'},
                                        {"output", required_argument, 0, 'o'},
                                        {"png", required_argument, 0, OPT_PNG},
                                        {"help", no_argument, 0, 'h'},
                                        {"src-x", required_argument, 0, OPT_SRC_X},
                                        {"src-z", required_argument, 0, OPT_SRC_Z},
                                        {"rec-x", required_argument, 0, OPT_REC_X},
                                        {"rec-z", required_argument, 0, OPT_REC_Z},
                                        {"receivers", required_argument, 0, OPT_RECEIVERS},
                                        SI_SIM_LONG_OPTIONS,
                                        {0, 0, 0, 0}};

/* Reads the model and checks it is a [H, W] matrix. */
static int read_model(const char *path, si_array *vel) {
    si_err st = si_npy_read(path, vel);
    if (st) return si_cli_report("simulate", st);
    if (vel->ndim != 2 || vel->shape[0] < 1 || vel->shape[1] < 1) {
        char shape[128] = "";
        for (int i = 0, k = 0; i < vel->ndim && k < 100; i++)
            k += snprintf(shape + k, sizeof shape - k, "%s%lld", i ? ", " : "",
                          (long long)vel->shape[i]);
        si_array_free(vel);
        return si_cli_usage_error("simulate", "%s has shape [%s]; need a 2-D model [H, W] in m/s",
                                  path, shape);
    }
    if (vel->shape[0] > 65536 || vel->shape[1] > 65536) {
        si_array_free(vel);
        return si_cli_usage_error("simulate", "%s: model larger than 65536 cells a side", path);
    }
    return 0;
}

static int run(const char *model, const char *out, const char *png, const si_sim_flags *flags) {
    si_array vel;
    int rc = read_model(model, &vel);
    if (rc) return rc;
    si_sim_config *cfg = malloc(sizeof *cfg);
    float *shots = NULL;
    if (!cfg) {
        si_array_free(&vel);
        fprintf(stderr, "seisinv simulate: out of memory\n");
        return SI_EXIT_FAIL;
    }
    si_sim_config_default(cfg, (int)vel.shape[0], (int)vel.shape[1]);
    rc = si_sim_flags_apply("simulate", flags, cfg);
    double ppw = 0;
    si_err st = SI_OK;
    if (!rc && si_cli_segy_name(out)) { /* checked before the work, not after */
        const double us = (double)cfg->dt * 1e6;
        if (fabs(us - rint(us)) > 1e-3 || us > 32767)
            rc = si_cli_usage_error("simulate",
                                    "--dt %g s cannot be stored in SEG-Y: it needs a whole number "
                                    "of microseconds up to 32767 (or write .npy)",
                                    (double)cfg->dt);
    }
    if (!rc && (st = si_sim_check_config(cfg))) rc = si_cli_report("simulate", st);
    if (!rc && (st = si_sim_check_model(cfg, vel.data, &ppw))) rc = si_cli_report("simulate", st);
    if (!rc) {
        si_warn_dispersion("simulate", cfg, ppw);
        size_t n = (size_t)cfg->nsrc * cfg->nt * cfg->nrec;
        shots = malloc(n * sizeof(float));
        if (!shots) {
            fprintf(stderr, "seisinv simulate: out of memory for %zu samples\n", n);
            rc = SI_EXIT_FAIL;
        }
    }
    if (!rc && (st = si_simulate(cfg, vel.data, shots))) rc = si_cli_report("simulate", st);
    int64_t shape[3] = {cfg->nsrc, cfg->nt, cfg->nrec};
    if (!rc && png && (st = si_png_write_gathers(png, shots, cfg->nsrc, cfg->nt, cfg->nrec)))
        rc = si_cli_report("simulate", st);
    if (!rc && si_cli_segy_name(out))
        rc = si_cli_write_shots_segy("simulate", out, cfg, shots);
    else if (!rc && (st = si_npy_write(out, 3, shape, shots)))
        rc = si_cli_report("simulate", st);
    if (!rc)
        printf("wrote %s [%d shots, %d samples, %d receivers]\n", out, cfg->nsrc, cfg->nt,
               cfg->nrec);
    free(shots);
    free(cfg);
    si_array_free(&vel);
    return rc;
}

int cmd_simulate(int argc, char **argv) {
    const char *model = NULL, *out = NULL, *png = NULL;
    si_sim_flags flags = {0};
    int c;
    optind = 1, opterr = 0;
    while ((c = getopt_long(argc, argv, ":m:o:h", options, NULL)) != -1) {
        if (si_sim_flags_store(&flags, c, optarg)) continue;
        switch (c) {
        case 'm':
            model = optarg;
            break;
        case 'o':
            out = optarg;
            break;
        case OPT_PNG:
            png = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return SI_EXIT_OK;
        default:
            return si_cli_bad_option("simulate", c, argv);
        }
    }
    if (optind < argc)
        return si_cli_usage_error("simulate", "unexpected argument '%s' (see --help)",
                                  argv[optind]);
    if (!model) return si_cli_usage_error("simulate", "--model VEL.npy is required (see --help)");
    if (!out) return si_cli_usage_error("simulate", "-o SHOTS.npy is required (see --help)");
    int rc = si_check_output_path("simulate", "-o", out);
    if (!rc && png) rc = si_check_output_path("simulate", "--png", png);
    return rc ? rc : run(model, out, png, &flags);
}
