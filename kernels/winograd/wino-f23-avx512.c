/* Winograd F(2×2, 3×3) transforms, AVX-512: sixteen tiles per vector.
 *
 * Sixteen tiles side by side in one tile row (same image, same first row,
 * first columns 2d apart) at dilation 1 read, per window row, the 34
 * consecutive input values x0 - 1 .. x0 + 32: window column k of tile l is
 * x0 - 1 + 2l + k. So the input side loads that stretch with masked loads
 * (the mask is the zero padding and the image's edge) and picks the even
 * and odd elements with one two-source permute per column, instead of
 * sixteen gathers; the output side interleaves the two pixels of each tile
 * into 32 consecutive pixels per output row and stores them with a mask.
 * A run at dilation d > 1 reads the same pattern at stride d: three
 * gathers per window row (34 columns) instead of four sixteen-lane ones.
 * Other groups (tiles across a tile row or image, the tail) and the output
 * at d > 1 gather and scatter with per-lane offsets and masks. */
#include <immintrin.h>
#include <stdint.h>

#include "wino-impl.h"

enum { L = 16 };

/* Lanes j of a 16-float load from column x0 + j that lie inside [0, w). */
static __mmask16 inside(int x0, int w) {
    const int lo = x0 < 0 ? -x0 : 0, hi = w - x0 < L ? w - x0 : L;
    if (hi <= lo) return 0;
    return (__mmask16)(((1u << (hi - lo)) - 1u) << lo);
}

/* Lanes j of a gather of columns x0 + d·j that lie inside [0, w). */
static __mmask16 inside_strided(int x0, int d, int w) {
    unsigned k = 0;
    for (int j = 0; j < L; j++)
        k |= (unsigned)(x0 + d * j >= 0 && x0 + d * j < w) << j;
    return (__mmask16)k;
}

/* Where the tiles of a group are; returns whether they are one run along a
 * tile row (all L lanes live, first columns 2d apart). */
static int group_tiles(const si_wino_geom *g, size_t t0, size_t live, size_t img[L], int y0[L],
                       int x0[L]) {
    for (size_t l = 0; l < live; l++)
        si_wino_tile(g, t0 + l, &img[l], &y0[l], &x0[l]);
    int run = live == L;
    for (int l = 1; run && l < L; l++)
        run = img[l] == img[0] && y0[l] == y0[0] && x0[l] == x0[0] + 2 * g->dil * l;
    return run;
}

/* Bᵀ d B of 16 tiles (v[4 i + k]: window row i, column k) into the 16
 * transform positions at o + ξ·stride. */
static inline void input_store(float *o, size_t stride, const __m512 v[SI_WINO_POS]) {
    __m512 t[SI_WINO_POS];
    for (int j = 0; j < 4; j++) { /* Bᵀ d */
        t[j] = _mm512_sub_ps(v[j], v[8 + j]);
        t[4 + j] = _mm512_add_ps(v[4 + j], v[8 + j]);
        t[8 + j] = _mm512_sub_ps(v[8 + j], v[4 + j]);
        t[12 + j] = _mm512_sub_ps(v[4 + j], v[12 + j]);
    }
    for (int i = 0; i < 4; i++) { /* (Bᵀ d) B */
        const __m512 *r = t + 4 * i;
        _mm512_storeu_ps(o + (size_t)(4 * i) * stride, _mm512_sub_ps(r[0], r[2]));
        _mm512_storeu_ps(o + (size_t)(4 * i + 1) * stride, _mm512_add_ps(r[1], r[2]));
        _mm512_storeu_ps(o + (size_t)(4 * i + 2) * stride, _mm512_sub_ps(r[2], r[1]));
        _mm512_storeu_ps(o + (size_t)(4 * i + 3) * stride, _mm512_sub_ps(r[1], r[3]));
    }
}

