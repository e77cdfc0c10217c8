/* Source-receiver reciprocity in a heterogeneous model: swapping a source and
 * a receiver gives the same trace. Exact for the interior scheme (symmetric
 * Laplacian, source scaled by v(x_s)^2 so both runs solve the same
 * self-adjoint problem); the CPML is not self-adjoint, but its reflections
 * are tiny. Measured about 5e-6 relative L2 (float rounding); tolerance 1e-4.
 * A wrong source scaling (say dividing by v(x_s)^2 twice) would show up as
 * the ratio of the squared velocities at A and B, over 100%. */
#include "sim_test_util.h"

static void run(const float *vel, int nz, int nx, int sz, int sx, int rz, int rx, int order, int fs,
                float *out, int nt) {
    si_sim_config c;
    sim_test_config(&c, nz, nx, nt, order, sz, sx, rz, 1, &rx);
    c.free_surface = fs;
    assert_int_equal(si_simulate(&c, vel, out), SI_OK);
}

static void test_reciprocity(void **state) {
    (void)state;
    const int nz = 80, nx = 100, nt = 800;
    /* Layers with a dipping interface and a fast lens. */
    float *v = malloc(sizeof(float) * nz * nx);
    for (int i = 0; i < nz; i++)
        for (int j = 0; j < nx; j++) {
            float val = i < 25 + j / 10 ? 1800.0f : i < 55 ? 2600.0f : 3400.0f;
            if ((i - 40) * (i - 40) + (j - 60) * (j - 60) < 100) val = 4000.0f;
            v[i * nx + j] = val;
        }
    float a[nt], b[nt];
    const int orders[3] = {8, 4, 2};
    for (int k = 0; k < 3; k++)
        for (int fs = 0; fs <= 1; fs++) {
            /* A at (10, 15) in the slow layer, B at (65, 85) below the lens. */
            run(v, nz, nx, 10, 15, 65, 85, orders[k], fs, a, nt);
            run(v, nz, nx, 65, 85, 10, 15, orders[k], fs, b, nt);
            double num = 0, den = 0;
            for (int t = 0; t < nt; t++)
                num += (a[t] - b[t]) * (a[t] - b[t]), den += a[t] * a[t];
            double e = sqrt(num / den);
            printf("order %d, free surface %d: A->B vs B->A relative L2 %.2e\n", orders[k], fs, e);
            assert_true(den > 0);
            assert_true(e < 1e-4);
        }
    free(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_reciprocity)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
