/* Simulator configuration: SeisInv defaults, the checks on geometry and
 * velocity (clear messages, SI_EINVAL / SI_EDATA / SI_EUNSTABLE), and the
 * Ricker wavelet. */
#include "sim_test_util.h"

static void expect(si_err got, si_err want, const char *needle) {
    if (got != want || !strstr(si_last_error(), needle))
        printf("got %s \"%s\", wanted %s containing \"%s\"\n", si_err_name(got), si_last_error(),
               si_err_name(want), needle);
    assert_int_equal(got, want);
    assert_non_null(strstr(si_last_error(), needle));
}

static void test_defaults(void **state) {
    (void)state;
    si_sim_config c;
    si_sim_config_default(&c, 100, 100);
    assert_int_equal(c.order, 8);
    assert_int_equal(c.npml, 20);
    assert_int_equal(c.nt, 1000);
    assert_true(c.dx == 10.0f && c.dt == 1e-3f && c.f0 == 15.0f);
    assert_int_equal(c.nsrc, 20);
    for (int i = 0; i < 20; i++)
        assert_int_equal(c.src_x[i], 2 + 5 * i); /* 2, 7, ..., 97 */
    assert_int_equal(c.src_z, 1);
    assert_int_equal(c.nrec, 100);
    assert_int_equal(c.rec_z, 1);
    for (int i = 0; i < 100; i++)
        assert_int_equal(c.rec_x[i], i);
    assert_int_equal(si_sim_check_config(&c), SI_OK);
    /* numpy: np.round(np.linspace(0, 99, 32)).astype(int) */
    const int want[32] = {0,  3,  6,  10, 13, 16, 19, 22, 26, 29, 32, 35, 38, 42, 45, 48,
                          51, 54, 57, 61, 64, 67, 70, 73, 77, 80, 83, 86, 89, 93, 96, 99};
    int cols[32];
    si_sim_network_receivers(100, 32, cols);
    assert_memory_equal(cols, want, sizeof want);
    /* Ties round to even as numpy does: linspace(0, 9, 7) = 0, 1.5, 3, 4.5, 6, 7.5, 9. */
    const int ties[7] = {0, 2, 3, 4, 6, 8, 9};
    si_sim_network_receivers(10, 7, cols);
    assert_memory_equal(cols, ties, sizeof ties);
    assert_true(fabs(si_sim_cfl_limit(2) - 0.707) < 1e-12);
    assert_true(fabs(si_sim_cfl_limit(4) - 0.612) < 1e-12);
    assert_true(fabs(si_sim_cfl_limit(8) - 0.555) < 1e-12);
}

static void test_ricker(void **state) {
    (void)state;
    const double f0 = 15, t0 = 1 / f0;
    assert_true(fabs(si_ricker(t0, f0) - 1.0) < 1e-15); /* unit peak at t0 */
    assert_true(si_ricker(-1e-3, f0) == 0.0);           /* nothing before t = 0 */
    /* Zero crossings at t0 +- 1/(pi f0 sqrt 2), minimum -2 exp(-3/2) at t0 +- sqrt(3/2)/(pi f0). */
    double tz = t0 + 1 / (SI_PI * f0 * sqrt(2.0));
    assert_true(fabs(si_ricker(tz, f0)) < 1e-12);
    double tm = t0 + sqrt(1.5) / (SI_PI * f0);
    assert_true(fabs(si_ricker(tm, f0) + 2 * exp(-1.5)) < 1e-12);
    assert_true(fabs(si_ricker(t0 - 0.01, f0) - si_ricker(t0 + 0.01, f0)) < 1e-12);
}

