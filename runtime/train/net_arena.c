/* Memory of a net, planned once: the parameter and gradient blocks and one
 * arena for every activation, gradient buffer and per-thread scratch of a
 * batch of n->batch surveys. Nothing is allocated afterwards. */
#include <stdlib.h>
#include <string.h>

#include "core/error_internal.h"
#include "loss.h"
#include "net_internal.h"

enum { ALIGN = 64 };
/* im2col floats per chunk (about 1 MB) and the fewest columns of a chunk:
 * deep layers (K in the thousands) still take a few hundred columns so the
 * GEMM has a useful width. */
enum { COL_BUDGET = 1 << 18, MIN_CHUNK = 256 };

/* Bump allocator run twice: sizing (base NULL) and placing. */
typedef struct bump {
    unsigned char *base;
    size_t used;
} bump;

static void *take(bump *b, size_t bytes) {
    void *p = b->base ? b->base + b->used : NULL;
    b->used += (bytes + ALIGN - 1) / ALIGN * ALIGN;
    return p;
}
static float *takef(bump *b, size_t floats) {
    return take(b, floats * sizeof(float));
}

static size_t max_sz(size_t a, size_t b) {
    return a > b ? a : b;
}

/* Columns per GEMM chunk for a conv over `images` images, each thread
 * taking whole images. */
static size_t chunk_for(const tr_conv *c, int images, int threads) {
    const size_t per_thread = (size_t)((images + threads - 1) / threads) * c->npix;
    size_t chunk = max_sz(MIN_CHUNK, COL_BUDGET / c->k);
    chunk = (chunk + 15) / 16 * 16;
    return chunk < per_thread ? chunk : per_thread;
}

static void layer_acts(bump *b, tr_layer *l, int N, int own_a) {
    const size_t n = (size_t)N * l->C * l->P;
    l->z = takef(b, n);
    if (own_a) l->a = takef(b, n);
    l->bn.mean = takef(b, (size_t)l->bn.C);
    l->bn.rstd = takef(b, (size_t)l->bn.C);
}

