/* NumPy .npy reader and writer (float32, little-endian, C order). */
#include "seisinv/npy.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error_internal.h"
#include "atomic_file.h"

static const unsigned char npy_magic[6] = {0x93, 'N', 'U', 'M', 'P', 'Y'};

int64_t si_array_numel(const si_array *a) {
    int64_t n = 1;
    for (int i = 0; i < a->ndim; i++) n *= a->shape[i];
    return n;
}

void si_array_free(si_array *a) {
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* Finds `'key':` in the header dict and returns a pointer just after the colon. */
static const char *dict_value(const char *h, const char *key) {
    char pat[32];
    snprintf(pat, sizeof pat, "'%s'", key);
    const char *p = strstr(h, pat);
    if (!p) return NULL;
    p += strlen(pat);
    while (*p == ' ') p++;
    if (*p != ':') return NULL;
    p++;
    while (*p == ' ') p++;
    return p;
}

/* Parses the header dict text (NUL-terminated) into ndim/shape. */
static si_err parse_header(const char *h, si_array *out) {
    const char *d = dict_value(h, "descr");
    if (!d) return si_fail(SI_EFORMAT, "npy header has no 'descr'");
    if (strncmp(d, "'<f4'", 5) != 0) {
        char got[16] = {0};
        for (int i = 0; i < 15 && d[i] && d[i] != ','; i++) got[i] = d[i];
        return si_fail(SI_EFORMAT, "npy dtype %s is not supported (need little-endian float32 '<f4')",
                       got);
    }
    const char *f = dict_value(h, "fortran_order");
    if (!f) return si_fail(SI_EFORMAT, "npy header has no 'fortran_order'");
    if (strncmp(f, "False", 5) != 0)
        return si_fail(SI_EFORMAT, "npy array is in Fortran order (need C order)");
    const char *s = dict_value(h, "shape");
    if (!s || *s != '(') return si_fail(SI_EFORMAT, "npy header has no valid 'shape'");
    s++;
    out->ndim = 0;
    for (;;) {
        while (*s == ' ') s++;
        if (*s == ')') break;
        if (!isdigit((unsigned char)*s)) return si_fail(SI_EFORMAT, "npy shape is malformed");
        errno = 0;
        char *end;
        long long v = strtoll(s, &end, 10);
        if (errno || v < 0 || v > ((int64_t)1 << 40))
            return si_fail(SI_EFORMAT, "npy shape dimension out of range");
        if (out->ndim == SI_NPY_MAX_DIMS)
            return si_fail(SI_EFORMAT, "npy array has more than %d dimensions", SI_NPY_MAX_DIMS);
        out->shape[out->ndim++] = v;
        s = end;
        while (*s == ' ') s++;
        if (*s == ',') s++;
        else if (*s != ')') return si_fail(SI_EFORMAT, "npy shape is malformed");
    }
    int64_t n = 1;
    for (int i = 0; i < out->ndim; i++) {
        if (out->shape[i] != 0 && n > ((int64_t)1 << 40) / out->shape[i])
            return si_fail(SI_EFORMAT, "npy array is too large");
        n *= out->shape[i];
    }
    return SI_OK;
}

/* Reads the preamble (magic, version, header) from `hdr`, which holds at least
 * `avail` bytes of the file start; sets *data_off. */
static si_err parse_preamble(const unsigned char *hdr, size_t avail, si_array *out,
                                size_t *data_off) {
    if (avail < 10 || memcmp(hdr, npy_magic, 6) != 0)
        return si_fail(SI_EFORMAT, "not a .npy file (bad magic)");
    unsigned major = hdr[6];
    size_t hlen, pre;
    if (major == 1) {
        hlen = hdr[8] | (size_t)hdr[9] << 8;
        pre = 10;
    } else if (major == 2 || major == 3) {
        if (avail < 12) return si_fail(SI_EFORMAT, "npy file truncated in its header");
        hlen = hdr[8] | (size_t)hdr[9] << 8 | (size_t)hdr[10] << 16 | (size_t)hdr[11] << 24;
        pre = 12;
    } else {
        return si_fail(SI_EFORMAT, "npy format version %u is not supported", major);
    }
    if (hlen > 65536 || pre + hlen > avail)
        return si_fail(SI_EFORMAT, "npy file truncated in its header");
    char *h = malloc(hlen + 1);
    if (!h) return si_fail(SI_ENOMEM, "out of memory");
    memcpy(h, hdr + pre, hlen);
    h[hlen] = 0;
    si_err st = parse_header(h, out);
    free(h);
    *data_off = pre + hlen;
    return st;
}

/* Formats flat index i as "[i0, i1, ...]" in the array's shape. */
static void format_index(const si_array *a, int64_t i, char *buf, size_t cap) {
    int64_t idx[SI_NPY_MAX_DIMS];
    for (int d = a->ndim - 1; d >= 0; d--) {
        idx[d] = a->shape[d] ? i % a->shape[d] : 0;
        i = a->shape[d] ? i / a->shape[d] : 0;
    }
    size_t k = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < a->ndim && k < cap; d++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%lld", d ? ", " : "", (long long)idx[d]);
    if (k < cap) snprintf(buf + k, cap - k, "]");
}

static si_err check_finite(const si_array *a) {
    int64_t n = si_array_numel(a);
    for (int64_t i = 0; i < n; i++) {
        if (!isfinite(a->data[i])) {
            char where[160];
            format_index(a, i, where, sizeof where);
            return si_fail(SI_EDATA, "sample %lld %s is %s", (long long)i, where,
                           isnan(a->data[i]) ? "NaN" : "Inf");
        }
    }
    return SI_OK;
}

si_err si_npy_parse(const void *buf, size_t len, si_array *out) {
    memset(out, 0, sizeof *out);
    size_t off;
    si_err st = parse_preamble(buf, len, out, &off);
    if (st) return st;
    int64_t n = si_array_numel(out);
    if ((uint64_t)(len - off) < (uint64_t)n * 4)
        return si_fail(SI_EFORMAT, "npy data truncated: %lld float32 expected, %zu bytes present",
                       (long long)n, len - off);
    out->data = malloc(n ? (size_t)n * 4 : 4);
    if (!out->data) return si_fail(SI_ENOMEM, "out of memory for %lld floats", (long long)n);
    memcpy(out->data, (const unsigned char *)buf + off, (size_t)n * 4);
    st = check_finite(out);
    if (st) si_array_free(out);
    return st;
}

si_err si_npy_read(const char *path, si_array *out) {
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp) return si_fail(SI_EIO, "cannot open %s: %s", path, strerror(errno));
    unsigned char pre[12];
    size_t got = fread(pre, 1, sizeof pre, fp);
    size_t hlen = 0, prelen = 0;
    if (got >= 10 && memcmp(pre, npy_magic, 6) == 0) {
        if (pre[6] == 1) hlen = pre[8] | (size_t)pre[9] << 8, prelen = 10;
        else if (got == 12) hlen = pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 |
                                   (size_t)pre[11] << 24, prelen = 12;
    }
    if (hlen > 65536) hlen = 65536;
    unsigned char *hdr = malloc(prelen + hlen + 1);
    if (!hdr) {
        fclose(fp);
        return si_fail(SI_ENOMEM, "out of memory");
    }
    memcpy(hdr, pre, got < prelen ? got : prelen);
    size_t avail = got < prelen ? got : prelen;
    if (prelen && got >= prelen) {
        fseek(fp, (long)prelen, SEEK_SET);
        avail += fread(hdr + prelen, 1, hlen, fp);
    }
    size_t off;
    si_err st = parse_preamble(hdr, avail, out, &off);
    free(hdr);
    if (st) {
        fclose(fp);
        return si_fail_prefix(st, "%s", path);
    }
    int64_t n = si_array_numel(out);
    out->data = malloc(n ? (size_t)n * 4 : 4);
    if (!out->data) {
        fclose(fp);
        return si_fail(SI_ENOMEM, "%s: out of memory for %lld floats", path, (long long)n);
    }
    fseek(fp, (long)off, SEEK_SET);
    size_t rd = fread(out->data, 4, (size_t)n, fp);
    fclose(fp);
    if (rd != (size_t)n) {
        si_array_free(out);
        return si_fail(SI_EFORMAT, "%s: data truncated: %lld float32 expected, %zu present", path,
                       (long long)n, rd);
    }
    st = check_finite(out);
    if (st) {
        si_array_free(out);
        return si_fail_prefix(st, "%s", path);
    }
    return SI_OK;
}

