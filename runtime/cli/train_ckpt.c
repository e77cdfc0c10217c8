/* Checkpoint writing and reading for `seisinv train`. */
#include "train_ckpt.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error_internal.h"
#include "train/adam.h"

enum { NAME_CAP = 160, COUNTERS = 10 };

si_err tr_state_init(tr_state *s, const si_net *n) {
    memset(s, 0, sizeof *s);
    s->nparam = si_adam_net_size(n);
    s->m = calloc(s->nparam ? s->nparam : 1, sizeof *s->m);
    s->v = calloc(s->nparam ? s->nparam : 1, sizeof *s->v);
    if (!s->m || !s->v) {
        tr_state_free(s);
        return si_fail(SI_ENOMEM, "out of memory for Adam's moments");
    }
    return SI_OK;
}

void tr_state_free(tr_state *s) {
    free(s->m), free(s->v), free(s->train.xy), free(s->val.xy);
    memset(s, 0, sizeof *s);
}

si_err tr_history_add(tr_history *h, double step, double value) {
    if (h->n == h->cap) {
        const int cap = h->cap ? 2 * h->cap : 1024;
        float *xy = realloc(h->xy, (size_t)cap * 2 * sizeof *xy);
        if (!xy) return si_fail(SI_ENOMEM, "out of memory for the loss history");
        h->xy = xy, h->cap = cap;
    }
    h->xy[2 * h->n] = (float)step, h->xy[2 * h->n + 1] = (float)value;
    h->n++;
    return SI_OK;
}

si_err tr_ckpt_save(const char *path, const si_net *n, const tr_state *s, const si_st_kv *args,
                    int nargs) {
    const int nt = si_net_tensor_count(n);
    si_st_entry *e = calloc((size_t)3 * nt + 2, sizeof *e);
    char(*names)[NAME_CAP] = calloc((size_t)3 * nt, sizeof *names);
    si_st_kv *kv = calloc((size_t)16 + COUNTERS + nargs, sizeof *kv);
    int64_t(*shapes)[4] = calloc((size_t)nt, sizeof *shapes);
    if (!e || !names || !kv || !shapes) {
        free(e), free(names), free(kv), free(shapes);
        return si_fail(SI_ENOMEM, "out of memory writing a checkpoint");
    }
    size_t ne = 0, off = 0;
    for (int i = 0; i < nt; i++) {
        const si_net_tensor t = si_net_tensor_at(n, i);
        memcpy(shapes[i], t.shape, sizeof shapes[i]);
        snprintf(names[3 * i], NAME_CAP, "model.%s", t.name);
        e[ne++] = (si_st_entry){names[3 * i], t.ndim, shapes[i], t.data};
        if (!t.grad) continue;
        snprintf(names[3 * i + 1], NAME_CAP, "adam.m.%s", t.name);
        snprintf(names[3 * i + 2], NAME_CAP, "adam.v.%s", t.name);
        e[ne++] = (si_st_entry){names[3 * i + 1], t.ndim, shapes[i], s->m + off};
        e[ne++] = (si_st_entry){names[3 * i + 2], t.ndim, shapes[i], s->v + off};
        off += t.numel;
    }
    const int64_t htrain[2] = {s->train.n, 2}, hval[2] = {s->val.n, 2};
    if (s->train.n) e[ne++] = (si_st_entry){"history.train", 2, htrain, s->train.xy};
    if (s->val.n) e[ne++] = (si_st_entry){"history.val", 2, hval, s->val.xy};
    int nk = si_net_metadata(n, kv, 16);
    uint64_t rng[2];
    si_net_rng_get(n, rng);
    char vals[COUNTERS][32];
    static const char *const keys[COUNTERS] = {
        "train.step", "train.epoch",           "train.pos",    "train.max_step",  "train.rng0",
        "train.rng1", "train.batches_tracked", "train.format", "train.epoch_sum", "train.epoch_n"};
    snprintf(vals[0], 32, "%" PRId64, s->step);
    snprintf(vals[1], 32, "%" PRId64, s->epoch);
    snprintf(vals[2], 32, "%" PRId64, s->pos);
    snprintf(vals[3], 32, "%" PRId64, s->max_step);
    snprintf(vals[4], 32, "%" PRIu64, rng[0]);
    snprintf(vals[5], 32, "%" PRIu64, rng[1]);
    snprintf(vals[6], 32, "%" PRId64, si_net_batches_tracked(n));
    snprintf(vals[7], 32, "seisinv-checkpoint-1");
    snprintf(vals[8], 32, "%.17g", s->epoch_sum);
    snprintf(vals[9], 32, "%" PRId64, s->epoch_n);
    for (int k = 0; k < COUNTERS; k++)
        kv[nk++] = (si_st_kv){keys[k], vals[k]};
    for (int k = 0; k < nargs; k++)
        kv[nk++] = args[k];
    si_err st = si_st_write(path, e, ne, kv, (size_t)nk);
    free(e), free(names), free(kv), free(shapes);
    return st;
}

static si_err meta_i64(const si_st_file *f, const char *key, int64_t lo, int64_t hi, int64_t *v) {
    const char *s = si_st_meta(f, key);
    if (!s) return si_fail(SI_EFORMAT, "checkpoint has no '%s'", key);
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end || !*s || x < lo || x > hi)
        return si_fail(SI_EFORMAT, "checkpoint '%s' = '%s' is not an integer in [%lld, %lld]", key,
                       s, (long long)lo, (long long)hi);
    *v = x;
    return SI_OK;
}