/* Places everything; returns the arena bytes. */
static size_t place(si_net *n, unsigned char *base, size_t *col_max, size_t *lo_max) {
    bump b = {base, 0};
    const int B = n->batch, N = B * n->S;
    const size_t M = (size_t)N * n->R, RT = (size_t)n->R * n->T, P = NN_DEC_SIZE * NN_DEC_SIZE;
    size_t gmax = 0, cmax = 0, lmax = 0;
    tr_conv *convs[TR_GLOB + TR_NEIG + 2 * TR_UP + TR_DIL + 1];
    int imgs[TR_GLOB + TR_NEIG + 2 * TR_UP + TR_DIL + 1], nc = 0;

    n->x = takef(&b, (size_t)N * RT);
    for (int i = 0; i < TR_GLOB; i++) {
        tr_layer *l = &n->glob[i];
        layer_acts(&b, l, N, 1);
        gmax = max_sz(gmax, (size_t)N * l->C * l->P);
        convs[nc] = &l->conv, imgs[nc++] = N;
    }
    for (int i = 0; i < TR_NEIG; i++) {
        tr_layer *l = &n->neig[i];
        l->z = takef(&b, (size_t)N * l->C * RT);
        l->a = takef(&b, (size_t)N * l->C * RT);
        n->neig_mean[i] = takef(&b, (size_t)N);
        n->neig_rstd[i] = takef(&b, (size_t)N);
        gmax = max_sz(gmax, (size_t)N * l->C * RT);
        convs[nc] = &l->conv, imgs[nc++] = N;
    }
    n->e = takef(&b, M * (size_t)n->E);
    gmax = max_sz(gmax, M * (size_t)n->E);
    for (int i = 0; i < TR_GEN; i++) {
        layer_acts(&b, &n->gen[i], B, 1);
        gmax = max_sz(gmax, M * n->gen[i].P);
    }
    n->mask = takef(&b, M * NN_FMAP * NN_FMAP);
    n->f = takef(&b, M * NN_FMAP * NN_FMAP);
    for (int i = 0; i < TR_UP; i++)
        for (int j = 0; j < 2; j++) {
            tr_layer *l = &n->up[i][j];
            layer_acts(&b, l, B, 1);
            gmax = max_sz(gmax, (size_t)B * l->C * l->P);
            convs[nc] = &l->conv, imgs[nc++] = B;
        }
    n->concat = takef(&b, (size_t)B * TR_DIL * n->dil[0].C * P);
    gmax = max_sz(gmax, (size_t)B * TR_DIL * n->dil[0].C * P);
    for (int d = 0; d < TR_DIL; d++) {
        tr_layer *l = &n->dil[d];
        layer_acts(&b, l, B, 0);
        l->a = n->concat ? n->concat + (size_t)d * l->C * P : NULL;
        convs[nc] = &l->conv, imgs[nc++] = B;
    }
    layer_acts(&b, &n->head, B, 1); /* a: after BN and Sigmoid */
    convs[nc] = &n->head.conv, imgs[nc++] = B;
    n->pred = takef(&b, (size_t)B * n->H * n->W);
    n->dpred = takef(&b, (size_t)B * n->H * n->W);
    size_t ls = 0;
    for (int k = SI_LOSS_L1; k <= SI_LOSS_L2_MSSSIM; k++)
        ls = max_sz(ls, si_loss_scratch_floats((si_loss_kind)k, n->H, n->W));
    n->loss_scratch = takef(&b, ls ? ls : 1);

    n->g0 = takef(&b, gmax);
    n->g1 = takef(&b, gmax);
    n->dgvec = takef(&b, (size_t)N * NN_GLOB_OUT);
    n->dneig = takef(&b, (size_t)N * RT);
    n->dx3 = takef(&b, (size_t)B * n->dil[0].C * P);

    for (int i = 0; i < nc; i++) {
        convs[i]->chunk = chunk_for(convs[i], imgs[i], n->threads);
        cmax = max_sz(cmax, convs[i]->k * convs[i]->chunk);
        lmax = max_sz(lmax, (size_t)convs[i]->rows * convs[i]->chunk);
    }
    const si_sgemm_args big = {.m = 1u << 20, .n = 1u << 20, .k = 1u << 20};
    const size_t ws = si_sgemm_workspace_bytes(n->gemm, &big);
    for (int t = 0; t < n->threads; t++) {
        tr_scratch *s = &n->scratch[t];
        s->col = takef(&b, cmax);
        s->lo = takef(&b, lmax);
        s->gemm_ws = take(&b, ws);
        s->grads = t == 0 ? n->grads : takef(&b, n->param_floats);
    }
    *col_max = cmax, *lo_max = lmax;
    return b.used;
}

si_err tr_alloc(si_net *n) {
    n->params = aligned_alloc(ALIGN, (n->param_floats * sizeof(float) + ALIGN - 1) / ALIGN * ALIGN);
    n->grads = aligned_alloc(ALIGN, (n->param_floats * sizeof(float) + ALIGN - 1) / ALIGN * ALIGN);
    n->scratch = calloc((size_t)n->threads, sizeof *n->scratch);
    if (!n->params || !n->grads || !n->scratch)
        return si_fail(SI_ENOMEM, "out of memory for %zu parameters", n->param_floats);
    memset(n->grads, 0, n->param_floats * sizeof(float));
    size_t cmax, lmax;
    const size_t bytes = place(n, NULL, &cmax, &lmax);
    n->arena = aligned_alloc(ALIGN, bytes);
    if (!n->arena)
        return si_fail(SI_ENOMEM, "out of memory: the training arena needs %zu MiB for batch %d",
                       bytes >> 20, n->batch);
    n->arena_bytes = bytes;
    place(n, n->arena, &cmax, &lmax);
    return si_pool_create(&n->pool, n->threads);
}
