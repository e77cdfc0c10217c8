/* Centre-crop copy: one memcpy per kept row. */
#include <string.h>

#include "act-impl.h"

void si_act_crop_rows(float *dst, const float *src, int c, int h_src, int w_src, int top, int left,
                      int h, int w) {
    for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < h; i++)
            memcpy(dst + ((size_t)ch * h + i) * w,
                   src + ((size_t)ch * h_src + top + i) * w_src + left, (size_t)w * sizeof *dst);
}
