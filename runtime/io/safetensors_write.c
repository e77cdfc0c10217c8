/* safetensors writer for float32 tensors (checkpoints). Produces the bytes the
 * Python library would: "__metadata__" first, tensors sorted by name with
 * contiguous offsets, compact JSON padded with spaces to a multiple of 8. */
#include "seisinv/safetensors.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error_internal.h"
#include "atomic_file.h"

/* Arrays of pointers sort without a context argument (C11 qsort has none). */
static int entry_cmp(const void *a, const void *b) {
    return strcmp((*(const si_st_entry *const *)a)->name, (*(const si_st_entry *const *)b)->name);
}

static int kv_cmp(const void *a, const void *b) {
    return strcmp((*(const si_st_kv *const *)a)->key, (*(const si_st_kv *const *)b)->key);
}

/* Checks one entry: name, rank, shape, data. */
static si_err check_entry(const si_st_entry *e) {
    if (!e->name || !*e->name) return si_fail(SI_EINVAL, "a tensor has an empty name");
    if (strcmp(e->name, "__metadata__") == 0)
        return si_fail(SI_EINVAL, "'__metadata__' is reserved and cannot name a tensor");
    if (e->ndim < 0 || e->ndim > SI_ST_MAX_DIMS || (e->ndim && !e->shape))
        return si_fail(SI_EINVAL, "tensor '%s': rank %d is not supported (0..%d)", e->name, e->ndim,
                       SI_ST_MAX_DIMS);
    uint64_t n = 1;
    for (int i = 0; i < e->ndim; i++) {
        if (e->shape[i] < 0)
            return si_fail(SI_EINVAL, "tensor '%s': dimension %d is negative", e->name, i);
        if (e->shape[i] && n > ((uint64_t)1 << 60) / (uint64_t)e->shape[i])
            return si_fail(SI_EINVAL, "tensor '%s' is too large", e->name);
        n *= (uint64_t)e->shape[i];
    }
    if (n && !e->data) return si_fail(SI_EINVAL, "tensor '%s' has no data", e->name);
    return SI_OK;
}

/* Byte size of an entry that passed check_entry. */
static uint64_t entry_bytes(const si_st_entry *e) {
    uint64_t n = 4;
    for (int i = 0; i < e->ndim; i++)
        n *= (uint64_t)e->shape[i];
    return n;
}

static json_t *tensor_info(const si_st_entry *e, uint64_t begin, uint64_t end) {
    json_t *shape = json_array();
    for (int i = 0; shape && i < e->ndim; i++) {
        if (json_array_append_new(shape, json_integer(e->shape[i]))) {
            json_decref(shape);
            shape = NULL;
        }
    }
    if (!shape) return NULL;
    /* Field order as the reference serializer writes it; "o" hands shape over. */
    return json_pack("{s:s, s:o, s:[I, I]}", "dtype", "F32", "shape", shape, "data_offsets",
                     (json_int_t)begin, (json_int_t)end);
}

/* Builds the header JSON text (not yet padded). */
static si_err build_header(const si_st_entry *const *t, size_t n, const si_st_kv *const *kv,
                           size_t nmeta, char **text) {
    json_t *root = json_object();
    if (!root) return si_fail(SI_ENOMEM, "out of memory");
    si_err st = SI_OK;
    if (nmeta) {
        json_t *m = json_object();
        if (!m || json_object_set_new(root, "__metadata__", m)) st = SI_ENOMEM;
        for (size_t i = 0; !st && i < nmeta; i++) {
            json_t *v = json_string(kv[i]->value);
            if (!v || json_object_set_new(m, kv[i]->key, v))
                st = si_fail(SI_EINVAL, "metadata '%s': key or value is not valid UTF-8",
                             kv[i]->key);
        }
    }
    uint64_t at = 0;
    for (size_t i = 0; !st && i < n; i++) {
        uint64_t bytes = entry_bytes(t[i]);
        json_t *info = tensor_info(t[i], at, at + bytes);
        if (!info)
            st = SI_ENOMEM;
        else if (json_object_set_new(root, t[i]->name, info))
            st = si_fail(SI_EINVAL, "tensor name '%s' is not valid UTF-8", t[i]->name);
        at += bytes;
    }
    if (!st) {
        *text = json_dumps(root, JSON_COMPACT);
        if (!*text) st = SI_ENOMEM;
    }
    json_decref(root);
    if (st == SI_ENOMEM) return si_fail(SI_ENOMEM, "out of memory building the header");
    return st;
}

