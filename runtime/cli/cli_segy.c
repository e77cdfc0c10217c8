/* SEG-Y in the CLI: detecting file kinds, mapping a survey for `invert`,
 * writing shot records and velocity models by extension. */
#include "cli_segy.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "seisinv/npy.h"
#include "seisinv/png.h"
#include "seisinv/segy.h"
#include "seisinv/survey_map.h"

int si_cli_has_ext(const char *path, const char *ext) {
    size_t n = strlen(path), k = strlen(ext);
    if (n < k) return 0;
    for (size_t i = 0; i < k; i++)
        if (tolower((unsigned char)path[n - k + i]) != tolower((unsigned char)ext[i])) return 0;
    return 1;
}

int si_cli_segy_name(const char *path) {
    return si_cli_has_ext(path, ".sgy") || si_cli_has_ext(path, ".segy");
}

si_file_kind si_cli_file_kind(const char *path) {
    unsigned char h[3600];
    FILE *f = fopen(path, "rb");
    if (!f) return SI_FILE_UNKNOWN;
    size_t n = fread(h, 1, sizeof h, f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    if (n >= 6 && memcmp(h, "\x93NUMPY", 6) == 0) return SI_FILE_NPY;
    if (n >= 8 && memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0) return SI_FILE_PNG;
    if (n >= 9 && h[8] == '{') {
        uint64_t len = 0;
        for (int i = 7; i >= 0; i--)
            len = len << 8 | h[i];
        if (len >= 2 && len <= (uint64_t)size - 8) return SI_FILE_SAFETENSORS;
    }
    if (si_cli_segy_name(path)) return SI_FILE_SEGY;
    /* A text header starting "C" (EBCDIC 0xC3 or ASCII) and a known format code. */
    if (n == sizeof h && (h[0] == 0xC3 || h[0] == 'C')) {
        int be = h[3224] << 8 | h[3225], le = h[3225] << 8 | h[3224];
        for (int k = 0; k < 2; k++) {
            int fmt = k ? le : be;
            if (fmt == 1 || fmt == 2 || fmt == 3 || fmt == 5 || fmt == 8) return SI_FILE_SEGY;
        }
    }
    return SI_FILE_UNKNOWN;
}

/* Model columns -> metres: the list given, or the default spread. */
static int columns(const char *cmd, const char *flag, const char *list, int count, int W, int src,
                   double dx, double *x) {
    int *cols = malloc((size_t)(count + 1) * sizeof *cols);
    if (!cols) return SI_EXIT_FAIL;
    int rc = 0;
    if (list) {
        int k = si_parse_int_list(list, cols, count + 1);
        if (k != count)
            rc = si_cli_usage_error(cmd, "%s '%s': need exactly %d columns (the model's %s)", flag,
                                    list, count, src ? "shots" : "receivers");
    } else if (src) {
        for (int i = 0; i < count; i++)
            cols[i] = count == 1 ? 2 : 2 + (int)rint((double)i * (W - 5) / (count - 1));
    } else {
        si_sim_network_receivers(W, count, cols);
    }
    for (int i = 0; !rc && i < count; i++)
        x[i] = cols[i] * dx;
    free(cols);
    return rc;
}

int si_cli_segy_survey(const char *cmd, const char *path, int S, int R, int T, int W,
                       const si_cli_geom *g, float *out) {
    double *sx = malloc((size_t)S * sizeof *sx), *rx = malloc((size_t)R * sizeof *rx);
    si_segy sv;
    memset(&sv, 0, sizeof sv);
    int rc = 0;
    if (!sx || !rx) {
        fprintf(stderr, "seisinv %s: out of memory\n", cmd);
        rc = SI_EXIT_FAIL;
    }
    if (!rc) rc = columns(cmd, "--src-x", g->src_x, S, W, 1, g->dx, sx);
    if (!rc) rc = columns(cmd, "--rec-x", g->rec_x, R, W, 0, g->dx, rx);
    si_err st = SI_OK;
    if (!rc && (st = si_segy_read(path, 1, &sv))) rc = si_cli_report(cmd, st);
    if (!rc) {
        si_survey_target tg = {.S = S,
                               .R = R,
                               .T = T,
                               .dt = g->dt,
                               .src_x = sx,
                               .rec_x = rx,
                               .x0 = g->x0,
                               .tol = g->tol > 0 ? g->tol : 0.5 * g->dx,
                               .force = g->force};
        char *report = NULL;
        st = si_survey_map(&sv, &tg, out, &report);
        printf("%s: mapped onto the model's %d shots x %d receivers x %d samples\n%s", path, S, R,
               T, report ? report : "");
        fflush(stdout);
        free(report);
        if (st) {
            rc = si_cli_report(cmd, st);
            if (st == SI_EDATA && !g->force)
                fprintf(stderr,
                        "seisinv %s: --force maps it anyway (nearest traces, whatever "
                        "the distance)\n",
                        cmd);
        }
    }
    si_segy_free(&sv);
    free(sx), free(rx);
    return rc;
}

si_err si_cli_write_velocity(const char *path, const float *vel, int H, int W, double dx,
                             double vmin, double vmax) {
    if (si_cli_segy_name(path)) return si_segy_write_velocity(path, vel, H, W, dx);
    if (si_cli_has_ext(path, ".png"))
        return si_png_write_velocity(path, vel, H, W, (float)dx, (float)vmin, (float)vmax);
    const int64_t shape[2] = {H, W};
    return si_npy_write(path, 2, shape, vel);
}

int si_cli_write_shots_segy(const char *cmd, const char *path, const si_sim_config *cfg,
                            const float *shots) {
    const int S = cfg->nsrc, R = cfg->nrec, T = cfg->nt;
    const double dx = cfg->dx;
    float *tr = malloc((size_t)S * R * T * sizeof *tr);
    si_segy_trace *hdr = calloc((size_t)S * R, sizeof *hdr);
    if (!tr || !hdr) {
        free(tr), free(hdr);
        fprintf(stderr, "seisinv %s: out of memory writing %s\n", cmd, path);
        return SI_EXIT_FAIL;
    }
    for (int s = 0; s < S; s++)
        for (int r = 0; r < R; r++) {
            si_segy_trace *h = &hdr[(size_t)s * R + r];
            h->field_record = s + 1;
            h->trace_number = r + 1;
            h->sx = cfg->src_x[s] * dx, h->gx = cfg->rec_x[r] * dx;
            h->offset = h->gx - h->sx;
            h->src_depth = cfg->src_z * dx, h->rec_depth = cfg->rec_z * dx;
            for (int t = 0; t < T; t++)
                tr[((size_t)s * R + r) * T + t] = shots[((size_t)s * T + t) * R + r];
        }
    char text[400];
    snprintf(text, sizeof text,
             "SIMULATED BY SEISINV SIMULATE: %d X %d GRID, DX = DZ = %g M, DT %g S\n"
             "RICKER %g HZ, ORDER %d, CPML %d CELLS%s\n"
             "SOURCES ON ROW %d, RECEIVERS ON ROW %d (DEPTH = ROW * DX)",
             cfg->nz, cfg->nx, (double)cfg->dx, (double)cfg->dt, (double)cfg->f0, cfg->order,
             cfg->npml, cfg->free_surface ? ", FREE SURFACE" : "", cfg->src_z, cfg->rec_z);
    si_segy_write_opts opt = {.format = SI_SEGY_IEEE, .revision = 1, .dt = cfg->dt, .text = text};
    si_err st = si_segy_write(path, &opt, (int64_t)S * R, T, tr, hdr);
    free(tr), free(hdr);
    return st ? si_cli_report(cmd, st) : 0;
}
