/* safetensors reader: validates the header completely, then hands out
 * pointers into the file buffer (no copy of the tensor data). */
#include "seisinv/safetensors.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/error_internal.h"

/* Same cap as the reference implementation: a header is names and shapes,
 * anything larger is a corrupt length field. */
#define ST_MAX_HEADER 100000000ull

struct st_kv {
    const char *key, *value;
};

struct si_st_file {
    unsigned char *owned; /* the file bytes when opened from a path */
    si_st_tensor *t;
    size_t n;
    struct st_kv *meta;
    size_t nmeta;
    char *pool; /* names, keys and values */
};

static const struct {
    const char *name;
    int bits;
} dtypes[SI_ST_DTYPE_COUNT] = {
    [SI_ST_BOOL] = {"BOOL", 8},       [SI_ST_U8] = {"U8", 8},
    [SI_ST_I8] = {"I8", 8},           [SI_ST_I16] = {"I16", 16},
    [SI_ST_U16] = {"U16", 16},        [SI_ST_I32] = {"I32", 32},
    [SI_ST_U32] = {"U32", 32},        [SI_ST_I64] = {"I64", 64},
    [SI_ST_U64] = {"U64", 64},        [SI_ST_F16] = {"F16", 16},
    [SI_ST_BF16] = {"BF16", 16},      [SI_ST_F32] = {"F32", 32},
    [SI_ST_F64] = {"F64", 64},        [SI_ST_C64] = {"C64", 64},
    [SI_ST_F8_E5M2] = {"F8_E5M2", 8}, [SI_ST_F8_E4M3] = {"F8_E4M3", 8},
    [SI_ST_F8_E8M0] = {"F8_E8M0", 8}, [SI_ST_F6_E2M3] = {"F6_E2M3", 6},
    [SI_ST_F6_E3M2] = {"F6_E3M2", 6}, [SI_ST_F4] = {"F4", 4},
};

const char *si_st_dtype_name(si_st_dtype d) {
    return (unsigned)d < SI_ST_DTYPE_COUNT ? dtypes[d].name : "?";
}

int si_st_dtype_bits(si_st_dtype d) {
    return (unsigned)d < SI_ST_DTYPE_COUNT ? dtypes[d].bits : 0;
}

static int dtype_from_name(const char *s) {
    for (int i = 0; i < SI_ST_DTYPE_COUNT; i++)
        if (strcmp(s, dtypes[i].name) == 0) return i;
    return -1;
}

/* Bump allocation in the string pool. Every string comes from the header,
 * where its quoted encoding is at least one byte longer than the decoded
 * text, so a pool of header-length bytes always suffices; the check guards
 * that reasoning anyway. */
static const char *pool_dup(si_st_file *f, size_t *used, size_t cap, const char *s) {
    size_t n = strlen(s) + 1;
    if (n > cap - *used) return NULL;
    char *p = f->pool + *used;
    memcpy(p, s, n);
    *used += n;
    return p;
}

/* Writes "[a, b, c]" into buf. */
static const char *shape_str(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t k = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, "]");
    return buf;
}

/* Reads the "shape" list and the element count. */
static si_err parse_shape(const char *name, json_t *js, si_st_tensor *t) {
    if (!json_is_array(js))
        return si_fail(SI_EFORMAT, "tensor '%s': \"shape\" is missing or not a list", name);
    size_t nd = json_array_size(js);
    if (nd > SI_ST_MAX_DIMS)
        return si_fail(SI_EFORMAT, "tensor '%s' has %zu dimensions (at most %d supported)", name,
                       nd, SI_ST_MAX_DIMS);
    t->ndim = (int)nd;
    t->numel = 1;
    for (size_t i = 0; i < nd; i++) {
        json_t *d = json_array_get(js, i);
        if (!json_is_integer(d) || json_integer_value(d) < 0)
            return si_fail(SI_EFORMAT, "tensor '%s': shape entry %zu is not a non-negative integer",
                           name, i);
        int64_t v = json_integer_value(d);
        /* keeps numel * 64 bits inside uint64 */
        if (v && t->numel > INT64_MAX / 64 / v)
            return si_fail(SI_EFORMAT, "tensor '%s': shape is too large", name);
        t->shape[i] = v;
        t->numel *= v;
    }
    return SI_OK;
}

