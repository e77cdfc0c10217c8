/* Global layer 1, scalar reference: conv(1→C, [1,7], stride [1,4], pad
 * [0,3]) + folded BatchNorm + ReLU, straight from the formula in conv.h. */
#include "conv-impl.h"

void si_conv_g1_scalar(float *out, const float *in, const float *w, const float *scale,
                       const float *shift, int cout, int rows, int t) {
    const int tout = si_conv_g1_out_len(t);
    for (int c = 0; c < cout; c++) {
        const float *wc = w + (size_t)c * SI_CONV_G1_KW;
        for (int r = 0; r < rows; r++) {
            const float *x = in + (size_t)r * t;
            float *y = out + ((size_t)c * rows + r) * tout;
            for (int o = 0; o < tout; o++) {
                float s = 0.0f;
                for (int k = 0; k < SI_CONV_G1_KW; k++) {
                    int i = o * SI_CONV_G1_STRIDE - SI_CONV_G1_PAD + k;
                    if (i >= 0 && i < t) s += wc[k] * x[i];
                }
                float v = s * scale[c] + shift[c];
                y[o] = v > 0.0f ? v : 0.0f;
            }
        }
    }
}