void si_wino_input_avx512(float *dst, size_t dst_stride, const float *in, size_t img_stride,
                          const si_wino_geom *g, size_t nr, size_t t0, size_t n) {
    const size_t cin = (size_t)g->cin, plane = (size_t)g->h * (size_t)g->w;
    const size_t per = (size_t)g->nty * (size_t)g->ntx;
    /* gathers take 32-bit offsets from the channel's base */
    const size_t last_img = (t0 + (n ? n - 1 : 0)) / per;
    if (nr % L || last_img * img_stride + plane > (size_t)INT32_MAX) {
        si_wino_input_scalar(dst, dst_stride, in, img_stride, g, nr, t0, n);
        return;
    }
    const size_t cols = (n + nr - 1) / nr * nr;
    const int d = g->dil, w = g->w;
    const __m512i even =
        _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    const __m512 zero = _mm512_setzero_ps();
    for (size_t q0 = 0; q0 < cols; q0 += L) {
        float *base = dst + q0 / nr * cin * nr + q0 % nr;
        if (q0 >= n) {
            for (int x = 0; x < SI_WINO_POS; x++)
                for (size_t ci = 0; ci < cin; ci++)
                    _mm512_storeu_ps(base + x * dst_stride + ci * nr, zero);
            continue;
        }
        const size_t live = n - q0 < L ? n - q0 : L;
        size_t img[L];
        int y0[L], x0[L];
        const int run = group_tiles(g, t0 + q0, live, img, y0, x0);
        if (run && d > 1) {
            /* A run on the lattice: window column k of tile l is column
             * xs + d·(2l + k), so per window row three gathers (34 columns)
             * and the same even/odd picking instead of four 16-lane ones. */
            const int xs = x0[0] - d;
            const __m512i step = _mm512_mullo_epi32(
                _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                _mm512_set1_epi32(d));
            const __m512i i0 = _mm512_add_epi32(step, _mm512_set1_epi32(xs));
            const __m512i i1 = _mm512_add_epi32(i0, _mm512_set1_epi32(L * d));
            const __m512i i2 = _mm512_add_epi32(i1, _mm512_set1_epi32(L * d));
            const __mmask16 m0 = inside_strided(xs, d, w), m1 = inside_strided(xs + L * d, d, w);
            const __mmask16 m2 = inside_strided(xs + 2 * L * d, d, w) & 0x3;
            int rows[4];
            for (int i = 0; i < 4; i++) {
                const int y = y0[0] + d * (i - 1);
                rows[i] = y >= 0 && y < g->h ? y : -1;
            }
            for (size_t ci = 0; ci < cin; ci++) {
                const float *src = in + img[0] * img_stride + ci * plane;
                __m512 v[SI_WINO_POS];
                for (int i = 0; i < 4; i++) {
                    if (rows[i] < 0) {
                        v[4 * i] = v[4 * i + 1] = v[4 * i + 2] = v[4 * i + 3] = zero;
                        continue;
                    }
                    const float *row = src + (size_t)rows[i] * w;
                    const __m512 a = _mm512_mask_i32gather_ps(zero, m0, i0, row, 4);
                    const __m512 b = _mm512_mask_i32gather_ps(zero, m1, i1, row, 4);
                    const __m512 c2 = _mm512_mask_i32gather_ps(zero, m2, i2, row, 4);
                    /* columns 2..17 and 18..33 */
                    const __m512 c = _mm512_castsi512_ps(
                        _mm512_alignr_epi32(_mm512_castps_si512(b), _mm512_castps_si512(a), 2));
                    const __m512 e = _mm512_castsi512_ps(
                        _mm512_alignr_epi32(_mm512_castps_si512(c2), _mm512_castps_si512(b), 2));
                    v[4 * i] = _mm512_permutex2var_ps(a, even, b);
                    v[4 * i + 1] = _mm512_permutex2var_ps(a, odd, b);
                    v[4 * i + 2] = _mm512_permutex2var_ps(c, even, e);
                    v[4 * i + 3] = _mm512_permutex2var_ps(c, odd, e);
                }
                input_store(base + ci * nr, dst_stride, v);
            }
            continue;
        }
        if (run) {
            /* window row i is input row y0 - 1 + i; columns from xs */
            const int xs = x0[0] - 1;
            const __mmask16 m0 = inside(xs, w), m1 = inside(xs + L, w);
            const __mmask16 m2 = inside(xs + 2, w), m3 = inside(xs + 2 + L, w);
            int rows[4];
            for (int i = 0; i < 4; i++) {
                const int y = y0[0] - 1 + i;
                rows[i] = y >= 0 && y < g->h ? y : -1;
            }
            for (size_t ci = 0; ci < cin; ci++) {
                const float *src = in + img[0] * img_stride + ci * plane;
                __m512 v[SI_WINO_POS];
                for (int i = 0; i < 4; i++) {
                    if (rows[i] < 0) {
                        v[4 * i] = v[4 * i + 1] = v[4 * i + 2] = v[4 * i + 3] = zero;
                        continue;
                    }
                    /* columns xs .. xs + 33; masked lanes are never read, so
                     * the address may start one before the row */
                    const uintptr_t row = (uintptr_t)(src + (size_t)rows[i] * w);
                    const float *p = (const float *)(row + (uintptr_t)((intptr_t)xs * 4));
                    const __m512 a = _mm512_maskz_loadu_ps(m0, p);
                    const __m512 b = _mm512_maskz_loadu_ps(m1, p + L);
                    const __m512 c = _mm512_maskz_loadu_ps(m2, p + 2);
                    const __m512 e = _mm512_maskz_loadu_ps(m3, p + 2 + L);
                    v[4 * i] = _mm512_permutex2var_ps(a, even, b);
                    v[4 * i + 1] = _mm512_permutex2var_ps(a, odd, b);
                    v[4 * i + 2] = _mm512_permutex2var_ps(c, even, e);
                    v[4 * i + 3] = _mm512_permutex2var_ps(c, odd, e);
                }
                input_store(base + ci * nr, dst_stride, v);
            }
            continue;
        }
        int32_t off[SI_WINO_POS][L];
        __mmask16 ok[SI_WINO_POS] = {0};
        for (size_t l = 0; l < L; l++)
            for (int k = 0; k < SI_WINO_POS; k++) {
                const int y = l < live ? y0[l] + d * (k / 4 - 1) : -1;
                const int x = l < live ? x0[l] + d * (k % 4 - 1) : -1;
                const int in_img = y >= 0 && y < g->h && x >= 0 && x < w;
                off[k][l] = in_img ? (int32_t)(img[l] * img_stride + (size_t)y * w + (size_t)x) : 0;
                if (in_img) ok[k] |= (__mmask16)(1u << l);
            }
        __m512i idx[SI_WINO_POS];
        for (int k = 0; k < SI_WINO_POS; k++)
            idx[k] = _mm512_loadu_si512(off[k]);
        for (size_t ci = 0; ci < cin; ci++) {
            const float *src = in + ci * plane;
            __m512 v[SI_WINO_POS];
            for (int k = 0; k < SI_WINO_POS; k++)
                v[k] = _mm512_mask_i32gather_ps(zero, ok[k], idx[k], src, 4);
            input_store(base + ci * nr, dst_stride, v);
        }
    }
}

