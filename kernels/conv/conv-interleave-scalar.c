/* ConvTranspose phase interleave, scalar reference (conv.h). */
#include "conv-impl.h"

void si_convt_interleave_scalar(float *out, const float *phases, int c, int h, int w) {
    const size_t plane = (size_t)c * h * w;
    for (int ch = 0; ch < c; ch++)
        for (int py = 0; py < 2; py++)
            for (int px = 0; px < 2; px++) {
                const float *src = phases + (size_t)(2 * py + px) * plane + (size_t)ch * h * w;
                for (int m = 0; m < h; m++)
                    for (int x = 0; x < w; x++)
                        out[((size_t)ch * 2 * h + 2 * m + py) * 2 * w + 2 * x + px] =
                            src[(size_t)m * w + x];
            }
}