/* Reads one tensor entry: dtype, shape, offsets, and checks the size. */
static si_err parse_tensor(const char *name, json_t *info, uint64_t buflen, si_st_tensor *t,
                           uint64_t off[2]) {
    if (!*name) return si_fail(SI_EFORMAT, "a tensor has an empty name");
    if (!json_is_object(info))
        return si_fail(SI_EFORMAT, "tensor '%s': entry is not an object", name);
    json_t *jd = json_object_get(info, "dtype");
    if (!json_is_string(jd))
        return si_fail(SI_EFORMAT, "tensor '%s': \"dtype\" is missing or not a string", name);
    int dt = dtype_from_name(json_string_value(jd));
    if (dt < 0)
        return si_fail(SI_EFORMAT, "tensor '%s': unknown dtype '%s'", name, json_string_value(jd));
    t->dtype = (si_st_dtype)dt;
    si_err st = parse_shape(name, json_object_get(info, "shape"), t);
    if (st) return st;
    json_t *jo = json_object_get(info, "data_offsets");
    if (!json_is_array(jo) || json_array_size(jo) != 2 || !json_is_integer(json_array_get(jo, 0)) ||
        !json_is_integer(json_array_get(jo, 1)) || json_integer_value(json_array_get(jo, 0)) < 0 ||
        json_integer_value(json_array_get(jo, 1)) < 0)
        return si_fail(SI_EFORMAT,
                       "tensor '%s': \"data_offsets\" must be two non-negative integers", name);
    off[0] = (uint64_t)json_integer_value(json_array_get(jo, 0));
    off[1] = (uint64_t)json_integer_value(json_array_get(jo, 1));
    if (off[1] < off[0])
        return si_fail(SI_EFORMAT, "tensor '%s': data_offsets [%llu, %llu] end before they begin",
                       name, (unsigned long long)off[0], (unsigned long long)off[1]);
    int bits = dtypes[dt].bits;
    uint64_t nbits = (uint64_t)t->numel * (uint64_t)bits;
    char sh[256];
    if (nbits % 8)
        return si_fail(SI_EFORMAT, "tensor '%s': %lld elements of %s do not fill whole bytes", name,
                       (long long)t->numel, dtypes[dt].name);
    if (nbits / 8 != off[1] - off[0])
        return si_fail(SI_EFORMAT,
                       "tensor '%s': shape %s of %s needs %llu bytes but data_offsets [%llu, %llu] "
                       "hold %llu",
                       name, shape_str(sh, sizeof sh, t->ndim, t->shape), dtypes[dt].name,
                       (unsigned long long)(nbits / 8), (unsigned long long)off[0],
                       (unsigned long long)off[1], (unsigned long long)(off[1] - off[0]));
    if (off[1] > buflen)
        return si_fail(SI_EFORMAT,
                       "tensor '%s': data_offsets [%llu, %llu] run past the end of the %llu-byte "
                       "data buffer",
                       name, (unsigned long long)off[0], (unsigned long long)off[1],
                       (unsigned long long)buflen);
    t->nbytes = (size_t)(off[1] - off[0]);
    return SI_OK;
}

static si_err parse_metadata(si_st_file *f, json_t *m, size_t *used, size_t cap) {
    if (!json_is_object(m)) return si_fail(SI_EFORMAT, "\"__metadata__\" is not an object");
    f->meta = calloc(json_object_size(m) + 1, sizeof *f->meta);
    if (!f->meta) return si_fail(SI_ENOMEM, "out of memory");
    const char *key;
    json_t *v;
    json_object_foreach(m, key, v) {
        if (!json_is_string(v)) return si_fail(SI_EFORMAT, "metadata '%s' is not a string", key);
        struct st_kv *kv = &f->meta[f->nmeta++];
        kv->key = pool_dup(f, used, cap, key);
        kv->value = pool_dup(f, used, cap, json_string_value(v));
        if (!kv->key || !kv->value) return si_fail(SI_EFORMAT, "header strings overflow");
    }
    return SI_OK;
}

/* Tensor order in the data buffer, for the contiguity check. */
struct span {
    uint64_t b, e;
    size_t i;
};

static int span_cmp(const void *a, const void *b) {
    const struct span *x = a, *y = b;
    if (x->b != y->b) return x->b < y->b ? -1 : 1;
    if (x->e != y->e) return x->e < y->e ? -1 : 1;
    return 0;
}

/* The buffer must be covered exactly, in order: no overlap, no hole, no tail. */
static si_err check_spans(const si_st_file *f, struct span *sp, uint64_t buflen) {
    qsort(sp, f->n, sizeof *sp, span_cmp);
    uint64_t at = 0;
    for (size_t k = 0; k < f->n; k++) {
        const char *name = f->t[sp[k].i].name;
        if (sp[k].b < at)
            return si_fail(SI_EFORMAT, "tensors '%s' [%llu, %llu] and '%s' [%llu, %llu] overlap",
                           f->t[sp[k - 1].i].name, (unsigned long long)sp[k - 1].b,
                           (unsigned long long)sp[k - 1].e, name, (unsigned long long)sp[k].b,
                           (unsigned long long)sp[k].e);
        if (sp[k].b > at)
            return si_fail(SI_EFORMAT,
                           "%llu unused bytes before tensor '%s' (data_offsets [%llu, %llu]); "
                           "the data buffer must have no holes",
                           (unsigned long long)(sp[k].b - at), name, (unsigned long long)sp[k].b,
                           (unsigned long long)sp[k].e);
        at = sp[k].e;
    }
    if (at != buflen)
        return si_fail(SI_EFORMAT, "%llu bytes at the end of the data buffer belong to no tensor",
                       (unsigned long long)(buflen - at));
    return SI_OK;
}

