/* The Ricker source wavelet (SPEC §2). */
#include <math.h>

#include "seisinv/sim.h"

double si_ricker(double t, double f0) {
    if (t < 0) return 0.0; /* the source starts at t = 0 */
    const double pi = 3.14159265358979323846;
    double a = pi * f0 * (t - 1.0 / f0);
    a *= a;
    return (1.0 - 2.0 * a) * exp(-a);
}
