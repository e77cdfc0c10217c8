/* Winograd F(2×2, 3×3) transforms, AVX2: eight tiles per vector. The input
 * side reads eight tiles side by side at dilation 1 with masked loads and
 * even/odd shuffles (input_run), and gathers each tile's 4×4 window with
 * masked gathers otherwise (the mask is the zero padding); the output side
 * writes two output rows of eight tiles with plain stores when the tiles are
 * adjacent and inside, else scatters. */
#include <immintrin.h>
#include <stdint.h>

#include "wino-impl.h"

enum { L = 8 };

/* Lanes j of an 8-float load from column x0 + j inside [0, w), as a mask. */
static __m256i inside(int x0, int w) {
    const __m256i j =
        _mm256_add_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(x0));
    return _mm256_and_si256(_mm256_cmpgt_epi32(j, _mm256_set1_epi32(-1)),
                            _mm256_cmpgt_epi32(_mm256_set1_epi32(w), j));
}

/* Elements 0, 2, .., 14 (odd = 0) or 1, 3, .., 15 (odd = 1) of a:b. */
static inline __m256 pick(__m256 a, __m256 b, int odd) {
    const __m256 e = odd ? _mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))
                         : _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
}

/* Lanes j of a gather of columns x0 + d·j inside [0, w), as a mask. */
static __m256i inside_strided(int x0, int d, int w) {
    const __m256i j = _mm256_add_epi32(
        _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(d)),
        _mm256_set1_epi32(x0));
    return _mm256_and_si256(_mm256_cmpgt_epi32(j, _mm256_set1_epi32(-1)),
                            _mm256_cmpgt_epi32(_mm256_set1_epi32(w), j));
}

/* Lanes 2..7 of a, then lanes 0, 1 of b. */
static inline __m256 shift2(__m256 a, __m256 b) {
    const __m256i rot = _mm256_setr_epi32(2, 3, 4, 5, 6, 7, 0, 1);
    return _mm256_blend_ps(_mm256_permutevar8x32_ps(a, rot), _mm256_permutevar8x32_ps(b, rot),
                           0xC0);
}

/* Eight tiles side by side in one tile row (same image and row, first
 * columns 2d apart): window column k of tile l is input column
 * x0 + d·(2l + k - 1), so each window row is 18 values d apart. At
 * dilation 1 they are read with four masked loads (the mask is the
 * padding), else with three gathers (18 lanes, not 32), and split into even
 * and odd elements. Returns 0, writing nothing, when the eight tiles are
 * not such a run. */
