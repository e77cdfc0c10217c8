/* The survey into network units (SPEC §1): d·seis_scale, after
 * sign(d)·log1p(|d|) when the model was trained that way; one shot at a time
 * into the runtime's [R, T] layout. */
#include <math.h>

#include "nn_internal.h"

void nn_input_shot(const si_model *m, int s, float *x) {
    const size_t R = (size_t)m->info.R, T = (size_t)m->info.T;
    const float scale = (float)m->info.seis_scale;
    const float *src = m->survey + (size_t)s * R * T;
    if (m->layout == SI_LAYOUT_SRT) {
        for (size_t i = 0; i < R * T; i++)
            x[i] = src[i];
    } else { /* [T, R] → [R, T], a block of time samples at a time */
        for (size_t t0 = 0; t0 < T; t0 += 64) {
            const size_t t1 = t0 + 64 < T ? t0 + 64 : T;
            for (size_t r = 0; r < R; r++)
                for (size_t t = t0; t < t1; t++)
                    x[r * T + t] = src[t * R + r];
        }
    }
    if (m->info.seis_log1p) {
        for (size_t i = 0; i < R * T; i++) {
            const float l = log1pf(fabsf(x[i]));
            x[i] = (x[i] < 0 ? -l : x[i] > 0 ? l : 0.0f) * scale;
        }
    } else if (scale != 1.0f) {
        for (size_t i = 0; i < R * T; i++)
            x[i] *= scale;
    }
}

long long nn_input_first_bad(const float *survey, size_t n) {
    /* a sum is finite only if every term is; find the culprit only then */
    float acc = 0.0f;
    for (size_t i = 0; i < n; i++)
        acc += survey[i] * 0.0f;
    if (acc == 0.0f) return -1;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(survey[i])) return (long long)i;
    return -1;
}
