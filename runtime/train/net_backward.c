/* The training graph's backward pass: the forward's layers in reverse, the
 * activation gradients through two ping-pong buffers (g0, g1) plus the few
 * that must live longer (dgvec, dneig, dx3), weight gradients into the
 * threads' partials, summed at the end. */
#include <string.h>

#include "net_internal.h"

typedef struct zero_job {
    float *p;
    size_t n;
} zero_job;

static void zero_part(void *ctx, int part, int parts) {
    const zero_job *z = ctx;
    const size_t b = z->n * (size_t)part / (size_t)parts, e = z->n * (size_t)(part + 1) / parts;
    memset(z->p + b, 0, (e - b) * sizeof(float));
}

static void zero(si_net *n, float *p, size_t count) {
    zero_job z = {p, count};
    si_pool_run(n->pool, zero_part, &z);
}

static void zero_grads_part(void *ctx, int part, int parts) {
    si_net *n = ctx;
    (void)parts;
    memset(n->scratch[part].grads, 0, n->param_floats * sizeof(float));
}

/* d loss / d (head BN output) on the full 128×128 map: the Sigmoid's
 * derivative on the crop, zero elsewhere. */
static void head_part(void *ctx, int part, int parts) {
    si_net *n = ctx;
    const size_t P = NN_DEC_SIZE * NN_DEC_SIZE, hw = (size_t)n->H * n->W;
    for (int b = part; b < n->B; b += parts) {
        float *g = n->g0 + (size_t)b * P;
        memset(g, 0, P * sizeof(float));
        const float *y = n->pred + (size_t)b * hw, *dy = n->dpred + (size_t)b * hw;
        for (int i = 0; i < n->H; i++)
            for (int j = 0; j < n->W; j++) {
                const float s = y[i * n->W + j];
                g[(size_t)(n->crop_top + i) * NN_DEC_SIZE + n->crop_left + j] =
                    dy[i * n->W + j] * s * (1.0f - s);
            }
    }
}

static void dropout_part(void *ctx, int part, int parts) {
    si_net *n = ctx;
    const size_t len = (size_t)n->B * n->S * n->R * NN_FMAP * NN_FMAP;
    const size_t i0 = len * (size_t)part / (size_t)parts, i1 = len * (size_t)(part + 1) / parts;
    for (size_t i = i0; i < i1; i++)
        n->g1[i] *= n->mask[i];
}

/* dE [M, E] (in g0) to the Global vectors' gradient (summed over the R
 * traces of a shot) and the Neighbour output's. */
static void unembed_part(void *ctx, int part, int parts) {
    si_net *n = ctx;
    const int N = n->B * n->S;
    const size_t E = (size_t)n->E, T = (size_t)n->T, R = (size_t)n->R;
    for (int s = part; s < N; s += parts) {
        float *dg = n->dgvec + (size_t)s * NN_GLOB_OUT;
        memset(dg, 0, NN_GLOB_OUT * sizeof(float));
        for (size_t r = 0; r < R; r++) {
            const float *de = n->g0 + ((size_t)s * R + r) * E;
            for (int k = 0; k < NN_GLOB_OUT; k++)
                dg[k] += de[k];
            memcpy(n->dneig + ((size_t)s * R + r) * T, de + E - T, T * sizeof(float));
        }
    }
}

