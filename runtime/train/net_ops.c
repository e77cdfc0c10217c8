/* The layer ops of the training graph, each one pool job over all threads.
 * Convs split the images among threads (whole images, so col2im never races)
 * and run single-threaded GEMMs over column chunks; linears split one GEMM's
 * output; norms split channels (BatchNorm) or images (instance norm). */
#include <math.h>
#include <string.h>

#include "net_internal.h"

static void gemm(const si_net *n, void *ws, size_t m, size_t nn, size_t k, const float *a,
                 size_t lda, const float *b, size_t ldb, unsigned trans, float *c, size_t ldc,
                 const float *shift, const float *bias, unsigned flags, const si_gemm_range *r) {
    const si_sgemm_args g = {.m = m,
                             .n = nn,
                             .k = k,
                             .a = a,
                             .lda = lda,
                             .b = b,
                             .ldb = ldb,
                             .trans = trans,
                             .c = c,
                             .ldc = ldc,
                             .shift = shift,
                             .bias = bias,
                             .flags = flags,
                             .range = r};
    si_sgemm(n->gemm, &g, ws); /* arguments are ours and valid: no message */
}

static void split(size_t total, int part, int parts, size_t *b, size_t *e) {
    *b = total * (size_t)part / (size_t)parts;
    *e = total * (size_t)(part + 1) / (size_t)parts;
}

/* --- conv ------------------------------------------------------------------ */

typedef struct conv_job {
    si_net *n;
    const tr_conv *c;
    int images, backward;
    float *hi;
    const float *lo_in; /* forward transposed / backward: the lo side read */
    float *lo_out;      /* forward conv: the lo side written */
    size_t hi_stride, lo_stride;
    float *dx;
    size_t dx_stride;
} conv_job;

/* Columns [j0, j0 + cols) of the lo side, inside one image: a pointer into
 * it with ld npix; else NULL. */
static size_t in_image(const tr_conv *c, size_t j0, size_t cols) {
    return j0 % c->npix + cols <= c->npix;
}

static void lo_gather(const tr_conv *c, const float *lo, size_t stride, size_t j0, size_t cols,
                      float *dst) {
    for (size_t j = j0; j < j0 + cols;) {
        const size_t im = j / c->npix, p = j % c->npix;
        const size_t len = c->npix - p < j0 + cols - j ? c->npix - p : j0 + cols - j;
        for (int r = 0; r < c->rows; r++)
            memcpy(dst + (size_t)r * cols + (j - j0), lo + im * stride + (size_t)r * c->npix + p,
                   len * sizeof(float));
        j += len;
    }
}

static void lo_scatter(const tr_conv *c, float *lo, size_t stride, size_t j0, size_t cols,
                       const float *src) {
    for (size_t j = j0; j < j0 + cols;) {
        const size_t im = j / c->npix, p = j % c->npix;
        const size_t len = c->npix - p < j0 + cols - j ? c->npix - p : j0 + cols - j;
        for (int r = 0; r < c->rows; r++)
            memcpy(lo + im * stride + (size_t)r * c->npix + p, src + (size_t)r * cols + (j - j0),
                   len * sizeof(float));
        j += len;
    }
}

