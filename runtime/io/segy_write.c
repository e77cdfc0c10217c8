/* SEG-Y writer (big-endian, rev 1 or 2, IEEE or IBM floats) through segyio,
 * into a temporary file renamed over the target when complete. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <segyio/segy.h>

#include "../core/error_internal.h"
#include "atomic_file.h"
#include "segy_internal.h"

#define MAX_INTERVAL 32767 /* signed 16 bits: what every reader (segyio too) accepts */

/* What the caller's options and data resolve to. */
typedef struct plan {
    int format, revision, ns, depth;
    int interval; /* µs, or mm for a depth section */
    int coord_scalar, elev_scalar;
    double coord_mul, elev_mul; /* value × mul = the stored integer */
} plan;

/* The coarsest scalar 1, -10, ..., -10000 storing every value exactly (to
 * 1e-4 of the stored unit), else the finest that fits 32 bits. */
static si_err pick_scalar(const char *path, const char *what, const double *v, size_t n, size_t per,
                          int *scalar, double *mul) {
    double vmax = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            return si_fail(SI_EINVAL, "%s: %s of trace %zu is not finite", path, what, i / per);
        vmax = fmax(vmax, fabs(v[i]));
    }
    if (vmax > 2147483647.0)
        return si_fail(SI_EINVAL, "%s: %s %g m does not fit a 32-bit header field", path, what,
                       vmax);
    double m = 1;
    int best = 0;
    for (int k = 0; k <= 4; k++, m *= 10) {
        if (vmax * m > 2147483647.0) break;
        best = k;
        int exact = 1;
        for (size_t i = 0; i < n && exact; i++)
            exact = fabs(v[i] * m - rint(v[i] * m)) <= 1e-4;
        if (exact) break;
    }
    *mul = pow(10, best);
    *scalar = best == 0 ? 1 : -(int)*mul;
    return SI_OK;
}

/* Scalars for the coordinates (71) and the depths (69), each shared by all traces. */
static si_err pick_scalars(const char *path, plan *p, int64_t ntraces, const si_segy_trace *hdr) {
    const size_t n = (size_t)ntraces;
    double *v = calloc(4 * n, sizeof *v);
    if (!v) return si_fail(SI_ENOMEM, "out of memory writing %s", path);
    for (size_t i = 0; i < n; i++)
        v[4 * i] = hdr[i].sx, v[4 * i + 1] = hdr[i].sy, v[4 * i + 2] = hdr[i].gx,
              v[4 * i + 3] = hdr[i].gy;
    si_err st = pick_scalar(path, "a coordinate", v, 4 * n, 4, &p->coord_scalar, &p->coord_mul);
    for (size_t i = 0; i < n; i++)
        v[2 * i] = hdr[i].src_depth, v[2 * i + 1] = hdr[i].rec_depth;
    if (!st) st = pick_scalar(path, "a depth", v, 2 * n, 2, &p->elev_scalar, &p->elev_mul);
    free(v);
    return st;
}