static si_err meta_u64(const si_st_file *f, const char *key, uint64_t *v) {
    const char *s = si_st_meta(f, key);
    if (!s) return si_fail(SI_EFORMAT, "checkpoint has no '%s'", key);
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end || !*s || *s == '-')
        return si_fail(SI_EFORMAT, "checkpoint '%s' = '%s' is not an unsigned integer", key, s);
    *v = x;
    return SI_OK;
}

static si_err meta_f64(const si_st_file *f, const char *key, double *v) {
    const char *s = si_st_meta(f, key);
    if (!s) return si_fail(SI_EFORMAT, "checkpoint has no '%s'", key);
    char *end;
    double x = strtod(s, &end);
    if (*end || !*s) return si_fail(SI_EFORMAT, "checkpoint '%s' = '%s' is not a number", key, s);
    *v = x;
    return SI_OK;
}

si_err tr_ckpt_options(const si_st_file *f, si_net_options *o) {
    const char *fmt = si_st_meta(f, "train.format");
    if (!fmt || strcmp(fmt, "seisinv-checkpoint-1") != 0)
        return si_fail(SI_EFORMAT, "not a seisinv training checkpoint (train.format is %s)",
                       fmt ? fmt : "missing");
    int64_t S, R, T, H, W, lg;
    si_err st = meta_i64(f, "seisinv.S", 1, 1 << 20, &S);
    if (!st) st = meta_i64(f, "seisinv.R", 1, 1 << 20, &R);
    if (!st) st = meta_i64(f, "seisinv.T", 1, 1 << 24, &T);
    if (!st) st = meta_i64(f, "seisinv.H", 1, 1 << 20, &H);
    if (!st) st = meta_i64(f, "seisinv.W", 1, 1 << 20, &W);
    if (!st) st = meta_i64(f, "seisinv.seis_log1p", 0, 1, &lg);
    if (!st) st = meta_f64(f, "seisinv.v_min", &o->v_min);
    if (!st) st = meta_f64(f, "seisinv.v_max", &o->v_max);
    if (!st) st = meta_f64(f, "seisinv.seis_scale", &o->seis_scale);
    if (st) return st;
    o->S = (int)S, o->R = (int)R, o->T = (int)T, o->H = (int)H, o->W = (int)W;
    o->seis_log1p = (int)lg;
    return SI_OK;
}

static si_err read_f32(const si_st_file *f, const char *name, int ndim, const int64_t *shape,
                       float *dst) {
    const si_st_tensor *t;
    si_err st = si_st_require(f, name, ndim, shape, &t);
    if (!st && t->dtype != SI_ST_F32)
        st = si_fail(SI_EFORMAT, "checkpoint tensor '%s' is %s: need F32", name,
                     si_st_dtype_name(t->dtype));
    return st ? st : si_st_to_f32(t, dst);
}

static si_err read_history(const si_st_file *f, const char *name, tr_history *h) {
    const si_st_tensor *t = si_st_find(f, name);
    if (!t) return SI_OK;
    if (t->ndim != 2 || t->shape[1] != 2 || t->dtype != SI_ST_F32 || t->shape[0] > (1 << 30))
        return si_fail(SI_EFORMAT, "checkpoint tensor '%s' is not F32 [n, 2]", name);
    h->n = h->cap = (int)t->shape[0];
    h->xy = malloc((size_t)h->n * 2 * sizeof *h->xy + 1);
    if (!h->xy) return si_fail(SI_ENOMEM, "out of memory for the loss history");
    return si_st_to_f32(t, h->xy);
}

si_err tr_ckpt_restore(const si_st_file *f, si_net *n, tr_state *s) {
    char name[NAME_CAP];
    size_t off = 0;
    si_err st = SI_OK;
    for (int i = 0; i < si_net_tensor_count(n) && !st; i++) {
        const si_net_tensor t = si_net_tensor_at(n, i);
        snprintf(name, sizeof name, "model.%s", t.name);
        st = read_f32(f, name, t.ndim, t.shape, t.data);
        if (st || !t.grad) continue;
        snprintf(name, sizeof name, "adam.m.%s", t.name);
        st = read_f32(f, name, t.ndim, t.shape, s->m + off);
        snprintf(name, sizeof name, "adam.v.%s", t.name);
        if (!st) st = read_f32(f, name, t.ndim, t.shape, s->v + off);
        off += t.numel;
    }
    int64_t tracked;
    uint64_t rng[2];
    if (!st) st = meta_i64(f, "train.step", 0, INT64_MAX, &s->step);
    if (!st) st = meta_i64(f, "train.epoch", 0, INT64_MAX, &s->epoch);
    if (!st) st = meta_i64(f, "train.pos", 0, INT64_MAX, &s->pos);
    if (!st) st = meta_i64(f, "train.max_step", 0, INT64_MAX, &s->max_step);
    if (!st) st = meta_i64(f, "train.batches_tracked", 0, INT64_MAX, &tracked);
    if (!st) st = meta_f64(f, "train.epoch_sum", &s->epoch_sum);
    if (!st) st = meta_i64(f, "train.epoch_n", 0, INT64_MAX, &s->epoch_n);
    if (!st) st = meta_u64(f, "train.rng0", &rng[0]);
    if (!st) st = meta_u64(f, "train.rng1", &rng[1]);
    if (!st) st = read_history(f, "history.train", &s->train);
    if (!st) st = read_history(f, "history.val", &s->val);
    if (st) return st;
    si_net_set_batches_tracked(n, tracked);
    si_net_rng_set(n, rng);
    return SI_OK;
}
