/* A conv as GEMM over im2col chunks: the weights are a pre-packed A, each
 * chunk of output pixels is im2col-packed straight into B panels (no full
 * im2col matrix), and the GEMM epilogue adds the folded BatchNorm shift and
 * applies ReLU. Threads take disjoint columns of the output (whole panels),
 * rows only when there are fewer column panels than threads. */
#include <string.h>

#include "nn_internal.h"

/* Im2col floats per chunk (512 KB): the chunk is written, then read by the
 * GEMM, so it should stay in L2; larger chunks (fewer passes over A) were
 * measured slower. */
enum { BPACK_BUDGET = 1 << 17, MIN_CHUNK = 384 };

static size_t round_up(size_t x, size_t to) {
    return (x + to - 1) / to * to;
}

void nn_conv_setup(nn_conv *c, const si_conv_geom *g, int cout, int relu,
                   const si_gemm_kernels *gemm) {
    c->g = *g;
    c->cout = cout, c->relu = relu;
    c->k = si_conv_im2col_k(g);
    c->npix = (size_t)g->hout * (size_t)g->wout;
    if (!c->out_cstride) c->out_cstride = c->npix;
    if (nn_wino_eligible(g)) {
        nn_wino_setup(c, gemm);
        return;
    }
    const size_t nr = gemm->nr, cols = (size_t)c->images * c->npix;
    size_t chunk = BPACK_BUDGET / c->k / nr * nr;
    /* Deep layers (K in the thousands) still take a few hundred columns at
     * a time: their weights, not B, are then the traffic that matters. */
    if (chunk < MIN_CHUNK) chunk = round_up(MIN_CHUNK, nr);
    if (chunk > round_up(cols, nr)) chunk = round_up(cols, nr);
    c->chunk = chunk;
}

size_t nn_conv_bpack_floats(const nn_conv *c, const si_gemm_kernels *gemm) {
    if (c->wino) return SI_WINO_POS * c->vstride;
    return si_conv_im2col_floats(&c->g, gemm->nr, c->chunk);
}

size_t nn_conv_ctmp_floats(const nn_conv *c) {
    if (c->wino) return SI_WINO_POS * c->mstride;
    /* only chunks that span images go through ctmp */
    return c->npix < c->chunk ? (size_t)c->cout * c->chunk : 0;
}

/* Threads split the output columns whenever each gets a panel: a row split
 * would have every thread build the same im2col panels (Global layer 10:
 * 512 rows, 320 columns), while a column split only has each read all of
 * the pre-packed weights. */
static si_gemm_range split(const si_gemm_kernels *gemm, size_t m, size_t n, size_t parts,
                           size_t part) {
    const size_t panels = (n + gemm->nr - 1) / gemm->nr;
    if (parts <= 1 || panels < parts) return si_gemm_split(gemm, m, n, parts, part);
    const size_t b = panels * part / parts * gemm->nr, e = panels * (part + 1) / parts * gemm->nr;
    return (si_gemm_range){0, m, b < n ? b : n, e < n ? e : n};
}

void nn_conv_run(const nn_conv *c, const nn_kernels *kern, const float *in, float *out, int part,
                 int parts, const nn_scratch *ws) {
    if (c->wino) {
        nn_wino_run(c, kern, in, out, part, parts, ws);
        return;
    }
    const size_t npix = c->npix, cols = (size_t)c->images * npix;
    const si_gemm_range r = split(kern->gemm, (size_t)c->cout, cols, (size_t)parts, (size_t)part);
    if (r.m_begin == r.m_end) return;
    for (size_t j = r.n_begin; j < r.n_end;) {
        const size_t img = j / npix, pix = j % npix;
        size_t n = r.n_end - j < c->chunk ? r.n_end - j : c->chunk;
        /* Chunks of big images stop at the image's end and write in place;
         * chunks of small images take several and go through ctmp. */
        if (npix >= c->chunk && pix + n > npix) n = npix - pix;
        const int direct = pix + n <= npix;
        kern->conv->im2col(ws->bpack, in, &c->g, c->in_stride, kern->gemm->nr, j, n);
        const si_gemm_range rows = {r.m_begin, r.m_end, 0, n};
        si_sgemm_args a = {
            .m = (size_t)c->cout,
            .n = n,
            .k = c->k,
            .a_packed = c->a,
            .b_packed = ws->bpack,
            .c = direct ? out + img * c->out_stride + pix : ws->ctmp,
            .ldc = direct ? c->out_cstride : n,
            .shift = c->shift,
            .flags = c->relu ? SI_GEMM_RELU : 0u,
            .range = &rows,
        };
        si_sgemm(kern->gemm, &a, ws->gemm_ws);
        if (!direct) {
            for (size_t co = r.m_begin; co < r.m_end; co++) {
                for (size_t jj = j; jj < j + n;) {
                    const size_t im = jj / npix, p = jj % npix;
                    const size_t len = npix - p < j + n - jj ? npix - p : j + n - jj;
                    memcpy(out + im * c->out_stride + co * c->out_cstride + p,
                           ws->ctmp + co * n + (jj - j), len * sizeof(float));
                    jj += len;
                }
            }
        }
        j += n;
    }
}