static int tensor_cmp(const void *a, const void *b) {
    return strcmp(((const si_st_tensor *)a)->name, ((const si_st_tensor *)b)->name);
}

static int kv_cmp(const void *a, const void *b) {
    return strcmp(((const struct st_kv *)a)->key, ((const struct st_kv *)b)->key);
}

static si_err parse_root(si_st_file *f, json_t *root, const unsigned char *data, uint64_t buflen,
                         size_t cap) {
    size_t used = 0;
    json_t *m = json_object_get(root, "__metadata__");
    si_err st = m ? parse_metadata(f, m, &used, cap) : SI_OK;
    if (st) return st;
    size_t n = json_object_size(root) - (m != NULL);
    f->t = calloc(n + 1, sizeof *f->t);
    struct span *sp = calloc(n + 1, sizeof *sp);
    if (!f->t || !sp) {
        free(sp);
        return si_fail(SI_ENOMEM, "out of memory for %zu tensors", n);
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (v == m) continue;
        si_st_tensor *t = &f->t[f->n];
        uint64_t off[2] = {0, 0};
        st = parse_tensor(key, v, buflen, t, off);
        if (st) break;
        t->name = pool_dup(f, &used, cap, key);
        if (!t->name) {
            st = si_fail(SI_EFORMAT, "header strings overflow");
            break;
        }
        t->data = data + off[0];
        sp[f->n] = (struct span){off[0], off[1], f->n};
        f->n++;
    }
    if (!st) st = check_spans(f, sp, buflen);
    free(sp);
    if (st) return st;
    qsort(f->t, f->n, sizeof *f->t, tensor_cmp);
    if (f->nmeta) qsort(f->meta, f->nmeta, sizeof *f->meta, kv_cmp);
    return SI_OK;
}

static si_err parse(si_st_file *f, const unsigned char *buf, size_t len) {
    if (len < 8)
        return si_fail(SI_EFORMAT,
                       "not a safetensors file: %zu bytes, too short for the 8-byte header length",
                       len);
    uint64_t hl = 0;
    for (int i = 7; i >= 0; i--)
        hl = hl << 8 | buf[i];
    if (hl > len - 8)
        return si_fail(SI_EFORMAT,
                       "header length %llu exceeds the %zu bytes that follow it (truncated or "
                       "not a safetensors file)",
                       (unsigned long long)hl, len - 8);
    if (hl > ST_MAX_HEADER)
        return si_fail(SI_EFORMAT, "header length %llu exceeds the %llu-byte limit",
                       (unsigned long long)hl, ST_MAX_HEADER);
    if (hl < 2 || buf[8] != '{')
        return si_fail(SI_EFORMAT, "header does not start with '{' (not a safetensors file)");
    json_error_t je;
    json_t *root = json_loadb((const char *)buf + 8, (size_t)hl, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return si_fail(SI_EFORMAT, "header is not valid JSON: %s (at byte %d of the header)",
                       je.text, je.position);
    si_err st;
    f->pool = malloc((size_t)hl);
    if (!json_is_object(root)) {
        st = si_fail(SI_EFORMAT, "header is not a JSON object");
    } else if (!f->pool) {
        st = si_fail(SI_ENOMEM, "out of memory");
    } else {
        st = parse_root(f, root, buf + 8 + hl, len - 8 - hl, (size_t)hl);
    }
    json_decref(root);
    return st;
}

void si_st_close(si_st_file *f) {
    if (!f) return;
    free(f->t);
    free(f->meta);
    free(f->pool);
    free(f->owned);
    free(f);
}

si_err si_st_open_memory(const void *buf, size_t len, si_st_file **out) {
    *out = NULL;
    si_st_file *f = calloc(1, sizeof *f);
    if (!f) return si_fail(SI_ENOMEM, "out of memory");
    si_err st = parse(f, buf, len);
    if (st) {
        si_st_close(f);
        return st;
    }
    *out = f;
    return SI_OK;
}

si_err si_st_open(const char *path, si_st_file **out) {
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) return si_fail(SI_EIO, "cannot open %s: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(fp);
        return si_fail(SI_EIO, "%s is not a regular file", path);
    }
    if ((uint64_t)sb.st_size > SIZE_MAX) {
        fclose(fp);
        return si_fail(SI_ENOMEM, "%s is too large to load on this machine", path);
    }
    size_t len = (size_t)sb.st_size;
    unsigned char *buf = malloc(len ? len : 1);
    if (!buf) {
        fclose(fp);
        return si_fail(SI_ENOMEM, "%s: out of memory for %zu bytes", path, len);
    }
    size_t got = fread(buf, 1, len, fp);
    int err = ferror(fp) ? errno : 0;
    fclose(fp);
    if (got != len) {
        free(buf);
        return si_fail(SI_EIO, "cannot read %s: %s", path, err ? strerror(err) : "short read");
    }
    si_st_file *f = NULL;
    si_err st = si_st_open_memory(buf, len, &f);
    if (st) {
        free(buf);
        return si_fail_prefix(st, "%s", path);
    }
    f->owned = buf;
    *out = f;
    return SI_OK;
}