/* Standard text header: what the file holds, then the caller's lines. */
static void text_header(char *buf, const plan *p, int64_t ntraces, const char *extra) {
    char lines[40][81];
    memset(lines, 0, sizeof lines);
    int n = 0;
    snprintf(lines[n++], 81, "SEISINV %s  SEG-Y REV %d, %s (FORMAT %d), BIG-ENDIAN", si_version(),
             p->revision, si_segy_format_name(p->format), p->format);
    snprintf(lines[n++], 81, "%lld TRACES OF %d SAMPLES, SAMPLE INTERVAL %d %s", (long long)ntraces,
             p->ns, p->interval, p->depth ? "MM (DEPTH)" : "US");
    if (p->depth) {
        snprintf(lines[n++], 81, "%s: VELOCITY IN M/S, ONE TRACE PER MODEL COLUMN,",
                 SI_SEGY_DEPTH_MARK);
        snprintf(lines[n++], 81, "SAMPLE INTERVAL = DZ IN MILLIMETRES, CDP X = COLUMN * DX (M)");
    } else {
        snprintf(lines[n++], 81, "FIELDRECORD (9) = SHOT, TRACENUMBER (13) = RECEIVER IN SHOT");
        snprintf(lines[n++], 81, "SOURCEX/Y (73/77), GROUPX/Y (81/85) IN METRES, SCALAR AT 71");
        snprintf(lines[n++], 81, "OFFSET (37) = GROUPX - SOURCEX IN WHOLE METRES");
    }
    for (const char *q = extra; q && *q && n < 38;) {
        size_t len = strcspn(q, "\n");
        snprintf(lines[n++], 81, "%.*s", (int)(len > 76 ? 76 : len), q);
        q += len + (q[len] == '\n');
    }
    snprintf(lines[38], 81, "%s", p->revision == 2 ? "SEG-Y_REV2.0" : "SEG Y REV1");
    snprintf(lines[39], 81, "END TEXTUAL HEADER");
    for (int i = 0; i < 40; i++) {
        char *out = buf + i * 80;
        out[0] = 'C', out[1] = i + 1 < 10 ? ' ' : (char)('0' + (i + 1) / 10);
        out[2] = (char)('0' + (i + 1) % 10), out[3] = ' ';
        const size_t len = strlen(lines[i]);
        for (size_t k = 0; k < 76; k++) { /* upper case, as text headers are by habit */
            unsigned char ch = k < len ? (unsigned char)toupper((unsigned char)lines[i][k]) : ' ';
            out[4 + k] = ch >= 32 && ch < 127 ? (char)ch : ' ';
        }
    }
    buf[SEGY_TEXT_BYTES] = 0;
}

static void binary_header(unsigned char *bh, const plan *p, int per_ensemble) {
    memset(bh, 0, SEGY_BIN_BYTES);
    segy_put32(bh + 0, 1); /* job */
    segy_put32(bh + 4, 1); /* line */
    segy_put32(bh + 8, 1); /* reel */
    segy_put16(bh + BH_TRACES_PER_ENSEMBLE, per_ensemble > 32767 ? 0 : per_ensemble);
    segy_put16(bh + BH_INTERVAL, p->interval);
    segy_put16(bh + BH_INTERVAL + 2, p->interval); /* of the original recording */
    segy_put16(bh + BH_SAMPLES, p->ns > 65535 ? 0 : p->ns);
    segy_put16(bh + BH_SAMPLES + 2, p->ns > 65535 ? 0 : p->ns);
    segy_put16(bh + BH_FORMAT, p->format);
    segy_put16(bh + BH_ENSEMBLE_FOLD, 1);
    segy_put16(bh + BH_SORTING, p->depth ? 2 : 1); /* CDP ensemble / as recorded */
    segy_put16(bh + BH_MEASUREMENT, 1);            /* metres */
    bh[BH_REVISION] = (unsigned char)p->revision;
    segy_put16(bh + BH_FIXED_LENGTH, 1);
    if (p->revision == 2) {
        segy_put32(bh + BH_EXT_SAMPLES, p->ns);
        double iv = p->interval;
        uint64_t u;
        memcpy(&u, &iv, sizeof u);
        for (int i = 0; i < 8; i++)
            bh[BH_EXT_INTERVAL + i] = (unsigned char)(u >> (56 - 8 * i));
        segy_put32(bh + BH_BYTE_ORDER, 0x01020304);
    }
}