static int input_run(size_t dst_stride, float *base, const float *in, size_t img_stride,
                     const si_wino_geom *g, size_t nr, size_t t) {
    size_t img, img7;
    int y0, x0, y7, x7;
    si_wino_tile(g, t, &img, &y0, &x0);
    si_wino_tile(g, t + L - 1, &img7, &y7, &x7);
    const int d = g->dil;
    /* origins along a row rise by 2d within a residue class mod d, and a
     * later class starts at a column that is not x0 + 14d: first and last
     * decide */
    if (img7 != img || y7 != y0 || x7 != x0 + 2 * d * (L - 1)) return 0;
    const size_t cin = (size_t)g->cin, plane = (size_t)g->h * (size_t)g->w;
    const int xs = x0 - d, w = g->w;
    const __m256i ma = inside(xs, w), mb = inside(xs + 8, w);
    const __m256i mc = inside(xs + 2, w), me = inside(xs + 10, w);
    const __m256i ga = inside_strided(xs, d, w), gb = inside_strided(xs + 8 * d, d, w);
    const __m256i gc = _mm256_and_si256(inside_strided(xs + 16 * d, d, w),
                                        _mm256_setr_epi32(-1, -1, 0, 0, 0, 0, 0, 0));
    const __m256i ia = _mm256_add_epi32(
        _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(d)),
        _mm256_set1_epi32(xs));
    const __m256i ib = _mm256_add_epi32(ia, _mm256_set1_epi32(8 * d));
    const __m256i ic = _mm256_add_epi32(ib, _mm256_set1_epi32(8 * d));
    int rows[4];
    for (int i = 0; i < 4; i++) {
        const int y = y0 + d * (i - 1);
        rows[i] = y >= 0 && y < g->h ? y : -1;
    }
    const __m256 zero = _mm256_setzero_ps();
    for (size_t ci = 0; ci < cin; ci++) {
        const float *src = in + img * img_stride + ci * plane;
        __m256 v[SI_WINO_POS], t4[SI_WINO_POS];
        for (int i = 0; i < 4; i++) {
            if (rows[i] < 0) {
                v[4 * i] = v[4 * i + 1] = v[4 * i + 2] = v[4 * i + 3] = zero;
                continue;
            }
            const float *row = src + (size_t)rows[i] * w;
            __m256 a, b, c, e;
            if (d == 1) {
                /* masked lanes are never read: the address may be one before the row */
                const float *p = (const float *)((uintptr_t)row + (uintptr_t)((intptr_t)xs * 4));
                a = _mm256_maskload_ps(p, ma), b = _mm256_maskload_ps(p + 8, mb);
                c = _mm256_maskload_ps(p + 2, mc), e = _mm256_maskload_ps(p + 10, me);
            } else {
                a = _mm256_mask_i32gather_ps(zero, row, ia, _mm256_castsi256_ps(ga), 4);
                b = _mm256_mask_i32gather_ps(zero, row, ib, _mm256_castsi256_ps(gb), 4);
                const __m256 f =
                    _mm256_mask_i32gather_ps(zero, row, ic, _mm256_castsi256_ps(gc), 4);
                c = shift2(a, b), e = shift2(b, f);
            }
            v[4 * i] = pick(a, b, 0);
            v[4 * i + 1] = pick(a, b, 1);
            v[4 * i + 2] = pick(c, e, 0);
            v[4 * i + 3] = pick(c, e, 1);
        }
        for (int j = 0; j < 4; j++) { /* Bᵀ d */
            t4[j] = _mm256_sub_ps(v[j], v[8 + j]);
            t4[4 + j] = _mm256_add_ps(v[4 + j], v[8 + j]);
            t4[8 + j] = _mm256_sub_ps(v[8 + j], v[4 + j]);
            t4[12 + j] = _mm256_sub_ps(v[4 + j], v[12 + j]);
        }
        float *o = base + ci * nr;
        for (int i = 0; i < 4; i++) { /* (Bᵀ d) B */
            const __m256 *r = t4 + 4 * i;
            _mm256_storeu_ps(o + (size_t)(4 * i) * dst_stride, _mm256_sub_ps(r[0], r[2]));
            _mm256_storeu_ps(o + (size_t)(4 * i + 1) * dst_stride, _mm256_add_ps(r[1], r[2]));
            _mm256_storeu_ps(o + (size_t)(4 * i + 2) * dst_stride, _mm256_sub_ps(r[2], r[1]));
            _mm256_storeu_ps(o + (size_t)(4 * i + 3) * dst_stride, _mm256_sub_ps(r[1], r[3]));
        }
    }
    return 1;
}

void si_wino_input_avx2(float *dst, size_t dst_stride, const float *in, size_t img_stride,
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
    const int d = g->dil;
    for (size_t q0 = 0; q0 < cols; q0 += L) {
        float *base = dst + q0 / nr * cin * nr + q0 % nr;
        if (q0 >= n) {
            for (int x = 0; x < SI_WINO_POS; x++)
                for (size_t ci = 0; ci < cin; ci++)
                    _mm256_storeu_ps(base + x * dst_stride + ci * nr, _mm256_setzero_ps());
            continue;
        }
        if (q0 + L <= n && input_run(dst_stride, base, in, img_stride, g, nr, t0 + q0)) continue;
        int32_t off[SI_WINO_POS][L], ok[SI_WINO_POS][L];
        for (int l = 0; l < L; l++) {
            size_t img = 0;
            int y0 = 0, x0 = 0;
            const int live = q0 + (size_t)l < n;
            if (live) si_wino_tile(g, t0 + q0 + (size_t)l, &img, &y0, &x0);
            for (int k = 0; k < SI_WINO_POS; k++) {
                const int y = y0 + d * (k / 4 - 1), x = x0 + d * (k % 4 - 1);
                const int inside = live && y >= 0 && y < g->h && x >= 0 && x < g->w;
                off[k][l] = inside ? (int32_t)(img * img_stride + (size_t)y * g->w + (size_t)x) : 0;
                ok[k][l] = inside ? -1 : 0;
            }
        }
        __m256i idx[SI_WINO_POS];
        __m256 mask[SI_WINO_POS];
        for (int k = 0; k < SI_WINO_POS; k++) {
            idx[k] = _mm256_loadu_si256((const __m256i *)off[k]);
            mask[k] = _mm256_castsi256_ps(_mm256_loadu_si256((const __m256i *)ok[k]));
        }
        const __m256 zero = _mm256_setzero_ps();
        for (size_t ci = 0; ci < cin; ci++) {
            const float *src = in + ci * plane;
            __m256 v[SI_WINO_POS], t[SI_WINO_POS];
            for (int k = 0; k < SI_WINO_POS; k++)
                v[k] = _mm256_mask_i32gather_ps(zero, src, idx[k], mask[k], 4);
            for (int j = 0; j < 4; j++) { /* Bᵀ d */
                t[j] = _mm256_sub_ps(v[j], v[8 + j]);
                t[4 + j] = _mm256_add_ps(v[4 + j], v[8 + j]);
                t[8 + j] = _mm256_sub_ps(v[8 + j], v[4 + j]);
                t[12 + j] = _mm256_sub_ps(v[4 + j], v[12 + j]);
            }
            float *o = base + ci * nr;
            for (int i = 0; i < 4; i++) { /* (Bᵀ d) B */
                const __m256 *r = t + 4 * i;
                _mm256_storeu_ps(o + (size_t)(4 * i) * dst_stride, _mm256_sub_ps(r[0], r[2]));
                _mm256_storeu_ps(o + (size_t)(4 * i + 1) * dst_stride, _mm256_add_ps(r[1], r[2]));
                _mm256_storeu_ps(o + (size_t)(4 * i + 2) * dst_stride, _mm256_sub_ps(r[2], r[1]));
                _mm256_storeu_ps(o + (size_t)(4 * i + 3) * dst_stride, _mm256_sub_ps(r[1], r[3]));
            }
        }
    }
}

