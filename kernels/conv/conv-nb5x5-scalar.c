/* Neighbour conv, scalar reference: 5×5, stride 1, pad 2, bias, one output
 * value at a time, straight from the formula in conv.h. */
#include "conv-impl.h"

void si_conv_nb5_scalar(float *out, const float *in, const float *w, const float *bias, int cin,
                        int cout, int rows, int t) {
    enum { K = SI_CONV_NB_K, P = SI_CONV_NB_PAD };
    for (int co = 0; co < cout; co++)
        for (int r = 0; r < rows; r++)
            for (int x = 0; x < t; x++) {
                float s = bias ? bias[co] : 0.0f;
                for (int ci = 0; ci < cin; ci++)
                    for (int ky = 0; ky < K; ky++) {
                        int iy = r + ky - P;
                        if (iy < 0 || iy >= rows) continue;
                        const float *row = in + ((size_t)ci * rows + iy) * t;
                        const float *wk = w + (((size_t)co * cin + ci) * K + ky) * K;
                        for (int kx = 0; kx < K; kx++) {
                            int ix = x + kx - P;
                            if (ix >= 0 && ix < t) s += wk[kx] * row[ix];
                        }
                    }
                out[((size_t)co * rows + r) * t + x] = s;
            }
}
