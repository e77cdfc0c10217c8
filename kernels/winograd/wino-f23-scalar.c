/* Winograd F(2×2, 3×3) transforms, scalar reference: one tile and one
 * channel at a time, straight from the matrices in winograd.h. */
#include "wino-impl.h"

void si_wino_input_scalar(float *dst, size_t dst_stride, const float *in, size_t img_stride,
                          const si_wino_geom *g, size_t nr, size_t t0, size_t n) {
    const size_t cin = (size_t)g->cin, plane = (size_t)g->h * (size_t)g->w;
    const size_t cols = (n + nr - 1) / nr * nr;
    const int d = g->dil;
    for (size_t q = 0; q < cols; q++) {
        float *base = dst + q / nr * cin * nr + q % nr;
        if (q >= n) { /* past the last tile: zero, as gemm packing does */
            for (int x = 0; x < SI_WINO_POS; x++)
                for (size_t ci = 0; ci < cin; ci++)
                    base[x * dst_stride + ci * nr] = 0.0f;
            continue;
        }
        size_t img;
        int y0, x0;
        si_wino_tile(g, t0 + q, &img, &y0, &x0);
        for (size_t ci = 0; ci < cin; ci++) {
            const float *src = in + img * img_stride + ci * plane;
            float v[4][4], t[4][4];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) {
                    const int y = y0 + d * (i - 1), x = x0 + d * (j - 1);
                    v[i][j] = y >= 0 && y < g->h && x >= 0 && x < g->w ? src[y * g->w + x] : 0.0f;
                }
            for (int j = 0; j < 4; j++) { /* Bᵀ d */
                t[0][j] = v[0][j] - v[2][j];
                t[1][j] = v[1][j] + v[2][j];
                t[2][j] = v[2][j] - v[1][j];
                t[3][j] = v[1][j] - v[3][j];
            }
            for (int i = 0; i < 4; i++) { /* (Bᵀ d) B */
                float *o = base + (size_t)(4 * i) * dst_stride + ci * nr;
                o[0] = t[i][0] - t[i][2];
                o[dst_stride] = t[i][1] + t[i][2];
                o[2 * dst_stride] = t[i][2] - t[i][1];
                o[3 * dst_stride] = t[i][1] - t[i][3];
            }
        }
    }
}

void si_wino_output_scalar(float *out, size_t out_img_stride, size_t out_cstride, const float *m,
                           size_t m_stride, size_t ldm, const si_wino_geom *g, int co0, int co1,
                           const float *shift, int relu, size_t t0, size_t n) {
    const int d = g->dil;
    for (size_t q = 0; q < n; q++) {
        size_t img;
        int y0, x0;
        si_wino_tile(g, t0 + q, &img, &y0, &x0);
        for (int co = co0; co < co1; co++) {
            const float *src = m + (size_t)co * ldm + q;
            float r[2][4];
            for (int j = 0; j < 4; j++) { /* Aᵀ M */
                const float m0 = src[j * m_stride], m1 = src[(4 + j) * m_stride];
                const float m2 = src[(8 + j) * m_stride], m3 = src[(12 + j) * m_stride];
                r[0][j] = m0 + m1 + m2;
                r[1][j] = m1 - m2 - m3;
            }
            const float b = shift ? shift[co] : 0.0f;
            float *o = out + img * out_img_stride + (size_t)co * out_cstride;
            for (int a = 0; a < 2; a++) { /* (Aᵀ M) A */
                const int y = y0 + d * a;
                if (y >= g->h) continue;
                const float y2[2] = {r[a][0] + r[a][1] + r[a][2], r[a][1] - r[a][2] - r[a][3]};
                for (int c = 0; c < 2; c++) {
                    const int x = x0 + d * c;
                    if (x >= g->w) continue;
                    float v = y2[c] + b;
                    if (relu && v < 0.0f) v = 0.0f;
                    o[y * g->w + x] = v;
                }
            }
        }
    }
}