static void conv_part(void *ctx, int part, int parts) {
    const conv_job *jb = ctx;
    si_net *n = jb->n;
    const tr_conv *c = jb->c;
    const tr_scratch *s = &n->scratch[part];
    const float *w = tr_data(n, c->w), *bias = tr_data(n, c->b);
    float *dw = tr_tgrad(n, part, c->w), *db = tr_tgrad(n, part, c->b);
    size_t i0, i1;
    split((size_t)jb->images, part, parts, &i0, &i1);
    if (i0 == i1) return;
    const size_t K = c->k, rows = (size_t)c->rows, hp = c->hi_pix;
    const int hc = c->g.cin; /* hi channels */

    if (!jb->backward && c->transposed) /* hi = col2im(...) accumulates */
        for (size_t i = i0; i < i1; i++)
            memset(jb->hi + i * jb->hi_stride, 0, (size_t)hc * hp * sizeof(float));
    if (jb->backward && c->transposed) /* bias gradient: Σ dY per channel */
        for (size_t i = i0; i < i1; i++)
            for (int ch = 0; ch < hc; ch++)
                db[ch] += (float)n->bnk->sum(jb->hi + i * jb->hi_stride + (size_t)ch * hp, hp);

    for (size_t j = i0 * c->npix; j < i1 * c->npix;) {
        size_t cols = i1 * c->npix - j < c->chunk ? i1 * c->npix - j : c->chunk;
        /* a chunk in a big image stops at its end, to work in place */
        if (c->npix >= c->chunk && j % c->npix + cols > c->npix) cols = c->npix - j % c->npix;
        const int direct = (int)in_image(c, j, cols);
        const size_t img = j / c->npix, pix = j % c->npix;
        const size_t ld = direct ? c->npix : cols;

        if (!jb->backward && !c->transposed) { /* lo = W · im2col(hi) + b */
            n->conv->im2col(s->col, jb->hi, &c->g, jb->hi_stride, cols, j, cols);
            float *out = direct ? jb->lo_out + img * jb->lo_stride + pix : s->lo;
            gemm(n, s->gemm_ws, rows, cols, K, w, K, s->col, cols, 0, out, ld, bias, NULL, 0, NULL);
            if (!direct) lo_scatter(c, jb->lo_out, jb->lo_stride, j, cols, s->lo);
        } else if (!jb->backward) { /* hi = col2im(Wᵀ · lo) */
            const float *l = jb->lo_in + img * jb->lo_stride + pix;
            if (!direct) lo_gather(c, jb->lo_in, jb->lo_stride, j, cols, s->lo), l = s->lo;
            gemm(n, s->gemm_ws, K, cols, rows, w, K, l, ld, SI_GEMM_TRANS_A, s->col, cols, NULL,
                 NULL, 0, NULL);
            n->c2i->col2im(jb->hi, s->col, cols, &c->g, jb->hi_stride, j, cols);
        } else {
            const float *l = jb->lo_in + img * jb->lo_stride + pix;
            if (!direct) lo_gather(c, jb->lo_in, jb->lo_stride, j, cols, s->lo), l = s->lo;
            if (!c->transposed) /* bias gradient: Σ dZ per row */
                for (size_t r = 0; r < rows; r++)
                    db[r] += (float)n->bnk->sum(l + r * ld, cols);
            n->conv->im2col(s->col, jb->hi, &c->g, jb->hi_stride, cols, j, cols);
            /* dW += lo · colᵀ */
            gemm(n, s->gemm_ws, rows, K, cols, l, ld, s->col, cols, SI_GEMM_TRANS_B, dw, K, NULL,
                 NULL, SI_GEMM_ACCUMULATE, NULL);
            if (jb->dx && !c->transposed) { /* dhi += col2im(Wᵀ · dZ) */
                gemm(n, s->gemm_ws, K, cols, rows, w, K, l, ld, SI_GEMM_TRANS_A, s->col, cols, NULL,
                     NULL, 0, NULL);
                n->c2i->col2im(jb->dx, s->col, cols, &c->g, jb->dx_stride, j, cols);
            } else if (jb->dx) { /* dlo = W · im2col(dY) */
                float *out = direct ? jb->dx + img * jb->dx_stride + pix : s->lo;
                gemm(n, s->gemm_ws, rows, cols, K, w, K, s->col, cols, 0, out, ld, NULL, NULL, 0,
                     NULL);
                if (!direct) lo_scatter(c, jb->dx, jb->dx_stride, j, cols, s->lo);
            }
        }
        j += cols;
    }
    if (!jb->backward && c->transposed) /* + bias per output channel */
        for (size_t i = i0; i < i1; i++)
            for (int ch = 0; ch < hc; ch++) {
                float *p = jb->hi + i * jb->hi_stride + (size_t)ch * hp;
                n->bnk->apply(p, p, hp, 1.0f, bias[ch], 0);
            }
}