void tr_backward(si_net *n) {
    const int B = n->B, N = B * n->S;
    const size_t RT = (size_t)n->R * n->T, M = (size_t)N * n->R;
    si_pool_run(n->pool, zero_grads_part, n);

    /* head: Sigmoid, BatchNorm (no ReLU), 1×1 conv into dConcat (g1) */
    si_pool_run(n->pool, head_part, n);
    tr_layer *h = &n->head;
    tr_bn_backward(n, &h->bn, B, h->P, n->g0, NULL, h->a_stride, h->z, n->g0);
    const size_t cstride = n->dil[0].a_stride;
    zero(n, n->g1, (size_t)B * cstride);
    tr_conv_backward(n, &h->conv, B, n->concat, cstride, n->g0, h->a_stride, n->g1, cstride);

    /* dilated branches, their input gradients summed into dx3 */
    const tr_layer *x3 = &n->up[TR_UP - 1][1];
    zero(n, n->dx3, (size_t)B * x3->a_stride);
    for (int d = 0; d < TR_DIL; d++) {
        tr_layer *L = &n->dil[d];
        const size_t off = (size_t)d * L->C * L->P;
        tr_bn_backward(n, &L->bn, B, L->P, n->g1 + off, L->a, cstride, L->z, n->g0);
        tr_conv_backward(n, &L->conv, B, x3->a, x3->a_stride, n->g0, (size_t)L->C * L->P, n->dx3,
                         x3->a_stride);
    }

    /* up blocks: cur → (3×3 conv) → g0 → (convT) → g1 */
    float *cur = n->dx3;
    for (int i = TR_UP - 1; i >= 0; i--) {
        tr_layer *t = &n->up[i][0], *c = &n->up[i][1];
        tr_bn_backward(n, &c->bn, B, c->P, cur, c->a, c->a_stride, c->z, cur);
        zero(n, n->g0, (size_t)B * t->a_stride);
        tr_conv_backward(n, &c->conv, B, t->a, t->a_stride, cur, c->a_stride, n->g0, t->a_stride);
        tr_bn_backward(n, &t->bn, B, t->P, n->g0, t->a, t->a_stride, t->z, n->g0);
        const float *lo = i ? n->up[i - 1][1].a : n->f;
        const size_t lo_stride = (size_t)t->conv.rows * t->conv.npix;
        tr_conv_backward(n, &t->conv, B, n->g0, t->a_stride, lo, lo_stride, n->g1, lo_stride);
        cur = n->g1;
    }

    /* dropout, then the generator: cur → other */
    si_pool_run(n->pool, dropout_part, n);
    float *other = n->g0;
    for (int l = TR_GEN - 1; l >= 0; l--) {
        tr_layer *L = &n->gen[l];
        tr_bn_backward(n, &L->bn, B, L->P, cur, L->a, L->a_stride, L->z, cur);
        tr_linear_backward(n, &L->lin, M, l ? n->gen[l - 1].a : n->e, cur, other);
        float *t = cur;
        cur = other, other = t;
    }
    /* cur = dE */
    if (cur != n->g0) memcpy(n->g0, cur, M * (size_t)n->E * sizeof(float));
    si_pool_run(n->pool, unembed_part, n);

    /* Global branch */
    cur = n->dgvec, other = n->g0;
    float *spare = n->g1;
    for (int l = TR_GLOB - 1; l >= 0; l--) {
        tr_layer *L = &n->glob[l];
        tr_bn_backward(n, &L->bn, N, L->P, cur, L->a, L->a_stride, L->z, cur);
        const float *in = l ? n->glob[l - 1].a : n->x;
        const size_t in_stride = l ? n->glob[l - 1].a_stride : RT;
        float *dx = l ? other : NULL;
        if (dx) zero(n, dx, (size_t)N * in_stride);
        tr_conv_backward(n, &L->conv, N, in, in_stride, cur, L->a_stride, dx, in_stride);
        cur = other;
        other = cur == n->g0 ? spare : n->g0;
    }

    /* Neighbour branch */
    cur = n->dneig, other = n->g0;
    for (int i = TR_NEIG - 1; i >= 0; i--) {
        tr_layer *L = &n->neig[i];
        tr_inorm_backward(n, N, L->a_stride, cur, L->a, L->z, n->neig_mean[i], n->neig_rstd[i],
                          cur);
        const float *in = i ? n->neig[i - 1].a : n->x;
        const size_t in_stride = i ? n->neig[i - 1].a_stride : RT;
        float *dx = i ? other : NULL;
        if (dx) zero(n, dx, (size_t)N * in_stride);
        tr_conv_backward(n, &L->conv, N, in, in_stride, cur, L->a_stride, dx, in_stride);
        cur = other;
        other = cur == n->g0 ? n->g1 : n->g0;
    }
    tr_reduce_grads(n);
}
