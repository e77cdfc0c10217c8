/* Conv geometry and the ConvTranspose phase decomposition (conv.h): set-up
 * code run once per layer or at model load, so plain scalar C. */
#include "conv.h"

int si_conv_geom_init(si_conv_geom *g, int cin, int h, int w, int kh, int kw, int stride_h,
                      int stride_w, int pad_h, int pad_w, int dil_h, int dil_w) {
    if (cin < 1 || h < 1 || w < 1 || kh < 1 || kw < 1 || stride_h < 1 || stride_w < 1 ||
        pad_h < 0 || pad_w < 0 || dil_h < 1 || dil_w < 1)
        return -1;
    /* Extent of the kernel and of the padded input, in long long so absurd
     * sizes fail instead of overflowing. */
    long long span_h = (long long)dil_h * (kh - 1) + 1, span_w = (long long)dil_w * (kw - 1) + 1;
    long long in_h = (long long)h + 2LL * pad_h, in_w = (long long)w + 2LL * pad_w;
    if (in_h < span_h || in_w < span_w) return -1;
    long long hout = (in_h - span_h) / stride_h + 1, wout = (in_w - span_w) / stride_w + 1;
    if (hout > 1 << 30 || wout > 1 << 30) return -1;
    *g = (si_conv_geom){.cin = cin,
                        .h = h,
                        .w = w,
                        .kh = kh,
                        .kw = kw,
                        .stride_h = stride_h,
                        .stride_w = stride_w,
                        .pad_h = pad_h,
                        .pad_w = pad_w,
                        .dil_h = dil_h,
                        .dil_w = dil_w,
                        .hout = (int)hout,
                        .wout = (int)wout};
    return 0;
}

size_t si_conv_im2col_k(const si_conv_geom *g) {
    return (size_t)g->cin * (size_t)g->kh * (size_t)g->kw;
}

size_t si_conv_im2col_floats(const si_conv_geom *g, size_t nr, size_t n) {
    return (n + nr - 1) / nr * nr * si_conv_im2col_k(g);
}

int si_conv_g1_out_len(int t) {
    return (t + 2 * SI_CONV_G1_PAD - SI_CONV_G1_KW) / SI_CONV_G1_STRIDE + 1;
}

void si_convt_phase_geom(si_conv_geom *g, int cin, int h, int w, int py, int px) {
    *g = (si_conv_geom){.cin = cin,
                        .h = h,
                        .w = w,
                        .kh = 2,
                        .kw = 2,
                        .stride_h = 1,
                        .stride_w = 1,
                        .pad_h = 1 - py,
                        .pad_w = 1 - px,
                        .dil_h = 1,
                        .dil_w = 1,
                        .hout = h,
                        .wout = w};
}

void si_convt_phase_weights(float *dst, const float *w, int cin, int cout) {
    const size_t k = (size_t)cin * 4;
    for (int py = 0; py < 2; py++)
        for (int px = 0; px < 2; px++) {
            float *a = dst + (size_t)(2 * py + px) * (size_t)cout * k;
            for (int co = 0; co < cout; co++)
                for (int ci = 0; ci < cin; ci++)
                    for (int dy = 0; dy < 2; dy++)
                        for (int dx = 0; dx < 2; dx++) {
                            int ky = 3 - py - 2 * dy, kx = 3 - px - 2 * dx;
                            a[(size_t)co * k + (size_t)ci * 4 + 2 * dy + dx] =
                                w[(((size_t)ci * cout + co) * 4 + ky) * 4 + kx];
                        }
        }
}