void tr_conv_forward(si_net *n, const tr_conv *c, int images, float *hi, size_t hi_stride,
                     float *lo, size_t lo_stride) {
    conv_job jb = {.n = n,
                   .c = c,
                   .images = images,
                   .hi = hi,
                   .lo_in = lo,
                   .lo_out = lo,
                   .hi_stride = hi_stride,
                   .lo_stride = lo_stride};
    si_pool_run(n->pool, conv_part, &jb);
}

void tr_conv_backward(si_net *n, const tr_conv *c, int images, const float *hi, size_t hi_stride,
                      const float *lo, size_t lo_stride, float *dx, size_t dx_stride) {
    conv_job jb = {.n = n,
                   .c = c,
                   .images = images,
                   .backward = 1,
                   .hi = (float *)hi, /* read only in the backward */
                   .lo_in = lo,
                   .hi_stride = hi_stride,
                   .lo_stride = lo_stride,
                   .dx = dx,
                   .dx_stride = dx_stride};
    si_pool_run(n->pool, conv_part, &jb);
}

/* --- BatchNorm ------------------------------------------------------------- */

typedef struct bn_job {
    si_net *n;
    tr_bn *bn;
    int N, relu;
    size_t P, a_stride;
    const float *z, *da, *a;
    float *out;
} bn_job;

static void bn_fwd_part(void *ctx, int part, int parts) {
    const bn_job *jb = ctx;
    si_net *n = jb->n;
    tr_bn *bn = jb->bn;
    const size_t C = (size_t)bn->C, P = jb->P, M = (size_t)jb->N * P;
    const float *gamma = tr_data(n, bn->gamma), *beta = tr_data(n, bn->beta);
    float *rm = tr_data(n, bn->rmean), *rv = tr_data(n, bn->rvar);
    size_t c0, c1;
    split(C, part, parts, &c0, &c1);
    for (size_t c = c0; c < c1; c++) {
        double mean, var;
        if (n->mode & SI_NET_BATCH_STATS) {
            double s = 0;
            for (int i = 0; i < jb->N; i++)
                s += n->bnk->sum(jb->z + ((size_t)i * C + c) * P, P);
            mean = s / (double)M;
            s = 0;
            for (int i = 0; i < jb->N; i++)
                s += n->bnk->sumsq_dev(jb->z + ((size_t)i * C + c) * P, P, (float)mean);
            var = s / (double)M;
            if (n->mode & SI_NET_UPDATE_STATS) {
                const double unbiased = M > 1 ? var * (double)M / (double)(M - 1) : var;
                rm[c] = (float)((1 - TR_MOMENTUM) * rm[c] + TR_MOMENTUM * mean);
                rv[c] = (float)((1 - TR_MOMENTUM) * rv[c] + TR_MOMENTUM * unbiased);
            }
        } else {
            mean = rm[c], var = rv[c];
        }
        const double rstd = 1.0 / sqrt(var + TR_EPS);
        bn->mean[c] = (float)mean, bn->rstd[c] = (float)rstd;
        const double scale = gamma[c] * rstd, shift = beta[c] - mean * scale;
        for (int i = 0; i < jb->N; i++)
            n->bnk->apply(jb->out + (size_t)i * jb->a_stride + c * P,
                          jb->z + ((size_t)i * C + c) * P, P, (float)scale, (float)shift, jb->relu);
    }
}

void tr_bn_forward(si_net *n, tr_bn *bn, int N, size_t P, const float *z, float *a, size_t a_stride,
                   int relu) {
    bn_job jb = {
        .n = n, .bn = bn, .N = N, .relu = relu, .P = P, .a_stride = a_stride, .z = z, .out = a};
    si_pool_run(n->pool, bn_fwd_part, &jb);
}

