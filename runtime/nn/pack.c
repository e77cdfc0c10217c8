/* Weights from the safetensors file into the plan's slots: every tensor is
 * checked (name, shape, float dtype, finite values), BatchNorm2d folded into
 * the conv before it, and the result packed for the GEMM kernels. Tensors
 * the network does not have are an error too (num_batches_tracked aside). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error_internal.h"
#include "nn_internal.h"

enum { MAX_NAMES = 512, NAME_LEN = 64 };

typedef struct loader {
    si_model *m;
    const nn_wfile *w;
    const si_st_file *f;
    char (*names)[NAME_LEN]; /* tensors taken */
    int nnames;
    float *t0, *t1, *t2; /* conversion scratch, each `cap` floats */
    size_t cap;
} loader;

/* A tensor to float32 a slice at a time, each slice's file pages handed back
 * as soon as it is copied: a big tensor is never resident twice. */
static si_err to_f32(const loader *L, const si_st_tensor *t, float *dst) {
    enum { SLICE = 1 << 18 }; /* elements: 1 MB of float32 */
    const size_t es = (size_t)si_st_dtype_bits(t->dtype) / 8;
    for (int64_t i = 0; i < t->numel; i += SLICE) {
        si_st_tensor part = *t;
        part.numel = t->numel - i < SLICE ? t->numel - i : SLICE;
        part.ndim = 1, part.shape[0] = part.numel;
        part.data = (const unsigned char *)t->data + (size_t)i * es;
        part.nbytes = (size_t)part.numel * es;
        si_err st = si_st_to_f32(&part, dst + i);
        if (st) return st;
        nn_wfile_done(L->w, part.data, part.nbytes);
    }
    return SI_OK;
}

/* The tensor `name` as float32 into dst, with the given shape. */
static si_err get(loader *L, const char *name, int ndim, int64_t d0, int64_t d1, int64_t d2,
                  int64_t d3, int trainable, float *dst) {
    const int64_t shape[4] = {d0, d1, d2, d3};
    const si_st_tensor *t;
    si_err st = si_st_require(L->f, name, ndim, shape, &t);
    if (st) return st;
    if (t->dtype != SI_ST_F32 && t->dtype != SI_ST_F16 && t->dtype != SI_ST_BF16)
        return si_fail(SI_EFORMAT, "tensor '%s' has dtype %s, need F32, F16 or BF16", name,
                       si_st_dtype_name(t->dtype));
    if ((st = to_f32(L, t, dst))) return st;
    for (int64_t i = 0; i < t->numel; i++)
        if (!isfinite(dst[i]))
            return si_fail(SI_EDATA, "tensor '%s' has a non-finite value (%g) at flat index %lld",
                           name, (double)dst[i], (long long)i);
    const size_t len = strlen(name);
    if (L->nnames >= MAX_NAMES || len >= NAME_LEN)
        return si_fail(SI_EINVAL, "internal: too many tensors or '%s' too long", name);
    memcpy(L->names[L->nnames++], name, len + 1);
    if (trainable) L->m->info.parameters += t->numel;
    return SI_OK;
}

/* BatchNorm `prefix` over n channels, folded with an optional bias. */
static si_err get_bn(loader *L, const char *prefix, int n, const float *bias, float *scale,
                     float *shift) {
    static const char *field[4] = {"weight", "bias", "running_mean", "running_var"};
    float *v[4];
    float *buf = L->t2; /* 4·n floats: n ≤ 65536 traces, cap ≥ that */
    char name[NAME_LEN + 32];
    for (int i = 0; i < 4; i++) {
        v[i] = buf + (size_t)i * n;
        snprintf(name, sizeof name, "%s.%s", prefix, field[i]);
        si_err st = get(L, name, 1, n, 0, 0, 0, i < 2, v[i]);
        if (st) return st;
    }
    for (int i = 0; i < n; i++)
        if (v[3][i] < 0)
            return si_fail(SI_EDATA, "tensor '%s.running_var' has a negative variance (%g) at %d",
                           prefix, (double)v[3][i], i);
    nn_bn_fold(n, v[0], v[1], v[2], v[3], bias, scale, shift);
    return SI_OK;
}

