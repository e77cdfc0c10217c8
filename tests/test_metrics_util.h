/* Shared by the loss, metrics and Adam tests: running the Python oracle
 * (tests/oracle/metrics_case.py) on .npy inputs, reading its text outputs,
 * and velocity-model-like test images. */
#ifndef SI_TEST_METRICS_UTIL_H
#define SI_TEST_METRICS_UTIL_H

#include <math.h>

#include "seisinv/npy.h"
#include "test_util.h"

/* 1 if /usr/bin/python3 has what the oracle needs (`mods`: "torch, numpy"). */
static inline int tm_have_python(const char *mods) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'import %s' >/dev/null 2>&1", mods);
    return system(cmd) == 0;
}

static inline void tm_put(const char *dir, const char *name, int ndim, const int64_t *shape,
                          const float *data) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s.npy", dir, name);
    assert_int_equal(si_npy_write(path, ndim, shape, data), SI_OK);
}

/* Runs the oracle once on n case folders (torch imports once). */
static inline void tm_oracle_n(const char *mode, const char *const *dirs, int n) {
    char cmd[8192];
    const char *src = getenv("SEISINV_SRC");
    int k = snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/oracle/metrics_case.py' %s",
                     src ? src : ".", mode);
    for (int i = 0; i < n && k < (int)sizeof cmd; i++)
        k += snprintf(cmd + k, sizeof cmd - (size_t)k, " '%s'", dirs[i]);
    assert_true(k < (int)sizeof cmd);
    assert_int_equal(system(cmd), 0);
}

static inline void tm_oracle(const char *mode, const char *dir) {
    tm_oracle_n(mode, &dir, 1);
}

/* The oracle's NAME.txt, exactly n values (malloc'ed). */
static inline double *tm_get(const char *dir, const char *name, size_t n) {
    char path[2048];
    snprintf(path, sizeof path, "%s/%s.txt", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("oracle wrote no %s", path);
    double *v = malloc((n ? n : 1) * sizeof *v);
    size_t k = 0;
    char line[128];
    while (fgets(line, sizeof line, f)) {
        if (k == n) fail_msg("%s holds more than %zu values", path, n);
        v[k++] = strtod(line, NULL);
    }
    fclose(f);
    if (k != n) fail_msg("%s holds %zu values, expected %zu", path, k, n);
    return v;
}

/* xorshift64*, uniform in [0, 1). */
static inline double tm_rand(uint64_t *s) {
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ull) >> 11) * 0x1.0p-53;
}

/* A layered "true" model in [0, 1] (velocity increasing with depth,
 * undulating interfaces) and a prediction near it: blurred-looking
 * offsets plus noise of amplitude `noise`, kept in [0, 1]. */
static inline void tm_layered_pair(float *truth, float *pred, int H, int W, double noise,
                                   uint64_t seed) {
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    const int layers = 3 + (int)(tm_rand(&s) * 3);
    double depth[8], vel[8], amp[8], ph[8];
    for (int k = 0; k < layers; k++) {
        depth[k] = (k + 1) * (double)H / (layers + 1) + (tm_rand(&s) - 0.5) * H * 0.1;
        vel[k] = 0.15 + 0.8 * (k + 1) / layers * (0.8 + 0.2 * tm_rand(&s));
        amp[k] = 0.04 * H * tm_rand(&s), ph[k] = 6.283 * tm_rand(&s);
    }
    for (int r = 0; r < H; r++)
        for (int c = 0; c < W; c++) {
            double v = 0.1;
            for (int k = 0; k < layers; k++)
                if (r > depth[k] + amp[k] * sin(ph[k] + 6.283 * c / W)) v = vel[k];
            truth[(size_t)r * W + c] = (float)v;
            double p = v + 0.05 * sin(0.3 * r + 0.2 * c) + noise * (2 * tm_rand(&s) - 1);
            pred[(size_t)r * W + c] = (float)(p < 0 ? 0 : p > 1 ? 1 : p);
        }
}

/* Largest |got − want| over the largest |want|. */
static inline double tm_rel_max(const float *got, const double *want, size_t n) {
    double err = 0, mag = 0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)got[i] - want[i]);
        if (!(e <= err)) err = e; /* NaN wins */
        if (fabs(want[i]) > mag) mag = fabs(want[i]);
    }
    return mag > 0 ? err / mag : err;
}

#endif
