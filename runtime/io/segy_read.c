/* SEG-Y reader: the file's layout is worked out and checked from the raw
 * text and binary headers first (segyio 1.8 trusts them and asserts on
 * nonsense), then segyio reads the trace headers and samples. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <segyio/segy.h>

#include "../core/error_internal.h"
#include "segy_internal.h"

#define MAX_SAMPLES (1 << 24)

/* What the binary header says, in host terms. */
typedef struct layout {
    int format, lsb, ns, bps, feet;
    long long trace0, ntraces;
    double interval; /* as stored: µs (mm for a depth section); 0 unknown */
} layout;

const char *si_segy_format_name(int format) {
    switch (format) {
    case SI_SEGY_IBM:
        return "IBM float";
    case SI_SEGY_INT32:
        return "int32";
    case SI_SEGY_INT16:
        return "int16";
    case SI_SEGY_IEEE:
        return "IEEE float";
    case SI_SEGY_INT8:
        return "int8";
    default:
        return "unknown";
    }
}

void si_segy_note(si_segy *s, const char *fmt, ...) {
    size_t k = strlen(s->notes);
    if (k + 2 >= sizeof s->notes) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(s->notes + k, sizeof s->notes - k - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    k = strlen(s->notes);
    s->notes[k] = '\n', s->notes[k + 1] = 0;
}

void si_segy_free(si_segy *s) {
    free(s->traces);
    free(s->shots);
    free(s->data);
    memset(s, 0, sizeof *s);
}

static uint32_t rd32(const unsigned char *p, int lsb) {
    return lsb ? (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]
               : segy_be32(p);
}
static uint16_t rd16(const unsigned char *p, int lsb) {
    return lsb ? (uint16_t)(p[1] << 8 | p[0]) : segy_be16(p);
}
static double rd_f64(const unsigned char *p, int lsb) {
    unsigned char b[8];
    uint64_t u = 0;
    double d;
    for (int i = 0; i < 8; i++)
        b[i] = p[lsb ? 7 - i : i];
    for (int i = 0; i < 8; i++)
        u = u << 8 | b[i];
    memcpy(&d, &u, sizeof d);
    return d;
}

/* Byte order and sample format from the binary header. */
static si_err byte_order(const char *path, const unsigned char *bh, si_segy *s, layout *L) {
    static const unsigned char be[4] = {1, 2, 3, 4}, le[4] = {4, 3, 2, 1}, pair[4] = {2, 1, 4, 3};
    const unsigned char *c = bh + BH_BYTE_ORDER;
    int fmt_be = segy_be16(bh + BH_FORMAT), fmt_le = rd16(bh + BH_FORMAT, 1);
    if (memcmp(c, pair, 4) == 0)
        return si_fail(SI_EFORMAT, "%s: pairwise byte-swapped SEG-Y is not supported", path);
    if (memcmp(c, be, 4) == 0 || memcmp(c, le, 4) == 0) {
        L->lsb = c[0] == 4;
    } else if (segy_sample_bytes(fmt_be)) {
        L->lsb = 0;
    } else if (segy_sample_bytes(fmt_le)) {
        L->lsb = 1;
        si_segy_note(s, "byte order: little-endian, guessed from the sample format code");
    } else {
        L->lsb = 0;
    }
    L->format = L->lsb ? fmt_le : fmt_be;
    L->bps = segy_sample_bytes(L->format);
    if (!L->bps)
        return si_fail(SI_EFORMAT,
                       "%s: sample format code %d is not supported (1 IBM float, 2 int32, "
                       "3 int16, 5 IEEE float, 8 int8)%s",
                       path, L->format,
                       L->format == 0 ? ": the binary header is empty or this is not SEG-Y" : "");
    return SI_OK;
}

/* Revision, extended headers, sample count, sample interval, units. */
static si_err binary_header(const char *path, const unsigned char *bh, long long size, FILE *fp,
                            si_segy *s, layout *L) {
    si_err st = byte_order(path, bh, s, L);
    if (st) return st;
    int major = bh[BH_REVISION], minor = bh[BH_REVISION + 1];
    if (L->lsb && major == 0 && (minor == 1 || minor == 2)) major = minor, minor = 0;
    if (major > 2) {
        si_segy_note(s, "revision field %d.%d is unknown: read as rev 0", major, minor);
        major = minor = 0;
    }
    s->revision = major, s->minor = minor;
    L->trace0 = SEGY_TEXT_BYTES + SEGY_BIN_BYTES;
    if (major >= 1) {
        int ext = (int16_t)rd16(bh + BH_EXT_TEXT, L->lsb);
        if (ext < 0)
            return si_fail(SI_EFORMAT,
                           "%s: a variable number of extended text headers (%d) is not supported",
                           path, ext);
        L->trace0 += (long long)SEGY_TEXT_BYTES * ext;
    }
    if (major >= 2 && rd16(bh + BH_EXT_TRACE_HDRS, L->lsb) != 0)
        return si_fail(SI_EFORMAT, "%s: additional trace headers (%d per trace) are not supported",
                       path, rd16(bh + BH_EXT_TRACE_HDRS, L->lsb));
    if (L->trace0 + SEGY_TRACE_HDR_BYTES > size)
        return si_fail(SI_EFORMAT,
                       "%s: holds no traces (%lld bytes, the first trace starts at %lld)", path,
                       size, L->trace0);
    unsigned char th[SEGY_TRACE_HDR_BYTES];
    if (fseek(fp, (long)L->trace0, SEEK_SET) || fread(th, 1, sizeof th, fp) != sizeof th)
        return si_fail(SI_EIO, "%s: cannot read the first trace header: %s", path, strerror(errno));

    long long ns = rd16(bh + BH_SAMPLES, L->lsb);
    int32_t ext_ns = (int32_t)rd32(bh + BH_EXT_SAMPLES, L->lsb);
    if (major >= 2 && ext_ns > 0) ns = ext_ns;
    if (ns == 0) {
        ns = rd16(th + TH_SAMPLES, L->lsb);
        if (ns) si_segy_note(s, "sample count: 0 in the binary header, %lld from trace 0", ns);
    }
    if (ns <= 0 || ns > MAX_SAMPLES)
        return si_fail(SI_EFORMAT, "%s: sample count %lld is out of range (need 1 to %d)", path, ns,
                       MAX_SAMPLES);
    L->ns = (int)ns;

    double iv = rd16(bh + BH_INTERVAL, L->lsb), ext_iv = rd_f64(bh + BH_EXT_INTERVAL, L->lsb);
    if (major >= 2 && isfinite(ext_iv) && ext_iv > 0 && ext_iv < 1e9) iv = ext_iv;
    double tiv = rd16(th + TH_INTERVAL, L->lsb);
    if (iv == 0 && tiv != 0)
        iv = tiv, si_segy_note(s, "sample interval: 0 in the binary header, %g from trace 0", tiv);
    else if (iv != 0 && tiv != 0 && tiv != iv)
        si_segy_note(s, "sample interval: binary header %g, trace 0 %g: using the binary header",
                     iv, tiv);
    L->interval = iv;
    L->feet = rd16(bh + BH_MEASUREMENT, L->lsb) == 2;
    if (L->feet) si_segy_note(s, "lengths in feet: converted to metres");

    const long long tsize = SEGY_TRACE_HDR_BYTES + (long long)L->ns * L->bps;
    const long long body = size - L->trace0;
    if (body % tsize)
        return si_fail(SI_EFORMAT,
                       "%s: %lld bytes of traces is not a whole number of %lld-byte traces (240 + "
                       "%d samples x %d bytes): truncated, or trace lengths vary",
                       path, body, tsize, L->ns, L->bps);
    L->ntraces = body / tsize;
    if (L->ntraces > 0x7fffffffLL) return si_fail(SI_EFORMAT, "%s: more than 2^31 traces", path);
    s->format = (si_segy_format)L->format, s->lsb = L->lsb, s->ns = L->ns;
    return SI_OK;
}

/* The text header as printable ASCII (EBCDIC unless it starts with an ASCII 'C'). */
static void text_header(segy_file *sf, const unsigned char *raw, si_segy *s) {
    char buf[SEGY_TEXT_BYTES + 1];
    if (raw[0] == 'C' || segy_read_textheader(sf, buf) != SEGY_OK)
        memcpy(buf, raw, SEGY_TEXT_BYTES);
    for (int i = 0; i < SEGY_TEXT_BYTES; i++) {
        unsigned char ch = (unsigned char)buf[i];
        s->text[i] = ch >= 32 && ch < 127 ? (char)ch : ' ';
    }
    s->text[SEGY_TEXT_BYTES] = 0;
    s->depth = strstr(s->text, SI_SEGY_DEPTH_MARK) != NULL;
}

/* Scalar convention of bytes 69/71: positive multiplies, negative divides. */
static double scaled(int32_t v, int scalar) {
    if (scalar > 0) return (double)v * scalar;
    if (scalar < 0) return (double)v / -scalar;
    return v;
}

static si_err trace_headers(const char *path, segy_file *sf, const layout *L, si_segy *s) {
    const int bsize = L->ns * L->bps;
    const double unit = L->feet ? 0.3048 : 1.0;
    int geo = 0;
    for (long long i = 0; i < L->ntraces; i++) {
        unsigned char h[SEGY_TRACE_HDR_BYTES];
        if (segy_traceheader(sf, (int)i, (char *)h, L->trace0, bsize) != SEGY_OK)
            return si_fail(SI_EIO, "%s: cannot read trace header %lld", path, i);
        int tns = segy_be16(h + TH_SAMPLES);
        if (L->ns <= 65535 && tns != 0 && tns != L->ns)
            return si_fail(SI_EFORMAT,
                           "%s: trace %lld has %d samples, the binary header %d: varying trace "
                           "lengths are not supported",
                           path, i, tns, L->ns);
        si_segy_trace *t = &s->traces[i];
        const int cs = segy_i16(h + TH_COORD_SCALAR), es = segy_i16(h + TH_ELEV_SCALAR);
        const int units = segy_i16(h + TH_COORD_UNITS);
        geo |= units >= 2 && units <= 4;
        t->index = i;
        t->field_record = segy_i32(h + TH_FIELD_RECORD);
        t->trace_number = segy_i32(h + TH_TRACE_NUMBER);
        t->sx = scaled(segy_i32(h + TH_SX), cs) * unit;
        t->sy = scaled(segy_i32(h + TH_SY), cs) * unit;
        t->gx = scaled(segy_i32(h + TH_GX), cs) * unit;
        t->gy = scaled(segy_i32(h + TH_GY), cs) * unit;
        t->offset = segy_i32(h + TH_OFFSET) * unit;
        t->src_depth = scaled(segy_i32(h + TH_SRC_DEPTH), es) * unit;
        t->rec_depth = -scaled(segy_i32(h + TH_REC_ELEV), es) * unit;
        t->t0 = segy_i16(h + TH_DELAY) * 1e-3;
    }
    if (geo) {
        s->geographic = 1;
        si_segy_note(s, "coordinates are angles (units code 2-4), not lengths");
    }
    return SI_OK;
}

/* Samples of the traces in the grouped order, as float32, checked finite. */
static si_err samples(const char *path, segy_file *sf, const layout *L, const int64_t *order,
                      si_segy *s) {
    const int bsize = L->ns * L->bps;
    s->data = malloc((size_t)L->ntraces * L->ns * sizeof(float));
    void *raw = malloc((size_t)L->ns * 4);
    if (!s->data || !raw) {
        free(raw);
        return si_fail(SI_ENOMEM, "%s: out of memory for %lld traces of %d samples", path,
                       L->ntraces, L->ns);
    }
    si_err st = SI_OK;
    for (long long i = 0; i < L->ntraces && !st; i++) {
        float *dst = s->data + (size_t)i * L->ns;
        if (segy_readtrace(sf, (int)order[i], raw, L->trace0, bsize) != SEGY_OK ||
            segy_to_native(L->format, L->ns, raw) != SEGY_OK) {
            st = si_fail(SI_EIO, "%s: cannot read trace %lld", path, (long long)order[i]);
            break;
        }
        for (int k = 0; k < L->ns; k++) {
            switch (L->format) {
            case SI_SEGY_INT32: {
                int32_t v;
                memcpy(&v, (char *)raw + 4 * k, 4);
                dst[k] = (float)v;
            } break;
            case SI_SEGY_INT16: {
                int16_t v;
                memcpy(&v, (char *)raw + 2 * k, 2);
                dst[k] = v;
            } break;
            case SI_SEGY_INT8:
                dst[k] = ((signed char *)raw)[k];
                break;
            default:
                memcpy(&dst[k], (char *)raw + 4 * k, 4);
            }
            if (!isfinite(dst[k])) {
                const si_segy_trace *t = &s->traces[i];
                st = si_fail(
                    SI_EDATA, "%s: trace %lld (FieldRecord %d, TraceNumber %d) sample %d is %s",
                    path, (long long)t->index, (int)t->field_record, (int)t->trace_number, k,
                    isnan(dst[k]) ? "NaN" : "infinite (or an IBM float beyond float32)");
                break;
            }
        }
    }
    free(raw);
    return st;
}

static si_err read_all(const char *path, int with_data, si_segy *s) {
    struct stat sb;
    FILE *fp = fopen(path, "rb");
    if (!fp || fstat(fileno(fp), &sb) != 0) {
        si_err st = si_fail(SI_EIO, "cannot open %s: %s", path, strerror(errno));
        if (fp) fclose(fp);
        return st;
    }
    if (!S_ISREG(sb.st_mode)) {
        fclose(fp);
        return si_fail(SI_EIO, "%s is not a regular file", path);
    }
    unsigned char head[SEGY_TEXT_BYTES + SEGY_BIN_BYTES];
    const long long size = sb.st_size;
    if (size < (long long)sizeof head || fread(head, 1, sizeof head, fp) != sizeof head) {
        fclose(fp);
        return si_fail(SI_EFORMAT,
                       "%s: %lld bytes is too short for SEG-Y (3200-byte text header, 400-byte "
                       "binary header, then traces)",
                       path, size);
    }
    layout L = {0};
    si_err st = binary_header(path, head + SEGY_TEXT_BYTES, size, fp, s, &L);
    fclose(fp);
    if (st) return st;

    segy_file *sf = segy_open(path, "rb");
    if (!sf) return si_fail(SI_EIO, "segyio cannot open %s", path);
    int n = -1;
    if (segy_set_format(sf, L.format | (L.lsb ? SEGY_LSB : SEGY_MSB)) != SEGY_OK ||
        segy_traces(sf, &n, L.trace0, L.ns * L.bps) != SEGY_OK || n != L.ntraces) {
        segy_close(sf);
        return si_fail(SI_EFORMAT, "%s: segyio disagrees on the trace count (%d, expected %lld)",
                       path, n, L.ntraces);
    }
    text_header(sf, head, s);
    s->ntraces = L.ntraces;
    s->dt = s->depth ? L.interval * 1e-3 : L.interval * 1e-6;
    s->traces = calloc((size_t)L.ntraces, sizeof *s->traces);
    int64_t *order = NULL;
    if (!s->traces)
        st = si_fail(SI_ENOMEM, "%s: out of memory for %lld trace headers", path, L.ntraces);
    if (!st) st = trace_headers(path, sf, &L, s);
    if (!st) st = si_segy_group(s, &order);
    if (!st && with_data) st = samples(path, sf, &L, order, s);
    free(order);
    segy_close(sf);
    return st;
}

si_err si_segy_read(const char *path, int with_data, si_segy *out) {
    memset(out, 0, sizeof *out);
    si_err st = read_all(path, with_data, out);
    if (st) si_segy_free(out);
    return st;
}