/* A conv (or the four phases of a ConvTranspose) with its BatchNorm. */
static si_err pack_conv(loader *L, const nn_conv *c) {
    si_model *m = L->m;
    const int cout = c->cout;
    const int transposed = c->phase >= 0, cin = c->g.cin;
    char name[NAME_LEN + 16];
    float *w = L->t0, *bias = L->t1, *scale = L->t1 + cout;
    float *shift = m->weights + c->shift_off;
    si_err st;
    snprintf(name, sizeof name, "%s.weight", c->wname);
    if (transposed)
        st = get(L, name, 4, cin, cout, 4, 4, 1, w);
    else
        st = get(L, name, 4, cout, cin, c->g.kh, c->g.kw, 1, w);
    if (st) return st;
    snprintf(name, sizeof name, "%s.bias", c->wname);
    if ((st = get(L, name, 1, cout, 0, 0, 0, 1, bias))) return st;
    if ((st = get_bn(L, c->bnname, cout, bias, scale, shift))) return st;
    if (!transposed) {
        const size_t k = (size_t)cin * c->g.kh * c->g.kw;
        for (int co = 0; co < cout; co++)
            for (size_t p = 0; p < k; p++)
                w[co * k + p] *= scale[co];
        if (!c->wino) {
            si_gemm_pack_a(m->kern.gemm, (size_t)cout, k, w, k, 0, m->weights + c->a_off);
            return SI_OK;
        }
        /* Winograd: 16 transformed matrices [cout × cin], each packed as A */
        float *u = malloc(sizeof(float) * SI_WINO_POS * (size_t)cout * (size_t)cin);
        if (!u) return si_fail(SI_ENOMEM, "out of memory transforming '%s'", c->wname);
        si_wino_weights(u, w, cout, cin);
        for (int x = 0; x < SI_WINO_POS; x++)
            si_gemm_pack_a(m->kern.gemm, (size_t)cout, (size_t)cin, u + (size_t)x * cout * cin,
                           (size_t)cin, 0, m->weights + c->a_off + (size_t)x * c->a_stride);
        free(u);
        return SI_OK;
    }
    for (int ci = 0; ci < cin; ci++)
        for (int co = 0; co < cout; co++)
            for (int t = 0; t < 16; t++)
                w[((size_t)ci * cout + co) * 16 + t] *= scale[co];
    float *phases = L->t2; /* [4][cout][cin·4], same size as w */
    si_convt_phase_weights(phases, w, cin, cout);
    for (int q = 0; q < 4; q++)
        si_gemm_pack_a(m->kern.gemm, (size_t)cout, c[q].k, phases + (size_t)q * cout * c[q].k,
                       c[q].k, 0, m->weights + c[q].a_off);
    return SI_OK;
}

static si_err pack_encoder(loader *L) {
    si_model *m = L->m;
    float *W = m->weights;
    si_err st;
    const int c1 = nn_glob[0].cout;
    if ((st = get(L, "encoder.glob.layer1.0.weight", 4, c1, 1, 1, 7, 1, W + m->g1_w)) ||
        (st = get(L, "encoder.glob.layer1.0.bias", 1, c1, 0, 0, 0, 1, L->t1)) ||
        (st = get_bn(L, "encoder.glob.layer1.1", c1, L->t1, W + m->g1_scale, W + m->g1_shift)))
        return st;
    for (int i = 0; i < NN_NEIG; i++) {
        const int cin = i == 0 ? 1 : NN_NEIG_C, cout = i == NN_NEIG - 1 ? 1 : NN_NEIG_C;
        char name[64];
        snprintf(name, sizeof name, "encoder.neig.conv%d.weight", i + 1);
        if ((st = get(L, name, 4, cout, cin, 5, 5, 1, W + m->neig_w[i]))) return st;
        snprintf(name, sizeof name, "encoder.neig.conv%d.bias", i + 1);
        if ((st = get(L, name, 1, cout, 0, 0, 0, 1, W + m->neig_b[i]))) return st;
    }
    return SI_OK;
}

/* Global layer 11 as a Linear: W [128, 512, 4, 4] is [n, k] already. */
static si_err pack_glob11(loader *L) {
    si_model *m = L->m;
    const nn_linear *lin = &m->lin[NN_LIN_GLOB11];
    const nn_glob_layer *g = &nn_glob[NN_GLOB - 1];
    float *w = L->t0, *bias = L->t1, *scale = L->t1 + g->cout;
    si_err st;
    if ((st = get(L, "encoder.glob.layer11.0.weight", 4, g->cout, g->cin, g->kh, g->kw, 1, w)) ||
        (st = get(L, "encoder.glob.layer11.0.bias", 1, g->cout, 0, 0, 0, 1, bias)) ||
        (st =
             get_bn(L, "encoder.glob.layer11.1", g->cout, bias, scale, m->weights + lin->bias_off)))
        return st;
    for (int co = 0; co < g->cout; co++)
        for (size_t p = 0; p < lin->k; p++)
            w[co * lin->k + p] *= scale[co];
    si_gemm_pack_b(m->kern.gemm, lin->k, lin->n, w, lin->k, SI_GEMM_TRANS_B,
                   m->weights + lin->b_off);
    return SI_OK;
}

static si_err pack_generator(loader *L) {
    si_model *m = L->m;
    float *W = m->weights;
    for (int i = 0; i < NN_GEN; i++) {
        const nn_linear *lin = &m->lin[i];
        char name[64];
        si_err st;
        snprintf(name, sizeof name, "generator.lin%d.weight", i + 1);
        if ((st = get(L, name, 2, (int64_t)lin->n, (int64_t)lin->k, 0, 0, 1, L->t0))) return st;
        si_gemm_pack_b(m->kern.gemm, lin->k, lin->n, L->t0, lin->k, SI_GEMM_TRANS_B,
                       W + lin->b_off);
        snprintf(name, sizeof name, "generator.lin%d.bias", i + 1);
        if ((st = get(L, name, 1, (int64_t)lin->n, 0, 0, 0, 1, W + lin->bias_off))) return st;
        snprintf(name, sizeof name, "generator.bn%d", i + 1);
        if ((st = get_bn(L, name, (int)lin->m, NULL, W + lin->scale_off, W + lin->shift_off)))
            return st;
    }
    return SI_OK;
}