static void trace_header(unsigned char *h, const plan *p, int64_t i, const si_segy_trace *t) {
    memset(h, 0, SEGY_TRACE_HDR_BYTES);
    segy_put32(h + TH_SEQ_LINE, (int32_t)(i + 1));
    segy_put32(h + TH_SEQ_FILE, (int32_t)(i + 1));
    segy_put32(h + TH_FIELD_RECORD, t->field_record);
    segy_put32(h + TH_TRACE_NUMBER, t->trace_number);
    segy_put16(h + TH_TRACE_ID, 1); /* seismic data */
    segy_put32(h + TH_OFFSET, (int32_t)rint(t->offset));
    segy_put32(h + TH_REC_ELEV, (int32_t)rint(-t->rec_depth * p->elev_mul));
    segy_put32(h + TH_SRC_DEPTH, (int32_t)rint(t->src_depth * p->elev_mul));
    segy_put16(h + TH_ELEV_SCALAR, p->elev_scalar);
    segy_put16(h + TH_COORD_SCALAR, p->coord_scalar);
    segy_put32(h + TH_SX, (int32_t)rint(t->sx * p->coord_mul));
    segy_put32(h + TH_SY, (int32_t)rint(t->sy * p->coord_mul));
    segy_put32(h + TH_GX, (int32_t)rint(t->gx * p->coord_mul));
    segy_put32(h + TH_GY, (int32_t)rint(t->gy * p->coord_mul));
    segy_put16(h + TH_COORD_UNITS, 1); /* length */
    segy_put16(h + TH_DELAY, (int)rint(t->t0 * 1e3));
    segy_put16(h + TH_SAMPLES, p->ns > 65535 ? 0 : p->ns);
    segy_put16(h + TH_INTERVAL, p->interval);
    if (p->depth) { /* a post-stack section: CDP numbering and position */
        segy_put32(h + TH_CDP, t->trace_number);
        segy_put32(h + TH_CDP_X, (int32_t)rint(t->gx * p->coord_mul));
        segy_put32(h + TH_CDP_Y, (int32_t)rint(t->gy * p->coord_mul));
        segy_put32(h + TH_INLINE, 1);
        segy_put32(h + TH_CROSSLINE, t->trace_number);
    }
}

/* Checks everything that can be checked before a byte is written. */
static si_err check(const char *path, const plan *p, int64_t ntraces, const float *data,
                    const si_segy_trace *hdr) {
    if (ntraces < 1 || ntraces > 0x7fffffff)
        return si_fail(SI_EINVAL, "%s: %lld traces (need 1 to 2^31 - 1)", path, (long long)ntraces);
    if (p->ns < 1 || p->ns > (p->revision == 2 ? (1 << 24) : 65535))
        return si_fail(SI_EINVAL, "%s: %d samples per trace (rev %d allows 1 to %d)", path, p->ns,
                       p->revision, p->revision == 2 ? 1 << 24 : 65535);
    for (int64_t i = 0; i < ntraces; i++) {
        const si_segy_trace *t = &hdr[i];
        if (!isfinite(t->offset) || fabs(t->offset) > 2147483647.0 || !isfinite(t->t0) ||
            fabs(t->t0) > 32.767)
            return si_fail(SI_EINVAL, "%s: trace %lld: offset %g m or delay %g s out of range",
                           path, (long long)i, t->offset, t->t0);
    }
    for (size_t k = 0; k < (size_t)ntraces * p->ns; k++)
        if (!isfinite(data[k]))
            return si_fail(SI_EDATA, "%s: trace %zu sample %zu is not finite", path,
                           k / (size_t)p->ns, k % (size_t)p->ns);
    return SI_OK;
}

