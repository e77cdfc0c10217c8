/* Simulator accuracy: traces in a homogeneous 2000 m/s medium against the
 * analytic 2-D solution, offsets 200-600 m.
 *   order 8 (SPEC §2 bar): relative L2 <= 2.5% at the SeisInv settings
 *     (dx 10 m, dt 1 ms, f0 15 Hz: 5.3 points per wavelength).
 *   order 4: <= 3% at the same settings.
 *   order 2: needs about 10 points per wavelength, so it is held to 8% at
 *     f0 = 7.5 Hz; at 15 Hz its dispersion is ~45% and it only has to beat 60%.
 * The remaining 8th-order error is the time discretisation (2nd order in
 * dt): halving dt must cut it about 4x. First, the injection convention and
 * sample timing are pinned down on the first two steps. */
#include "sim_test_util.h"

#define NZ 120
#define NX 200
#define V 2000.0f

/* One shot at (60, 30), receivers at offsets 200..600 m on the same row;
 * returns the worst relative L2 error and prints each. */
static double worst_error(int order, float f0, float dt) {
    const int offsets[5] = {20, 30, 40, 50, 60}; /* cells of 10 m */
    int rx[5];
    for (int i = 0; i < 5; i++)
        rx[i] = 30 + offsets[i];
    si_sim_config c;
    const int nt = (int)(0.65f / dt);
    sim_test_config(&c, NZ, NX, nt, order, 60, 30, 60, 5, rx);
    c.f0 = f0, c.dt = dt;
    float *vel = sim_test_model(NZ, NX, V);
    float *out = malloc((size_t)nt * 5 * sizeof *out);
    assert_int_equal(si_simulate(&c, vel, out), SI_OK);
    double worst = 0, *ref = malloc(nt * sizeof *ref);
    printf("order %d, f0 %4.1f Hz, dt %.2g s: relative L2 error", order, f0, dt);
    for (int i = 0; i < 5; i++) {
        double r = offsets[i] * (double)c.dx;
        /* Window: until 0.25 s after the wavelet's peak has passed. */
        int n = (int)((r / V + 1.0 / f0 + 0.25) / dt);
        if (n > nt) n = nt;
        for (int k = 0; k < n; k++)
            ref[k] = sim_test_analytic(r, k * (double)dt, V, f0, c.dx);
        double e = sim_test_rel_l2(out + i, ref, n, 5);
        printf(" %.0fm %.2f%%", r, 100 * e);
        if (e > worst) worst = e;
    }
    printf("\n");
    free(ref), free(out), free(vel);
    return worst;
}

static void test_order8(void **state) {
    (void)state;
    double e = worst_error(8, 15, 1e-3f);
    assert_true(e <= 0.025);
    double fine = worst_error(8, 15, 0.5e-3f);
    assert_true(fine <= e / 3); /* second order in time */
}

static void test_order4(void **state) {
    (void)state;
    assert_true(worst_error(4, 15, 1e-3f) <= 0.03);
}

static void test_order2(void **state) {
    (void)state;
    assert_true(worst_error(2, 7.5f, 1e-3f) <= 0.08);
    assert_true(worst_error(2, 15, 1e-3f) <= 0.60);
}

/* Timing and scale of the injection (OpenFWI convention): sample n is p at
 * step n, p^0 = 0, and stepping 0 -> 1 adds v(x_s)^2 dt^2 s(0) at the source
 * cell, without 1/dx^2. */
static void test_injection_convention(void **state) {
    (void)state;
    int rx[3] = {9, 10, 11};
    si_sim_config c;
    sim_test_config(&c, 20, 21, 4, 8, 10, 10, 10, 3, rx);
    float *vel = sim_test_model(20, 21, V);
    vel[10 * 21 + 10] = 2500; /* the source cell's own velocity scales it */
    float out[4 * 3];
    assert_int_equal(si_simulate(&c, vel, out), SI_OK);
    for (int r = 0; r < 3; r++)
        assert_true(out[r] == 0.0f); /* sample 0 */
    double want = 2500.0 * 2500.0 * 1e-6 * si_ricker(0.0, c.f0);
    printf("p^1 at the source: %.6g (expected v^2 dt^2 s(0) = %.6g)\n", out[3 + 1], want);
    assert_true(fabs(out[3 + 1] - want) <= 1e-6 * fabs(want));
    assert_true(out[3 + 0] == 0.0f && out[3 + 2] == 0.0f); /* neighbours still at rest */
    /* p^2 at the source: 2 p^1 + v^2 dt^2 (w0_x + w0_z) p^1 / dx^2 + v^2 dt^2 s(dt). */
    double v2dt2 = want / si_ricker(0.0, c.f0);
    double p2 = 2 * want + v2dt2 * (2 * -205.0 / 72 / 100) * want + v2dt2 * si_ricker(1e-3, c.f0);
    assert_true(fabs(out[6 + 1] - p2) <= 1e-5 * fabs(p2));
    free(vel);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_injection_convention),
        cmocka_unit_test(test_order8),
        cmocka_unit_test(test_order4),
        cmocka_unit_test(test_order2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