static si_err pack_head(loader *L) {
    si_model *m = L->m;
    const int cin = NN_DIL * nn_dec_width[NN_DEC_UP - 1];
    float *w = m->weights + m->head.w_off, scale, shift, bias;
    si_err st;
    if ((st = get(L, "decoder.layer5.0.weight", 4, 1, cin, 1, 1, 1, w)) ||
        (st = get(L, "decoder.layer5.0.bias", 1, 1, 0, 0, 0, 1, &bias)) ||
        (st = get_bn(L, "decoder.layer5.1", 1, &bias, &scale, &shift)))
        return st;
    for (int c = 0; c < cin; c++)
        w[c] *= scale;
    m->weights[m->head.b_off] = shift;
    return SI_OK;
}

static int name_cmp(const void *a, const void *b) {
    return strcmp(a, b);
}

/* Every tensor of the file must have been taken, except the BatchNorm
 * counters torch saves next to the statistics we read. */
static si_err check_extra(loader *L) {
    qsort(L->names, (size_t)L->nnames, NAME_LEN, name_cmp);
    for (size_t i = 0; i < si_st_count(L->f); i++) {
        const char *n = si_st_at(L->f, i)->name;
        if (bsearch(n, L->names, (size_t)L->nnames, NAME_LEN, name_cmp)) continue;
        static const char tail[] = ".num_batches_tracked";
        const size_t len = strlen(n), tl = sizeof tail - 1;
        if (len > tl && strcmp(n + len - tl, tail) == 0 && len - tl < NAME_LEN - 16) {
            char mean[NAME_LEN];
            snprintf(mean, sizeof mean, "%.*s.running_mean", (int)(len - tl), n);
            if (bsearch(mean, L->names, (size_t)L->nnames, NAME_LEN, name_cmp)) continue;
        }
        return si_fail(SI_EFORMAT,
                       "unexpected tensor '%s': not part of SeisInvNet (S=%d, R=%d, T=%d)", n,
                       L->m->info.S, L->m->info.R, L->m->info.T);
    }
    return SI_OK;
}

si_err nn_pack_weights(si_model *m, const nn_wfile *w) {
    const si_st_file *f = w->f;
    /* scratch: the largest tensor, three times (weights, folded phases, BN) */
    size_t cap = 4 * 65536 + 16;
    for (size_t i = 0; i < si_st_count(f); i++) {
        const si_st_tensor *t = si_st_at(f, i);
        if ((size_t)t->numel + 16 > cap) cap = (size_t)t->numel + 16;
    }
    loader L = {.m = m, .w = w, .f = f, .cap = cap};
    L.names = calloc(MAX_NAMES, NAME_LEN);
    L.t0 = malloc(cap * sizeof(float));
    L.t1 = malloc(cap * sizeof(float));
    L.t2 = malloc(cap * sizeof(float));
    si_err st = SI_OK;
    if (!L.names || !L.t0 || !L.t1 || !L.t2)
        st = si_fail(SI_ENOMEM, "out of memory reading weights");
    m->info.parameters = 0;
    /* in network order, so the first misfit reported is the first in the file's model */
    if (!st) st = pack_encoder(&L);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; !st && i < m->nconvs; i++) {
            const nn_conv *c = &m->convs[i];
            if (c->phase <= 0 && (strncmp(c->wname, "encoder.", 8) == 0) == (pass == 0))
                st = pack_conv(&L, c);
        }
        if (!st && pass == 0) st = pack_glob11(&L);
        if (!st && pass == 0) st = pack_generator(&L);
    }
    if (!st) st = pack_head(&L);
    if (!st) st = check_extra(&L);
    free(L.names), free(L.t0), free(L.t1), free(L.t2);
    return st;
}

void nn_resolve(si_model *m) {
    const float *W = m->weights;
    for (int i = 0; i < m->nconvs; i++) {
        nn_conv *c = &m->convs[i];
        c->a = W + c->a_off, c->shift = W + c->shift_off;
    }
    for (int i = 0; i <= NN_LIN_GLOB11; i++) {
        nn_linear *L = &m->lin[i];
        L->b = W + L->b_off, L->bias = W + L->bias_off;
        L->scale = L->row_bn ? W + L->scale_off : NULL;
        L->shift = L->row_bn ? W + L->shift_off : NULL;
    }
    m->g1w = W + m->g1_w, m->g1s = W + m->g1_scale, m->g1b = W + m->g1_shift;
    for (int i = 0; i < NN_NEIG; i++)
        m->nw[i] = W + m->neig_w[i], m->nbias[i] = W + m->neig_b[i];
    m->head.w = W + m->head.w_off, m->head.b = W + m->head.b_off;
}