si_err si_npy_read_header(const char *path, si_array *out, int64_t *data_offset) {
    memset(out, 0, sizeof *out);
    FILE *fp = fopen(path, "rb");
    if (!fp) return si_fail(SI_EIO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 12 + 65536;
    unsigned char *hdr = malloc(cap);
    if (!hdr) {
        fclose(fp);
        return si_fail(SI_ENOMEM, "out of memory");
    }
    size_t avail = fread(hdr, 1, cap, fp);
    size_t off;
    si_err st = parse_preamble(hdr, avail, out, &off);
    free(hdr);
    long size = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
    fclose(fp);
    if (st) return si_fail_prefix(st, "%s", path);
    uint64_t need = (uint64_t)off + (uint64_t)si_array_numel(out) * 4;
    if (size < 0 || (uint64_t)size != need)
        return si_fail(SI_EFORMAT, "%s: file holds %ld bytes, header says %llu", path, size,
                       (unsigned long long)need);
    if (data_offset) *data_offset = (int64_t)off;
    return SI_OK;
}

/* Builds a v1.0 header padded so the data starts at a multiple of 64 bytes. */
static size_t make_header(unsigned char *buf, size_t cap, int ndim, const int64_t *shape) {
    char dict[512];
    int k = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < ndim; i++)
        k += snprintf(dict + k, sizeof dict - k, "%lld,%s", (long long)shape[i],
                      (ndim > 1 && i < ndim - 1) ? " " : "");
    k += snprintf(dict + k, sizeof dict - k, "), }");
    size_t total = 10 + (size_t)k + 1;
    size_t padded = (total + 63) / 64 * 64;
    if (padded > cap) return 0;
    memcpy(buf, npy_magic, 6);
    buf[6] = 1, buf[7] = 0;
    size_t hlen = padded - 10;
    buf[8] = hlen & 0xff, buf[9] = (hlen >> 8) & 0xff;
    memcpy(buf + 10, dict, (size_t)k);
    memset(buf + 10 + k, ' ', padded - 10 - (size_t)k - 1);
    buf[padded - 1] = '\n';
    return padded;
}

