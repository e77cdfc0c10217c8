/* A 3×3 stride-1 "same" conv through Winograd F(2×2, 3×3): per chunk of
 * tiles, the input transform writes the 16 packed B operands, 16 GEMMs with
 * the pre-transformed, pre-packed weights write the 16 M matrices, and the
 * output transform adds the shift, applies ReLU and writes NCHW. Threads
 * take disjoint ranges of tiles. */
#include "nn_internal.h"

/* V + M floats per chunk: a thread's working set, about L2-sized. */
enum { WINO_BUDGET = 1 << 17 };

/* Input channels below this stay on im2col: with a short K the 16 small
 * GEMMs would lose more to their stores than Winograd saves (measured: at 32,
 * the smallest in SeisInvNet, it still wins). */
enum { WINO_MIN_CIN = 32 };

/* The 16 V (and M) matrices of a chunk are whole multiples of 4 KB long, so
 * the transforms' 16 streams, one per matrix, would all map to the same L1
 * sets and evict each other; one cache line of skew between consecutive
 * matrices spreads them over 16 sets. */
enum { WINO_SKEW = 16 };

int nn_wino_eligible(const si_conv_geom *g) {
    return g->kh == 3 && g->kw == 3 && g->stride_h == 1 && g->stride_w == 1 &&
           g->dil_h == g->dil_w && g->pad_h == g->dil_h && g->pad_w == g->dil_w &&
           g->cin >= WINO_MIN_CIN && (g->h + 1) / 2 + g->dil_h <= NN_WINO_ORIGINS &&
           (g->w + 1) / 2 + g->dil_w <= NN_WINO_ORIGINS;
}

void nn_wino_setup(nn_conv *c, const si_gemm_kernels *gemm) {
    const si_conv_geom *g = &c->g;
    c->wino = 1;
    c->wg = (si_wino_geom){.cin = g->cin, .h = g->h, .w = g->w, .dil = g->dil_h};
    c->wg.nty = si_wino_tile_origins(g->h, g->dil_h, c->ty0);
    c->wg.ntx = si_wino_tile_origins(g->w, g->dil_w, c->tx0);
    c->wg.ty0 = c->ty0, c->wg.tx0 = c->tx0;
    c->tiles = (size_t)c->images * c->wg.nty * c->wg.ntx;
    const size_t nr = gemm->nr;
    size_t chunk = WINO_BUDGET / (SI_WINO_POS * ((size_t)g->cin + (size_t)c->cout)) / nr * nr;
    if (chunk < nr) chunk = nr;
    if (chunk > (c->tiles + nr - 1) / nr * nr) chunk = (c->tiles + nr - 1) / nr * nr;
    c->chunk = chunk;
    c->vstride = chunk * (size_t)g->cin + WINO_SKEW; /* chunk is whole panels */
    c->mstride = chunk * (size_t)c->cout + WINO_SKEW;
    c->a_stride = si_gemm_packed_a_floats(gemm, (size_t)c->cout, (size_t)g->cin);
    c->k = (size_t)g->cin;
}

void nn_wino_run(const nn_conv *c, const nn_kernels *kern, const float *in, float *out, int part,
                 int parts, const nn_scratch *ws) {
    const size_t t_begin = c->tiles * (size_t)part / (size_t)parts;
    const size_t t_end = c->tiles * (size_t)(part + 1) / (size_t)parts;
    const size_t mstride = c->mstride;
    for (size_t t = t_begin; t < t_end; t += c->chunk) {
        const size_t n = t_end - t < c->chunk ? t_end - t : c->chunk;
        kern->wino->input(ws->bpack, c->vstride, in, c->in_stride, &c->wg, kern->gemm->nr, t, n);
        for (int x = 0; x < SI_WINO_POS; x++) {
            si_sgemm_args a = {
                .m = (size_t)c->cout,
                .n = n,
                .k = c->k,
                .a_packed = c->a + (size_t)x * c->a_stride,
                .b_packed = ws->bpack + (size_t)x * c->vstride,
                .c = ws->ctmp + (size_t)x * mstride,
                .ldc = n,
            };
            si_sgemm(kern->gemm, &a, ws->gemm_ws);
        }
        kern->wino->output(out, c->out_stride, c->out_cstride, ws->ctmp, mstride, n, &c->wg, 0,
                           c->cout, c->shift, c->relu, t, n);
    }
}
