/* Simulator boundaries: CPML reflections below 1% of the direct wave (SPEC
 * §2), energy leaving the grid for good, and the free surface's ghost. */
#include "sim/sim_internal.h"
#include "sim_test_util.h"

#define V 2000.0f

/* Worst reflection / direct-wave ratio over receivers on row rz: a 60 x 60
 * grid against the same source and receivers 200 cells from any edge, where
 * no reflection arrives within nt. The difference is counted from the first
 * time a wave could come back from the nearest CPML face. */
static double reflection_ratio(int order, int npml, int rz, int nrec, const int *rx) {
    /* Emulated (qemu): 0.4 s instead of 0.8, which still holds every
     * reflection off the CPML faces, and a reference grid just large enough
     * for it (the wave travels nt / 5 cells). */
    const int small = si_test_small();
    const int n = 60, big = small ? 100 : 200, nt = small ? 400 : 800, sz = 30, sx = 30;
    si_sim_config c, cb;
    sim_test_config(&c, n, n, nt, order, sz, sx, rz, nrec, rx);
    c.npml = npml;
    int rxb[8];
    for (int i = 0; i < nrec; i++)
        rxb[i] = rx[i] + big;
    sim_test_config(&cb, n + 2 * big, n + 2 * big, nt, order, sz + big, sx + big, rz + big, nrec,
                    rxb);
    float *v = sim_test_model(n, n, V), *vb = sim_test_model(n + 2 * big, n + 2 * big, V);
    float *o = malloc(sizeof(float) * nt * nrec), *ob = malloc(sizeof(float) * nt * nrec);
    assert_int_equal(si_simulate(&c, v, o), SI_OK);
    assert_int_equal(si_simulate(&cb, vb, ob), SI_OK);
    double worst = 0;
    for (int i = 0; i < nrec; i++) {
        /* Shortest path source -> model edge -> receiver, minus the wavelet's
         * onset margin (the Ricker starts 1/f0 before its peak). */
        int dmin = sx < sz ? sx : sz;
        double path = 2.0 * dmin * c.dx;
        int k0 = (int)(path / V / c.dt);
        float direct = 0, refl = 0;
        for (int k = 0; k < nt; k++) {
            direct = fmaxf(direct, fabsf(ob[k * nrec + i]));
            if (k >= k0) refl = fmaxf(refl, fabsf(o[k * nrec + i] - ob[k * nrec + i]));
        }
        double r = refl / direct;
        printf("order %d, CPML %2d, receiver (%d,%d): reflection %.4f%% of the direct wave\n",
               order, npml, rz, rx[i], 100 * r);
        if (r > worst) worst = r;
    }
    free(o), free(ob), free(v), free(vb);
    return worst;
}

static void test_cpml_reflection(void **state) {
    (void)state;
    const int mid[3] = {30, 45, 55}, edge[3] = {5, 30, 55}; /* 55: 5 cells from the CPML */
    for (int order = 2; order <= 8; order *= 2) {
        assert_true(reflection_ratio(order, 20, 30, 3, mid) < 0.01);
        assert_true(reflection_ratio(order, 20, 55, 3, edge) < 0.01); /* corners too */
    }
    /* Control: without CPML the same measure sees the rigid-edge reflection. */
    assert_true(reflection_ratio(8, 0, 30, 3, mid) > 0.2);
}

/* Sum of p^2 over the model: peaks while the wave crosses the grid, then must
 * fall by orders of magnitude and never grow back (a CPML instability would). */
static void test_energy_decays(void **state) {
    (void)state;
    const int n = 60, nt = 4000;
    for (int fs = 0; fs <= 1; fs++) {
        int rx[1] = {30};
        si_sim_config c;
        sim_test_config(&c, n, n, nt, 8, 30, 30, 30, 1, rx);
        c.free_surface = fs;
        float *v = sim_test_model(n, n, V);
        for (int i = 0; i < n * n; i++)
            v[i] += (float)((i * 7919) % 101) * 10.0f; /* rough */
        si_sim *s;
        assert_int_equal(si_sim_create(&s, &c), SI_OK);
        double *e = malloc(nt * sizeof *e);
        assert_int_equal(si_sim_shot_energy(s, v, 0, NULL, e), SI_OK);
        double peak = 0, after = 0, late = 0;
        for (int k = 0; k < nt; k++)
            peak = fmax(peak, e[k]);
        for (int k = 500; k < nt; k++)
            after = fmax(after, e[k]); /* wave gone after ~0.3 s */
        for (int k = nt - 1000; k < nt; k++)
            late = fmax(late, e[k]);
        printf("free surface %d: energy after 0.5 s <= %.2e of peak, after 3 s <= %.2e\n", fs,
               after / peak, late / peak);
        assert_true(after < 1e-2 * peak);
        assert_true(late < 1e-5 * peak);
        si_sim_free(s), free(e), free(v);
    }
}

/* Free surface: the ghost (with minus without free surface) has the opposite
 * polarity of the direct wave and matches the image source, -G(r_image). */
static void test_free_surface_ghost(void **state) {
    (void)state;
    const int n = 100, nt = 450, sz = 10, rz = 30, x = 50;
    int rx[1] = {x};
    si_sim_config c;
    sim_test_config(&c, n, n, nt, 8, sz, x, rz, 1, rx);
    float *v = sim_test_model(n, n, V);
    float with[nt], without[nt];
    c.free_surface = 1;
    assert_int_equal(si_simulate(&c, v, with), SI_OK);
    c.free_surface = 0;
    assert_int_equal(si_simulate(&c, v, without), SI_OK);
    float ghost[nt];
    double image[nt];
    int kd = 0, kg = 0;
    for (int k = 0; k < nt; k++) {
        ghost[k] = with[k] - without[k];
        image[k] = -sim_test_analytic((rz + sz) * c.dx, k * (double)c.dt, V, c.f0, c.dx);
        if (fabsf(without[k]) > fabsf(without[kd])) kd = k;
        if (fabsf(ghost[k]) > fabsf(ghost[kg])) kg = k;
    }
    double err = sim_test_rel_l2(ghost, image, nt, 1);
    printf("direct peak %.3g at %.3f s, ghost peak %.3g at %.3f s, ghost vs image source %.2f%%\n",
           without[kd], kd * c.dt, ghost[kg], kg * c.dt, 100 * err);
    assert_true(without[kd] * ghost[kg] < 0);      /* opposite polarity */
    assert_true(kg * c.dt > (rz + sz) * c.dx / V); /* arrives along the image path */
    assert_true(err < 0.03);
    free(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cpml_reflection),
        cmocka_unit_test(test_energy_decays),
        cmocka_unit_test(test_free_surface_ghost),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