void si_wino_output_avx512(float *out, size_t out_img_stride, size_t out_cstride, const float *m,
                           size_t m_stride, size_t ldm, const si_wino_geom *g, int co0, int co1,
                           const float *shift, int relu, size_t t0, size_t n) {
    const int d = g->dil, w = g->w;
    const size_t per = (size_t)g->nty * (size_t)g->ntx;
    const size_t plane = (size_t)g->h * (size_t)w;
    /* scatters take 32-bit offsets from the channel's base */
    const size_t last_img = (t0 + (n ? n - 1 : 0)) / per;
    if (last_img * out_img_stride + plane > (size_t)INT32_MAX) {
        si_wino_output_scalar(out, out_img_stride, out_cstride, m, m_stride, ldm, g, co0, co1,
                              shift, relu, t0, n);
        return;
    }
    /* pixel c of tile l of a run goes to lane 2l + c of the output row */
    const __m512i lo_idx =
        _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i hi_idx = _mm512_add_epi32(lo_idx, _mm512_set1_epi32(8));
    const __m512 zero = _mm512_setzero_ps();
    for (size_t q0 = 0; q0 < n; q0 += L) {
        const size_t live = n - q0 < L ? n - q0 : L;
        const __mmask16 lanes = (__mmask16)((1u << live) - 1u);
        size_t img[L];
        int y0[L], x0[L];
        const int run = group_tiles(g, t0 + q0, live, img, y0, x0) && d == 1;
        int32_t off[4][L];
        __mmask16 ok[4] = {0}, col[2] = {0};
        int row_ok[2] = {0, 0};
        __m512i idx[4];
        if (run) { /* rows y0, y0 + 1; 32 columns from x0 */
            for (int a = 0; a < 2; a++)
                row_ok[a] = y0[0] + a < g->h;
            col[0] = inside(x0[0], w), col[1] = inside(x0[0] + L, w);
        } else {
            for (size_t l = 0; l < live; l++)
                for (int k = 0; k < 4; k++) {
                    const int yy = y0[l] + d * (k / 2), xx = x0[l] + d * (k % 2);
                    const int in_img = yy < g->h && xx < w;
                    off[k][l] =
                        in_img ? (int32_t)(img[l] * out_img_stride + (size_t)yy * w + (size_t)xx)
                               : 0;
                    if (in_img) ok[k] |= (__mmask16)(1u << l);
                }
            for (int k = 0; k < 4; k++) {
                for (size_t l = live; l < L; l++)
                    off[k][l] = 0;
                idx[k] = _mm512_loadu_si512(off[k]);
            }
        }
        for (int co = co0; co < co1; co++) {
            const float *src = m + (size_t)co * ldm + q0;
            __m512 r0[4], r1[4];
            for (int j = 0; j < 4; j++) { /* Aᵀ M */
                const __m512 m0 = _mm512_maskz_loadu_ps(lanes, src + j * m_stride);
                const __m512 m1 = _mm512_maskz_loadu_ps(lanes, src + (4 + j) * m_stride);
                const __m512 m2 = _mm512_maskz_loadu_ps(lanes, src + (8 + j) * m_stride);
                const __m512 m3 = _mm512_maskz_loadu_ps(lanes, src + (12 + j) * m_stride);
                r0[j] = _mm512_add_ps(_mm512_add_ps(m0, m1), m2);
                r1[j] = _mm512_sub_ps(_mm512_sub_ps(m1, m2), m3);
            }
            const __m512 b = _mm512_set1_ps(shift ? shift[co] : 0.0f);
            __m512 y[4] = {
                /* (Aᵀ M) A: y[2a + c] is pixel (a, c) of each tile */
                _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(r0[0], r0[1]), r0[2]), b),
                _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(r0[1], r0[2]), r0[3]), b),
                _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(r1[0], r1[1]), r1[2]), b),
                _mm512_add_ps(_mm512_sub_ps(_mm512_sub_ps(r1[1], r1[2]), r1[3]), b),
            };
            if (relu)
                for (int k = 0; k < 4; k++)
                    y[k] = _mm512_max_ps(y[k], zero);
            float *o = out + (size_t)co * out_cstride;
            if (run) {
                o += img[0] * out_img_stride + (size_t)y0[0] * w + x0[0];
                for (int a = 0; a < 2; a++, o += w) {
                    if (!row_ok[a]) continue;
                    _mm512_mask_storeu_ps(o, col[0],
                                          _mm512_permutex2var_ps(y[2 * a], lo_idx, y[2 * a + 1]));
                    _mm512_mask_storeu_ps(o + L, col[1],
                                          _mm512_permutex2var_ps(y[2 * a], hi_idx, y[2 * a + 1]));
                }
                continue;
            }
            for (int k = 0; k < 4; k++)
                _mm512_mask_i32scatter_ps(o, ok[k], idx[k], y[k], 4);
        }
    }
}
