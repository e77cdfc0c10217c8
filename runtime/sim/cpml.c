/* CPML damping profiles (Pasalic & McGarry 2010), one axis at a time. */
#include <math.h>

#include "sim_internal.h"

void si_sim_cpml_profile(float *a, float *b, int n, int lo, int hi, double dx, double dt,
                         double vmax, double f0, double reflection) {
    const double pi = 3.14159265358979323846;
    for (int i = 0; i < n; i++) {
        /* x/L: depth into the layer, 1/L at its first cell, 1 at the outer edge. */
        double x = 0;
        int cells = 0;
        if (i < lo)
            x = (double)(lo - i) / lo, cells = lo;
        else if (i >= n - hi)
            x = (double)(i - (n - hi - 1)) / hi, cells = hi;
        if (cells == 0) {
            a[i] = b[i] = 0.0f;
            continue;
        }
        double d0 = -3.0 * vmax * log(reflection) / (2.0 * cells * dx);
        double d = d0 * x * x, alpha = pi * f0 * (1.0 - x);
        double bb = exp(-(d + alpha) * dt);
        b[i] = (float)bb;
        a[i] = (float)(d / (d + alpha) * (bb - 1.0));
    }
}