static void test_bad_config(void **state) {
    (void)state;
    si_sim_config c;
    si_sim *s = NULL;
#define BAD(field_change, needle)                                                                  \
    do {                                                                                           \
        si_sim_config_default(&c, 50, 60);                                                         \
        field_change;                                                                              \
        expect(si_sim_check_config(&c), SI_EINVAL, needle);                                        \
        expect(si_sim_create(&s, &c), SI_EINVAL, needle);                                          \
        assert_null(s);                                                                            \
    } while (0)
    BAD(c.order = 6, "order 6");
    BAD(c.src_x[3] = 60, "source 3 at column 60 is outside columns 0..59");
    BAD(c.src_x[0] = -1, "source 0 at column -1");
    BAD(c.src_z = 50, "source depth row 50 is outside rows 0..49");
    BAD(c.rec_x[7] = 99, "receiver 7 at column 99");
    BAD(c.rec_z = -2, "receiver depth row -2");
    BAD((c.free_surface = 1, c.src_z = 0), "row 0 is the free surface");
    BAD((c.free_surface = 1, c.rec_z = 0), "row 0 is the free surface");
    BAD(c.nz = 1, "grid 1 x 60");
    BAD(c.dx = 0, "dx = 0");
    BAD(c.dt = -1e-3f, "dt = -0.001");
    BAD(c.nt = 0, "nt = 0");
    BAD(c.f0 = 600, "Nyquist");
    BAD(c.npml = -1, "CPML thickness -1");
    BAD(c.nsrc = 0, "number of sources 0");
    BAD(c.nrec = SI_SIM_MAX_RECS + 1, "number of receivers");
    BAD(c.threads = -3, "threads = -3");
#undef BAD
}

static void test_bad_velocity(void **state) {
    (void)state;
    si_sim_config c;
    si_sim_config_default(&c, 20, 30);
    c.nsrc = 1, c.src_x[0] = 15, c.nrec = 30, c.nt = 10;
    float *v = sim_test_model(20, 30, 2000);
    float out[10 * 30];
    double ppw = 0;
    assert_int_equal(si_sim_check_model(&c, v, &ppw), SI_OK);
    assert_true(fabs(ppw - 2000 / (2.5 * 15 * 10)) < 1e-9); /* 5.33 points per wavelength */
    v[5 * 30 + 7] = NAN;
    expect(si_simulate(&c, v, out), SI_EDATA, "row 5 col 7");
    v[5 * 30 + 7] = -1500;
    expect(si_simulate(&c, v, out), SI_EDATA, "not positive");
    v[5 * 30 + 7] = 50;
    expect(si_sim_check_model(&c, v, &ppw), SI_EDATA, "out of range");
    v[5 * 30 + 7] = INFINITY;
    expect(si_sim_check_model(&c, v, &ppw), SI_EDATA, "not a finite number");
    free(v);
}

static void test_cfl_refusal(void **state) {
    (void)state;
    si_sim_config c;
    si_sim_config_default(&c, 20, 30);
    c.nsrc = 1, c.src_x[0] = 15, c.nt = 10, c.dt = 2e-3f;
    float *v = sim_test_model(20, 30, 2000);
    v[10 * 30 + 3] = 3000; /* v_max*dt/dx = 3000 * 0.002 / 10 = 0.6 > 0.555 */
    float out[10 * 30];
    expect(si_simulate(&c, v, out), SI_EUNSTABLE, "= 0.6 exceeds the CFL limit 0.555 of order 8");
    assert_non_null(strstr(si_last_error(), "3000"));
    /* The suggested dt really is stable. */
    const char *hint = strstr(si_last_error(), "use dt <= ");
    assert_non_null(hint);
    c.dt = strtof(hint + strlen("use dt <= "), NULL);
    assert_int_equal(si_simulate(&c, v, out), SI_OK);
    /* Order 4 allows 0.612: the same 0.6 runs. */
    c.dt = 2e-3f, c.order = 4;
    assert_int_equal(si_simulate(&c, v, out), SI_OK);
    c.order = 2, c.dt = 2.4e-3f; /* 0.72 > 0.707 */
    expect(si_simulate(&c, v, out), SI_EUNSTABLE, "0.707");
    free(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),    cmocka_unit_test(test_ricker),
        cmocka_unit_test(test_bad_config),  cmocka_unit_test(test_bad_velocity),
        cmocka_unit_test(test_cfl_refusal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