/* Writes float32 values little-endian whatever the host order. */
static int write_f32_le(FILE *fp, const float *v, size_t n) {
    const uint16_t one = 1;
    if (n == 0) return 1; /* an empty tensor may come with no data pointer */
    if (*(const unsigned char *)&one == 1) return fwrite(v, 4, n, fp) == n;
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &v[i], 4);
        unsigned char le[4] = {b & 0xff, (b >> 8) & 0xff, (b >> 16) & 0xff, b >> 24};
        if (fwrite(le, 1, 4, fp) != 4) return 0;
    }
    return 1;
}

static si_err write_file(const char *path, const char *hdr, const si_st_entry *const *t, size_t n) {
    size_t hl = strlen(hdr), padded = (hl + 7) / 8 * 8;
    unsigned char len8[8];
    for (int i = 0; i < 8; i++)
        len8[i] = (unsigned char)((uint64_t)padded >> (8 * i));
    si_afile f;
    si_err st = si_afile_open(&f, path);
    if (st) return st;
    int ok = fwrite(len8, 1, 8, f.fp) == 8 && fwrite(hdr, 1, hl, f.fp) == hl;
    for (size_t i = hl; ok && i < padded; i++)
        ok = fputc(' ', f.fp) != EOF;
    for (size_t i = 0; ok && i < n; i++) {
        uint64_t bytes = entry_bytes(t[i]);
        ok = write_f32_le(f.fp, t[i]->data, (size_t)(bytes / 4));
    }
    if (!ok) {
        st = si_fail(SI_EIO, "cannot write %s: %s", path, strerror(errno));
        si_afile_abort(&f);
        return st;
    }
    return si_afile_commit(&f);
}

si_err si_st_write(const char *path, const si_st_entry *tensors, size_t n, const si_st_kv *meta,
                   size_t nmeta) {
    const si_st_entry **t = malloc((n + 1) * sizeof *t);
    const si_st_kv **kv = malloc((nmeta + 1) * sizeof *kv);
    char *hdr = NULL;
    si_err st = SI_OK;
    if (!t || !kv) st = si_fail(SI_ENOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        st = check_entry(&tensors[i]);
        t[i] = &tensors[i];
    }
    for (size_t i = 0; !st && i < nmeta; i++) {
        if (!meta[i].key || !*meta[i].key || !meta[i].value)
            st = si_fail(SI_EINVAL, "metadata entry %zu has an empty key or no value", i);
        kv[i] = &meta[i];
    }
    if (!st) {
        qsort(t, n, sizeof *t, entry_cmp);
        qsort(kv, nmeta, sizeof *kv, kv_cmp);
    }
    for (size_t i = 1; !st && i < n; i++)
        if (strcmp(t[i - 1]->name, t[i]->name) == 0)
            st = si_fail(SI_EINVAL, "tensor '%s' appears twice", t[i]->name);
    for (size_t i = 1; !st && i < nmeta; i++)
        if (strcmp(kv[i - 1]->key, kv[i]->key) == 0)
            st = si_fail(SI_EINVAL, "metadata '%s' appears twice", kv[i]->key);
    if (!st) st = build_header(t, n, kv, nmeta, &hdr);
    if (!st) st = write_file(path, hdr, t, n);
    free(hdr);
    free(t);
    free(kv);
    return st;
}
