/* Neighbour conv 5×5 / stride 1 / pad 2, AVX-512: the AVX2 kernel
 * (conv-nb5x5-avx2.c) with 16 outputs per vector along T, a register block
 * of CO output channels × TV vectors (CO = 4, TV = 2: 6 loads per 8 FMAs).
 *
 * The interior blocks read the input rows directly; the first 16 outputs of
 * a row and the tail read a zero-padded copy of the 20-float window instead,
 * so no load leaves the row. Rows above and below the image are skipped. */
#include <immintrin.h>
#include <string.h>

#include "conv-impl.h"

#define INLINE static inline __attribute__((always_inline))

enum { K = SI_CONV_NB_K, P = SI_CONV_NB_PAD, KK = K * K };

/* Outputs x0 .. x0 + 16 TV - 1 of row r, channels co0 .. co0 + CO - 1; every
 * input read x0 - 2 .. x0 + 16 TV + 1 is inside the row. */
INLINE void block(float *out, const float *in, const float *w, const float *bias, int cin, int co0,
                  int rows, int t, int r, int x0, const int CO, const int TV) {
    __m512 acc[4][8];
    for (int co = 0; co < CO; co++)
        for (int v = 0; v < TV; v++)
            acc[co][v] = bias ? _mm512_set1_ps(bias[co0 + co]) : _mm512_setzero_ps();
    for (int ci = 0; ci < cin; ci++) {
        for (int ky = 0; ky < K; ky++) {
            const int iy = r + ky - P;
            if (iy < 0 || iy >= rows) continue;
            const float *row = in + ((size_t)ci * rows + iy) * t + x0 - P;
            const float *wk = w + ((size_t)co0 * cin + ci) * KK + ky * K;
            for (int kx = 0; kx < K; kx++) {
                __m512 xv[8];
                for (int v = 0; v < TV; v++)
                    xv[v] = _mm512_loadu_ps(row + kx + 16 * v);
                for (int co = 0; co < CO; co++) {
                    const __m512 wv = _mm512_set1_ps(wk[(size_t)co * cin * KK + kx]);
                    for (int v = 0; v < TV; v++)
                        acc[co][v] = _mm512_fmadd_ps(wv, xv[v], acc[co][v]);
                }
            }
        }
    }
    for (int co = 0; co < CO; co++) {
        float *y = out + ((size_t)(co0 + co) * rows + r) * t + x0;
        for (int v = 0; v < TV; v++)
            _mm512_storeu_ps(y + 16 * v, acc[co][v]);
    }
}

/* Outputs x0 .. min(x0 + 16, t) - 1 of row r for every channel, from a
 * zero-padded copy of each input window (image edges, short rows). */
static void edge(float *out, const float *in, const float *w, const float *bias, int cin, int cout,
                 int rows, int t, int r, int x0) {
    const int n = t - x0 < 16 ? t - x0 : 16;
    for (int co = 0; co < cout; co++) {
        __m512 acc = bias ? _mm512_set1_ps(bias[co]) : _mm512_setzero_ps();
        for (int ci = 0; ci < cin; ci++) {
            for (int ky = 0; ky < K; ky++) {
                const int iy = r + ky - P;
                if (iy < 0 || iy >= rows) continue;
                const float *row = in + ((size_t)ci * rows + iy) * t;
                float win[32] = {0}; /* win[i] = row[x0 - 2 + i] */
                for (int i = 0; i < 20; i++) {
                    int ix = x0 - P + i;
                    if (ix >= 0 && ix < t) win[i] = row[ix];
                }
                const float *wk = w + ((size_t)co * cin + ci) * KK + ky * K;
                for (int kx = 0; kx < K; kx++)
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(wk[kx]), _mm512_loadu_ps(win + kx), acc);
            }
        }
        float tmp[16];
        _mm512_storeu_ps(tmp, acc);
        memcpy(out + ((size_t)co * rows + r) * t + x0, tmp, (size_t)n * sizeof *tmp);
    }
}

/* The interior of row r for channels co0 .. co0 + CO - 1: from x0 = 16 in
 * blocks of TV vectors, then single vectors; returns where it stopped. */
INLINE int interior(float *out, const float *in, const float *w, const float *bias, int cin,
                    int co0, int rows, int t, int r, const int CO, const int TV) {
    int x0 = 16;
    for (; x0 + 16 * TV + P <= t; x0 += 16 * TV)
        block(out, in, w, bias, cin, co0, rows, t, r, x0, CO, TV);
    for (; x0 + 16 + P <= t; x0 += 16)
        block(out, in, w, bias, cin, co0, rows, t, r, x0, CO, 1);
    return x0;
}

void si_conv_nb5_avx512(float *out, const float *in, const float *w, const float *bias, int cin,
                        int cout, int rows, int t) {
    for (int r = 0; r < rows; r++) {
        int xe = 16;
        for (int co0 = 0; co0 < cout;) {
            if (cout - co0 >= 4) {
                xe = interior(out, in, w, bias, cin, co0, rows, t, r, 4, 2);
                co0 += 4;
            } else if (cout - co0 >= 2) {
                xe = interior(out, in, w, bias, cin, co0, rows, t, r, 2, 4);
                co0 += 2;
            } else {
                xe = interior(out, in, w, bias, cin, co0, rows, t, r, 1, 8);
                co0 += 1;
            }
        }
        edge(out, in, w, bias, cin, cout, rows, t, r, 0);
        for (int x0 = xe; x0 < t; x0 += 16)
            edge(out, in, w, bias, cin, cout, rows, t, r, x0);
    }
}