static void bn_bwd_part(void *ctx, int part, int parts) {
    const bn_job *jb = ctx;
    si_net *n = jb->n;
    tr_bn *bn = jb->bn;
    const size_t C = (size_t)bn->C, P = jb->P, M = (size_t)jb->N * P;
    const float *gamma = tr_data(n, bn->gamma);
    float *dgamma = tr_grad(n, bn->gamma), *dbeta = tr_grad(n, bn->beta);
    size_t c0, c1;
    split(C, part, parts, &c0, &c1);
    for (size_t c = c0; c < c1; c++) {
        const float mean = bn->mean[c], rstd = bn->rstd[c];
        double sums[2] = {0, 0};
        for (int i = 0; i < jb->N; i++) {
            const size_t ao = (size_t)i * jb->a_stride + c * P;
            n->bnk->bwd_reduce(jb->da + ao, jb->a ? jb->a + ao : NULL,
                               jb->z + ((size_t)i * C + c) * P, P, mean, rstd, sums);
        }
        dgamma[c] = (float)sums[1], dbeta[c] = (float)sums[0];
        const double k1 = (double)gamma[c] * rstd;
        const float k0 = (float)(k1 * sums[0] / (double)M);
        const float k2 = (float)(k1 * rstd * sums[1] / (double)M);
        for (int i = 0; i < jb->N; i++) {
            const size_t ao = (size_t)i * jb->a_stride + c * P;
            n->bnk->bwd_apply(jb->out + ((size_t)i * C + c) * P, jb->da + ao,
                              jb->a ? jb->a + ao : NULL, jb->z + ((size_t)i * C + c) * P, P, mean,
                              (float)k1, k0, k2);
        }
    }
}

void tr_bn_backward(si_net *n, tr_bn *bn, int N, size_t P, const float *da, const float *a,
                    size_t a_stride, const float *z, float *dz) {
    bn_job jb = {.n = n,
                 .bn = bn,
                 .N = N,
                 .P = P,
                 .a_stride = a_stride,
                 .z = z,
                 .da = da,
                 .a = a,
                 .out = dz};
    si_pool_run(n->pool, bn_bwd_part, &jb);
}

/* --- block instance norm ----------------------------------------------------- */

typedef struct in_job {
    si_net *n;
    int N;
    size_t L;
    const float *z, *da, *a;
    float *out, *mean, *rstd;
    const float *cmean, *crstd;
} in_job;

static void in_fwd_part(void *ctx, int part, int parts) {
    const in_job *jb = ctx;
    const si_bntrain_kernels *k = jb->n->bnk;
    size_t i0, i1;
    split((size_t)jb->N, part, parts, &i0, &i1);
    for (size_t i = i0; i < i1; i++) {
        const float *z = jb->z + i * jb->L;
        const double mean = k->sum(z, jb->L) / (double)jb->L;
        const double var = k->sumsq_dev(z, jb->L, (float)mean) / (double)jb->L;
        const double rstd = 1.0 / sqrt(var + TR_EPS);
        jb->mean[i] = (float)mean, jb->rstd[i] = (float)rstd;
        k->apply(jb->out + i * jb->L, z, jb->L, (float)rstd, (float)(-mean * rstd), 1);
    }
}

void tr_inorm_forward(si_net *n, int N, size_t L, const float *z, float *a, float *mean,
                      float *rstd) {
    in_job jb = {.n = n, .N = N, .L = L, .z = z, .out = a, .mean = mean, .rstd = rstd};
    si_pool_run(n->pool, in_fwd_part, &jb);
}

static void in_bwd_part(void *ctx, int part, int parts) {
    const in_job *jb = ctx;
    const si_bntrain_kernels *k = jb->n->bnk;
    size_t i0, i1;
    split((size_t)jb->N, part, parts, &i0, &i1);
    for (size_t i = i0; i < i1; i++) {
        const size_t o = i * jb->L;
        const float mean = jb->cmean[i], rstd = jb->crstd[i];
        double sums[2] = {0, 0};
        k->bwd_reduce(jb->da + o, jb->a + o, jb->z + o, jb->L, mean, rstd, sums);
        const float c0 = (float)(rstd * sums[0] / (double)jb->L);
        const float c2 = (float)((double)rstd * rstd * sums[1] / (double)jb->L);
        k->bwd_apply(jb->out + o, jb->da + o, jb->a + o, jb->z + o, jb->L, mean, rstd, c0, c2);
    }
}

