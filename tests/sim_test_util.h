/* Helpers shared by the simulator tests: models, configurations, the 2-D
 * analytic solution and error measures. */
#ifndef SI_SIM_TEST_UTIL_H
#define SI_SIM_TEST_UTIL_H

#include <math.h>

#include "seisinv/sim.h"
#include "test_util.h"

#define SI_PI 3.14159265358979323846

static inline float *sim_test_model(int nz, int nx, float v) {
    float *m = malloc((size_t)nz * nx * sizeof *m);
    assert_non_null(m);
    for (int i = 0; i < nz * nx; i++)
        m[i] = v;
    return m;
}

/* A config with one source at (sz, sx) and nrec receivers on row rz at the
 * given columns; threads 1 unless changed. */
static inline void sim_test_config(si_sim_config *c, int nz, int nx, int nt, int order, int sz,
                                   int sx, int rz, int nrec, const int *rx) {
    si_sim_config_default(c, nz, nx);
    c->nt = nt, c->order = order, c->threads = 1;
    c->nsrc = 1, c->src_z = sz, c->src_x[0] = sx;
    c->nrec = nrec, c->rec_z = rz;
    for (int i = 0; i < nrec; i++)
        c->rec_x[i] = rx[i];
}

/* dx dz (1/2pi) int_0^{acosh(vt/r)} s(t - (r/v) cosh u) du, Simpson in u. */
static inline double sim_test_analytic(double r, double t, double v, double f0, double dx) {
    if (v * t <= r) return 0.0;
    const int n = 4000; /* even */
    double U = acosh(v * t / r), h = U / n, sum = 0;
    for (int i = 0; i <= n; i++) {
        double w = (i == 0 || i == n) ? 1 : (i & 1) ? 4 : 2;
        sum += w * si_ricker(t - r / v * cosh(i * h), f0);
    }
    return dx * dx * sum * h / 3.0 / (2.0 * SI_PI);
}

/* ||a - b|| / ||b|| over n samples spaced by `step` floats. */
static inline double sim_test_rel_l2(const float *a, const double *b, int n, int step) {
    double num = 0, den = 0;
    for (int i = 0; i < n; i++) {
        double d = a[(size_t)i * step] - b[i];
        num += d * d, den += b[i] * b[i];
    }
    return sqrt(num / den);
}

static inline float sim_test_max_abs(const float *a, size_t n) {
    float m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmaxf(m, fabsf(a[i]));
    return m;
}

#endif