size_t si_st_count(const si_st_file *f) {
    return f->n;
}

const si_st_tensor *si_st_at(const si_st_file *f, size_t i) {
    return i < f->n ? &f->t[i] : NULL;
}

const si_st_tensor *si_st_find(const si_st_file *f, const char *name) {
    si_st_tensor key = {.name = name};
    return bsearch(&key, f->t, f->n, sizeof *f->t, tensor_cmp);
}

si_err si_st_require(const si_st_file *f, const char *name, int ndim, const int64_t *shape,
                     const si_st_tensor **out) {
    *out = NULL;
    const si_st_tensor *t = si_st_find(f, name);
    if (!t) return si_fail(SI_EFORMAT, "tensor '%s' is missing", name);
    if (shape) {
        int same = t->ndim == ndim;
        for (int i = 0; same && i < ndim; i++)
            same = t->shape[i] == shape[i];
        if (!same) {
            char got[256], want[256];
            return si_fail(SI_EFORMAT, "tensor '%s' has shape %s, expected %s", name,
                           shape_str(got, sizeof got, t->ndim, t->shape),
                           shape_str(want, sizeof want, ndim, shape));
        }
    }
    *out = t;
    return SI_OK;
}

const char *si_st_meta(const si_st_file *f, const char *key) {
    struct st_kv k = {.key = key};
    if (!f->nmeta) return NULL; /* no "__metadata__": meta is NULL, not for bsearch */
    const struct st_kv *kv = bsearch(&k, f->meta, f->nmeta, sizeof *f->meta, kv_cmp);
    return kv ? kv->value : NULL;
}

size_t si_st_meta_count(const si_st_file *f) {
    return f->nmeta;
}

void si_st_meta_at(const si_st_file *f, size_t i, const char **key, const char **value) {
    *key = i < f->nmeta ? f->meta[i].key : NULL;
    *value = i < f->nmeta ? f->meta[i].value : NULL;
}

/* IEEE half to float, exact for every input (subnormals, Inf, NaN). */
static float f16_to_f32(uint16_t h) {
    uint32_t sign = (uint32_t)(h >> 15) << 31, e = (h >> 10) & 0x1f, m = h & 0x3ff, bits;
    if (e == 0) {
        float v = (float)m * 0x1p-24f;
        return sign ? -v : v;
    }
    bits = e == 31 ? sign | 0x7f800000u | m << 13 : sign | (e + 112) << 23 | m << 13;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

si_err si_st_to_f32(const si_st_tensor *t, float *dst) {
    const unsigned char *p = t->data;
    size_t n = (size_t)t->numel;
    const uint16_t one = 1;
    int little = *(const unsigned char *)&one == 1;
    switch (t->dtype) {
    case SI_ST_F32:
        if (little) {
            memcpy(dst, p, n * 4);
        } else {
            for (size_t i = 0; i < n; i++) {
                uint32_t b = p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
                             (uint32_t)p[4 * i + 3] << 24;
                memcpy(&dst[i], &b, 4);
            }
        }
        return SI_OK;
    case SI_ST_F16:
        for (size_t i = 0; i < n; i++)
            dst[i] = f16_to_f32(p[2 * i] | (uint16_t)(p[2 * i + 1] << 8));
        return SI_OK;
    case SI_ST_BF16:
        for (size_t i = 0; i < n; i++) {
            uint32_t b = (uint32_t)p[2 * i] << 16 | (uint32_t)p[2 * i + 1] << 24;
            memcpy(&dst[i], &b, 4);
        }
        return SI_OK;
    default:
        return si_fail(SI_EFORMAT, "tensor '%s' has dtype %s, expected F32, F16 or BF16",
                       t->name ? t->name : "?", si_st_dtype_name(t->dtype));
    }
}
