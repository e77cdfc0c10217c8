/* Sigmoid, scalar reference: libm expf, one value at a time. */
#include <math.h>

#include "act-impl.h"

void si_act_sigmoid_scalar(float *y, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        y[i] = 1.0f / (1.0f + expf(-x[i]));
}