struct si_npy_writer {
    si_afile f;
    uint64_t remaining;
};

si_err si_npy_writer_open(si_npy_writer **wp, const char *path, int ndim,
                             const int64_t *shape) {
    *wp = NULL;
    if (ndim < 0 || ndim > SI_NPY_MAX_DIMS) return si_fail(SI_EINVAL, "bad npy rank %d", ndim);
    unsigned char hdr[640];
    size_t hl = make_header(hdr, sizeof hdr, ndim, shape);
    if (!hl) return si_fail(SI_EINVAL, "npy shape too long");
    si_npy_writer *w = calloc(1, sizeof *w);
    if (!w) return si_fail(SI_ENOMEM, "out of memory");
    si_err st = si_afile_open(&w->f, path);
    if (st) {
        free(w);
        return st;
    }
    w->remaining = 1;
    for (int i = 0; i < ndim; i++) w->remaining *= (uint64_t)shape[i];
    if (fwrite(hdr, 1, hl, w->f.fp) != hl) {
        si_afile_abort(&w->f);
        free(w);
        return si_fail(SI_EIO, "cannot write %s: %s", path, strerror(errno));
    }
    *wp = w;
    return SI_OK;
}

si_err si_npy_writer_append(si_npy_writer *w, const float *data, size_t count) {
    if (count > w->remaining)
        return si_fail(SI_EINVAL, "npy writer: %zu values appended, only %llu left", count,
                       (unsigned long long)w->remaining);
    if (fwrite(data, 4, count, w->f.fp) != count)
        return si_fail(SI_EIO, "cannot write %s: %s", w->f.path, strerror(errno));
    w->remaining -= count;
    return SI_OK;
}

si_err si_npy_writer_commit(si_npy_writer *w) {
    si_err st;
    if (w->remaining) {
        st = si_fail(SI_EINVAL, "npy writer: %llu values missing at commit",
                     (unsigned long long)w->remaining);
        si_afile_abort(&w->f);
    } else {
        st = si_afile_commit(&w->f);
    }
    free(w);
    return st;
}

void si_npy_writer_abort(si_npy_writer *w) {
    if (!w) return;
    si_afile_abort(&w->f);
    free(w);
}

si_err si_npy_write(const char *path, int ndim, const int64_t *shape, const float *data) {
    si_npy_writer *w;
    si_err st = si_npy_writer_open(&w, path, ndim, shape);
    if (st) return st;
    st = si_npy_writer_append(w, data, (size_t)w->remaining);
    if (st) {
        si_npy_writer_abort(w);
        return st;
    }
    return si_npy_writer_commit(w);
}
