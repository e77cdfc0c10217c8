/* Simulator flags shared by `simulate` and `dataset`: strict parsing with a
 * message that names the flag. */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "cli_data.h"

int si_sim_flags_store(si_sim_flags *f, int opt, const char *arg) {
    switch (opt) {
    case OPT_DX:
        f->dx = arg;
        break;
    case OPT_DT:
        f->dt = arg;
        break;
    case OPT_NT:
        f->nt = arg;
        break;
    case OPT_F0:
        f->f0 = arg;
        break;
    case OPT_ORDER:
        f->order = arg;
        break;
    case OPT_PML:
        f->pml = arg;
        break;
    case OPT_FREE_SURFACE:
        f->free_surface = 1;
        break;
    case OPT_SRC_X:
        f->src_x = arg;
        break;
    case OPT_SRC_Z:
        f->src_z = arg;
        break;
    case OPT_REC_X:
        f->rec_x = arg;
        break;
    case OPT_REC_Z:
        f->rec_z = arg;
        break;
    case OPT_THREADS:
        f->threads = arg;
        break;
    case OPT_SHOTS:
        f->shots = arg;
        break;
    case OPT_RECEIVERS:
        f->receivers = arg;
        break;
    default:
        return 0;
    }
    return 1;
}

static int bad(const char *cmd, const char *flag, const char *arg, const char *want) {
    return si_cli_usage_error(cmd, "--%s '%s': %s", flag, arg, want);
}

/* Positive float flag into *out; 0 when absent or fine. */
static int pos_float(const char *cmd, const char *flag, const char *arg, double hi, float *out) {
    double v;
    if (!arg) return 0;
    if (si_parse_float(arg, 0, hi, &v) || v <= 0) {
        char want[64];
        snprintf(want, sizeof want, "need a number in (0, %g]", hi);
        return bad(cmd, flag, arg, want);
    }
    *out = (float)v;
    return 0;
}

static int int_flag(const char *cmd, const char *flag, const char *arg, long lo, long hi,
                    int *out) {
    long v;
    if (!arg) return 0;
    if (si_parse_int(arg, lo, hi, &v)) {
        char want[64];
        snprintf(want, sizeof want, "need an integer in [%ld, %ld]", lo, hi);
        return bad(cmd, flag, arg, want);
    }
    *out = (int)v;
    return 0;
}

static int list_flag(const char *cmd, const char *flag, const char *arg, int *out, int cap,
                     int *n) {
    if (!arg) return 0;
    int k = si_parse_int_list(arg, out, cap);
    if (k < 1) {
        char want[96];
        snprintf(want, sizeof want, "need 'a,b,c' or 'start:stop:step' giving 1 to %d columns",
                 cap);
        return bad(cmd, flag, arg, want);
    }
    *n = k;
    return 0;
}

int si_sim_flags_apply(const char *cmd, const si_sim_flags *f, si_sim_config *cfg) {
    int rc, shots = 0, receivers = 0;
    if ((rc = pos_float(cmd, "dx", f->dx, 1e5, &cfg->dx)) ||
        (rc = pos_float(cmd, "dt", f->dt, 10, &cfg->dt)) ||
        (rc = pos_float(cmd, "f0", f->f0, 1e5, &cfg->f0)) ||
        (rc = int_flag(cmd, "nt", f->nt, 1, 10000000, &cfg->nt)) ||
        (rc = int_flag(cmd, "order", f->order, 2, 8, &cfg->order)) ||
        (rc = int_flag(cmd, "pml", f->pml, 0, 1000, &cfg->npml)) ||
        (rc = int_flag(cmd, "threads", f->threads, 0, 4096, &cfg->threads)) ||
        (rc = int_flag(cmd, "src-z", f->src_z, -1000000, 1000000, &cfg->src_z)) ||
        (rc = int_flag(cmd, "rec-z", f->rec_z, -1000000, 1000000, &cfg->rec_z)) ||
        (rc = int_flag(cmd, "shots", f->shots, 1, SI_SIM_MAX_SHOTS, &shots)) ||
        (rc = int_flag(cmd, "receivers", f->receivers, 1, SI_SIM_MAX_RECS, &receivers)) ||
        (rc = list_flag(cmd, "src-x", f->src_x, cfg->src_x, SI_SIM_MAX_SHOTS, &cfg->nsrc)) ||
        (rc = list_flag(cmd, "rec-x", f->rec_x, cfg->rec_x, SI_SIM_MAX_RECS, &cfg->nrec)))
        return rc;
    if (cfg->order != 2 && cfg->order != 4 && cfg->order != 8)
        return bad(cmd, "order", f->order, "need 2, 4 or 8");
    if (f->free_surface) cfg->free_surface = 1;
    if (shots) {
        /* Evenly spread like the default: numpy's round(linspace(2, nx-3,
         * shots)); rint rounds ties to even and the quotient of two exact
         * integers is a tie exactly when it should be. */
        cfg->nsrc = shots;
        for (int i = 0; i < shots; i++)
            cfg->src_x[i] = shots == 1 ? 2 : 2 + (int)rint((double)i * (cfg->nx - 5) / (shots - 1));
    }
    if (receivers) {
        /* round(linspace(0, nx-1, N)): 32 gives the columns SeisInvNet sees
         * (SPEC §2), as `seisinv dataset` records them */
        if (f->rec_x) return bad(cmd, "receivers", f->receivers, "give --receivers or --rec-x, not both");
        if (receivers > cfg->nx) return bad(cmd, "receivers", f->receivers, "more receivers than grid columns");
        cfg->nrec = receivers;
        si_sim_network_receivers(cfg->nx, receivers, cfg->rec_x);
    }
    return 0;
}

void si_warn_dispersion(const char *cmd, const si_sim_config *cfg, double ppw) {
    if (ppw < 4)
        fprintf(stderr,
                "seisinv %s: warning: %.2f points per wavelength (v_min / (2.5 f0 dx) with f0 %g "
                "Hz, dx %g m) is below 4; expect numerical dispersion\n",
                cmd, ppw, (double)cfg->f0, (double)cfg->dx);
}