void si_wino_output_avx2(float *out, size_t out_img_stride, size_t out_cstride, const float *m,
                         size_t m_stride, size_t ldm, const si_wino_geom *g, int co0, int co1,
                         const float *shift, int relu, size_t t0, size_t n) {
    const int d = g->dil, w = g->w;
    const size_t full = n / L * L;
    for (size_t q0 = 0; q0 < full; q0 += L) {
        size_t img[L];
        int y0[L], x0[L];
        for (int l = 0; l < L; l++)
            si_wino_tile(g, t0 + q0 + (size_t)l, &img[l], &y0[l], &x0[l]);
        /* eight neighbours along one tile row, all pixels inside: rows of 16 */
        int row = d == 1 && x0[0] + 2 * L <= w && y0[0] + 1 < g->h;
        for (int l = 1; row && l < L; l++)
            row = img[l] == img[0] && y0[l] == y0[0] && x0[l] == x0[0] + 2 * l;
        for (int co = co0; co < co1; co++) {
            const float *src = m + (size_t)co * ldm + q0;
            __m256 r0[4], r1[4];
            for (int j = 0; j < 4; j++) { /* Aᵀ M */
                const __m256 m0 = _mm256_loadu_ps(src + j * m_stride);
                const __m256 m1 = _mm256_loadu_ps(src + (4 + j) * m_stride);
                const __m256 m2 = _mm256_loadu_ps(src + (8 + j) * m_stride);
                const __m256 m3 = _mm256_loadu_ps(src + (12 + j) * m_stride);
                r0[j] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
                r1[j] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
            }
            const __m256 b = _mm256_set1_ps(shift ? shift[co] : 0.0f), zero = _mm256_setzero_ps();
            __m256 y[4] = {
                /* (Aᵀ M) A: y[2a + c] is pixel (a, c) of each tile */
                _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(r0[0], r0[1]), r0[2]), b),
                _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(r0[1], r0[2]), r0[3]), b),
                _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(r1[0], r1[1]), r1[2]), b),
                _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(r1[1], r1[2]), r1[3]), b),
            };
            if (relu)
                for (int k = 0; k < 4; k++)
                    y[k] = _mm256_max_ps(y[k], zero);
            if (row) {
                float *o = out + img[0] * out_img_stride + (size_t)co * out_cstride +
                           (size_t)y0[0] * w + x0[0];
                for (int a = 0; a < 2; a++, o += w) {
                    const __m256 lo = _mm256_unpacklo_ps(y[2 * a], y[2 * a + 1]);
                    const __m256 hi = _mm256_unpackhi_ps(y[2 * a], y[2 * a + 1]);
                    _mm256_storeu_ps(o, _mm256_permute2f128_ps(lo, hi, 0x20));
                    _mm256_storeu_ps(o + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
                }
                continue;
            }
            float tmp[4][L];
            for (int k = 0; k < 4; k++)
                _mm256_storeu_ps(tmp[k], y[k]);
            for (int l = 0; l < L; l++) {
                float *o = out + img[l] * out_img_stride + (size_t)co * out_cstride;
                for (int k = 0; k < 4; k++) {
                    const int yy = y0[l] + d * (k / 2), xx = x0[l] + d * (k % 2);
                    if (yy < g->h && xx < w) o[yy * w + xx] = tmp[k][l];
                }
            }
        }
    }
    if (full < n)
        si_wino_output_scalar(out, out_img_stride, out_cstride, m + full, m_stride, ldm, g, co0,
                              co1, shift, relu, t0 + full, n - full);
}
