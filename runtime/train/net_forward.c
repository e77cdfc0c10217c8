/* The training graph's forward pass, layer by layer (SPEC §1), keeping every
 * activation the backward reads. Mode (batch or running statistics, running
 * update, dropout) is n->mode. */
#include <string.h>

#include "act/act.h"
#include "net_internal.h"

/* --- embedding --------------------------------------------------------------- */

static void embed_part(void *ctx, int part, int parts) {
    si_net *n = ctx;
    const size_t M = (size_t)n->B * n->S * n->R, E = (size_t)n->E, T = (size_t)n->T;
    const size_t r0 = M * (size_t)part / (size_t)parts, r1 = M * (size_t)(part + 1) / (size_t)parts;
    const float *g = n->glob[TR_GLOB - 1].a, *nb = n->neig[TR_NEIG - 1].a;
    for (size_t m = r0; m < r1; m++) {
        const size_t shot = m / (size_t)n->R, s = shot % (size_t)n->S, r = m % (size_t)n->R;
        float *e = n->e + m * E;
        memcpy(e, g + shot * NN_GLOB_OUT, NN_GLOB_OUT * sizeof(float));
        e += NN_GLOB_OUT;
        memset(e, 0, (size_t)(n->S + n->R) * sizeof(float));
        e[s] = 1.0f, e[(size_t)n->S + r] = 1.0f;
        memcpy(e + n->S + n->R, nb + m * T, T * sizeof(float));
    }
}

/* --- dropout ------------------------------------------------------------------- */

/* Uniform in [0, 1) of element i of the stream (seed, counter): counter-based,
 * so the masks depend only on the state saved with a checkpoint. */
static double stream_uniform(uint64_t seed, uint64_t i) {
    uint64_t z = seed ^ (i * 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static void dropout_part(void *ctx, int part, int parts) {
    si_net *n = ctx;
    const size_t len = (size_t)n->B * n->S * n->R * NN_FMAP * NN_FMAP;
    const size_t i0 = len * (size_t)part / (size_t)parts, i1 = len * (size_t)(part + 1) / parts;
    const float *a = n->gen[TR_GEN - 1].a;
    const int on = (n->mode & SI_NET_DROPOUT) && n->dropout > 0;
    const float keep = on ? 1.0f / (1.0f - n->dropout) : 1.0f;
    for (size_t i = i0; i < i1; i++) {
        const float m =
            !on || stream_uniform(n->rng_seed, n->rng_counter + i) >= n->dropout ? keep : 0.0f;
        n->mask[i] = m;
        n->f[i] = a[i] * m;
    }
}

/* --- head: Sigmoid on the crop ---------------------------------------------- */

static void head_part(void *ctx, int part, int parts) {
    si_net *n = ctx;
    const si_act_kernels *k = si_act_kernels_for(n->gemm->isa);
    const size_t hw = (size_t)n->H * n->W;
    for (int b = part; b < n->B; b += parts) {
        float *y = n->pred + (size_t)b * hw;
        k->crop(y, n->head.a + (size_t)b * NN_DEC_SIZE * NN_DEC_SIZE, 1, NN_DEC_SIZE, NN_DEC_SIZE,
                n->crop_top, n->crop_left, n->H, n->W);
        k->sigmoid(y, y, hw);
    }
}

void tr_forward(si_net *n) {
    const int B = n->B, N = B * n->S;
    const size_t RT = (size_t)n->R * n->T;
    /* Global branch */
    const float *in = n->x;
    size_t in_stride = RT;
    for (int l = 0; l < TR_GLOB; l++) {
        tr_layer *L = &n->glob[l];
        tr_conv_forward(n, &L->conv, N, (float *)in, in_stride, L->z, L->a_stride);
        tr_bn_forward(n, &L->bn, N, L->P, L->z, L->a, L->a_stride, 1);
        in = L->a, in_stride = L->a_stride;
    }
    /* Neighbour branch */
    in = n->x, in_stride = RT;
    for (int i = 0; i < TR_NEIG; i++) {
        tr_layer *L = &n->neig[i];
        tr_conv_forward(n, &L->conv, N, (float *)in, in_stride, L->z, L->a_stride);
        tr_inorm_forward(n, N, L->a_stride, L->z, L->a, n->neig_mean[i], n->neig_rstd[i]);
        in = L->a, in_stride = L->a_stride;
    }
    si_pool_run(n->pool, embed_part, n);
    /* Generator: BatchNorm1d(S·R) over [B, S·R, width] */
    const size_t M = (size_t)N * n->R;
    in = n->e;
    for (int l = 0; l < TR_GEN; l++) {
        tr_layer *L = &n->gen[l];
        tr_linear_forward(n, &L->lin, M, in, L->z);
        tr_bn_forward(n, &L->bn, B, L->P, L->z, L->a, L->a_stride, 1);
        in = L->a;
    }
    si_pool_run(n->pool, dropout_part, n);
    /* Decoder */
    in = n->f, in_stride = (size_t)n->S * n->R * NN_FMAP * NN_FMAP;
    for (int i = 0; i < TR_UP; i++) {
        tr_layer *t = &n->up[i][0], *c = &n->up[i][1];
        tr_conv_forward(n, &t->conv, B, t->z, t->a_stride, (float *)in, in_stride);
        tr_bn_forward(n, &t->bn, B, t->P, t->z, t->a, t->a_stride, 1);
        tr_conv_forward(n, &c->conv, B, t->a, t->a_stride, c->z, c->a_stride);
        tr_bn_forward(n, &c->bn, B, c->P, c->z, c->a, c->a_stride, 1);
        in = c->a, in_stride = c->a_stride;
    }
    for (int d = 0; d < TR_DIL; d++) {
        tr_layer *L = &n->dil[d];
        tr_conv_forward(n, &L->conv, B, (float *)in, in_stride, L->z, (size_t)L->C * L->P);
        tr_bn_forward(n, &L->bn, B, L->P, L->z, L->a, L->a_stride, 1);
    }
    tr_layer *h = &n->head;
    tr_conv_forward(n, &h->conv, B, n->concat, n->dil[0].a_stride, h->z, h->a_stride);
    tr_bn_forward(n, &h->bn, B, h->P, h->z, h->a, h->a_stride, 0);
    si_pool_run(n->pool, head_part, n);
    if (n->mode & SI_NET_UPDATE_STATS) n->batches_tracked++;
    if ((n->mode & SI_NET_DROPOUT) && n->dropout > 0)
        n->rng_counter += (uint64_t)M * NN_FMAP * NN_FMAP;
}