static si_err write_file(const char *path, plan *p, int64_t ntraces, const float *data,
                         const si_segy_trace *hdr, const char *extra) {
    si_err st = check(path, p, ntraces, data, hdr);
    if (!st) st = pick_scalars(path, p, ntraces, hdr);
    if (st) return st;

    si_afile af;
    if ((st = si_afile_open(&af, path))) return st;
    segy_file *sf = segy_open(af.tmp, "r+b");
    char text[SEGY_TEXT_BYTES + 1];
    unsigned char bh[SEGY_BIN_BYTES], th[SEGY_TRACE_HDR_BYTES];
    const int bsize = segy_trsize(p->format, p->ns);
    const long trace0 = SEGY_TEXT_BYTES + SEGY_BIN_BYTES;
    float *buf = malloc((size_t)p->ns * sizeof(float));
    int per_ensemble = 0;
    while (per_ensemble < ntraces && hdr[per_ensemble].field_record == hdr[0].field_record)
        per_ensemble++;
    text_header(text, p, ntraces, extra);
    binary_header(bh, p, per_ensemble);
    int bad = !sf || !buf || segy_set_format(sf, p->format) != SEGY_OK ||
              segy_write_textheader(sf, 0, text) != SEGY_OK ||
              segy_write_binheader(sf, (const char *)bh) != SEGY_OK;
    for (int64_t i = 0; i < ntraces && !bad; i++) {
        trace_header(th, p, i, &hdr[i]);
        memcpy(buf, data + (size_t)i * p->ns, (size_t)p->ns * sizeof(float));
        bad = segy_write_traceheader(sf, (int)i, (const char *)th, trace0, bsize) != SEGY_OK ||
              segy_from_native(p->format, p->ns, buf) != SEGY_OK ||
              segy_writetrace(sf, (int)i, buf, trace0, bsize) != SEGY_OK;
    }
    free(buf);
    if (sf && segy_close(sf) != SEGY_OK) bad = 1;
    if (bad) {
        si_afile_abort(&af);
        return si_fail(SI_EIO, "cannot write %s (segyio failed)", path);
    }
    return si_afile_commit(&af);
}

si_err si_segy_write(const char *path, const si_segy_write_opts *opt, int64_t ntraces, int ns,
                     const float *data, const si_segy_trace *hdr) {
    plan p = {.format = opt->format ? (int)opt->format : SI_SEGY_IEEE,
              .revision = opt->revision ? opt->revision : 1,
              .ns = ns};
    if (p.format != SI_SEGY_IEEE && p.format != SI_SEGY_IBM)
        return si_fail(SI_EINVAL, "%s: the writer stores IEEE (5) or IBM (1) floats, not format %d",
                       path, p.format);
    if (p.revision != 1 && p.revision != 2)
        return si_fail(SI_EINVAL, "%s: SEG-Y revision %d (write 1 or 2)", path, p.revision);
    const double us = opt->dt * 1e6;
    if (!isfinite(us) || us < 0.5 || us > MAX_INTERVAL + 0.5 || fabs(us - rint(us)) > 1e-3)
        return si_fail(SI_EINVAL,
                       "%s: sample interval %g s is not a whole number of microseconds in [1, %d]",
                       path, opt->dt, MAX_INTERVAL);
    p.interval = (int)rint(us);
    return write_file(path, &p, ntraces, data, hdr, opt->text);
}

si_err si_segy_write_velocity(const char *path, const float *vel, int nz, int nx, double dx) {
    const double mm = dx * 1e3;
    if (!isfinite(mm) || mm < 0.5 || mm > MAX_INTERVAL + 0.5 || fabs(mm - rint(mm)) > 1e-3)
        return si_fail(SI_EINVAL,
                       "%s: dz %g m cannot be stored: a depth section keeps dz in whole "
                       "millimetres up to %d (32.767 m); write .npy instead",
                       path, dx, MAX_INTERVAL);
    if (nz < 1 || nx < 1) return si_fail(SI_EINVAL, "%s: empty model %d x %d", path, nz, nx);
    float *cols = malloc((size_t)nz * nx * sizeof(float));
    si_segy_trace *hdr = calloc((size_t)nx, sizeof *hdr);
    if (!cols || !hdr) {
        free(cols), free(hdr);
        return si_fail(SI_ENOMEM, "out of memory writing %s", path);
    }
    for (int x = 0; x < nx; x++) {
        for (int z = 0; z < nz; z++)
            cols[(size_t)x * nz + z] = vel[(size_t)z * nx + x];
        hdr[x].field_record = 1;
        hdr[x].trace_number = x + 1;
        hdr[x].sx = hdr[x].gx = x * dx;
    }
    plan p = {
        .format = SI_SEGY_IEEE, .revision = 1, .ns = nz, .depth = 1, .interval = (int)rint(mm)};
    si_err st = write_file(path, &p, nx, cols, hdr, NULL);
    free(cols), free(hdr);
    return st;
}