void tr_inorm_backward(si_net *n, int N, size_t L, const float *da, const float *a, const float *z,
                       const float *mean, const float *rstd, float *dz) {
    in_job jb = {
        .n = n, .N = N, .L = L, .z = z, .da = da, .a = a, .out = dz, .cmean = mean, .crstd = rstd};
    si_pool_run(n->pool, in_bwd_part, &jb);
}

/* --- linear ------------------------------------------------------------------ */

typedef struct lin_job {
    si_net *n;
    const tr_linear *l;
    size_t M;
    const float *x, *dz;
    float *z, *dx;
} lin_job;

static void lin_fwd_part(void *ctx, int part, int parts) {
    const lin_job *jb = ctx;
    si_net *n = jb->n;
    const tr_linear *l = jb->l;
    const si_gemm_range r =
        si_gemm_split(n->gemm, jb->M, (size_t)l->out, (size_t)parts, (size_t)part);
    gemm(n, n->scratch[part].gemm_ws, jb->M, (size_t)l->out, (size_t)l->in, jb->x, (size_t)l->in,
         tr_data(n, l->w), (size_t)l->in, SI_GEMM_TRANS_B, jb->z, (size_t)l->out, NULL,
         tr_data(n, l->b), 0, &r);
}

void tr_linear_forward(si_net *n, const tr_linear *l, size_t M, const float *x, float *z) {
    lin_job jb = {.n = n, .l = l, .M = M, .x = x, .z = z};
    si_pool_run(n->pool, lin_fwd_part, &jb);
}

static void lin_bwd_part(void *ctx, int part, int parts) {
    const lin_job *jb = ctx;
    si_net *n = jb->n;
    const tr_linear *l = jb->l;
    const size_t in = (size_t)l->in, out = (size_t)l->out, M = jb->M;
    void *ws = n->scratch[part].gemm_ws;
    /* dW [out × in] = dZᵀ · X */
    si_gemm_range r = si_gemm_split(n->gemm, out, in, (size_t)parts, (size_t)part);
    gemm(n, ws, out, in, M, jb->dz, out, jb->x, in, SI_GEMM_TRANS_A, tr_grad(n, l->w), in, NULL,
         NULL, 0, &r);
    /* db = Σ rows of dZ */
    size_t j0, j1;
    split(out, part, parts, &j0, &j1);
    float *db = tr_grad(n, l->b);
    memset(db + j0, 0, (j1 - j0) * sizeof(float));
    for (size_t i = 0; i < M; i++)
        for (size_t j = j0; j < j1; j++)
            db[j] += jb->dz[i * out + j];
    /* dX [M × in] = dZ · W */
    if (jb->dx) {
        r = si_gemm_split(n->gemm, M, in, (size_t)parts, (size_t)part);
        gemm(n, ws, M, in, out, jb->dz, out, tr_data(n, l->w), in, 0, jb->dx, in, NULL, NULL, 0,
             &r);
    }
}

void tr_linear_backward(si_net *n, const tr_linear *l, size_t M, const float *x, const float *dz,
                        float *dx) {
    lin_job jb = {.n = n, .l = l, .M = M, .x = x, .dz = dz, .dx = dx};
    si_pool_run(n->pool, lin_bwd_part, &jb);
}

/* --- gradient partials -------------------------------------------------------- */

static void reduce_part(void *ctx, int part, int parts) {
    si_net *n = ctx;
    size_t b, e;
    split(n->param_floats, part, parts, &b, &e);
    for (int t = 1; t < n->threads; t++) {
        const float *g = n->scratch[t].grads;
        for (size_t i = b; i < e; i++)
            n->grads[i] += g[i];
    }
}

void tr_reduce_grads(si_net *n) {
    if (n->threads > 1) si_pool_run(n->pool, reduce_part, n);
}
