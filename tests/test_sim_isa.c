/* Every vector FD kernel this CPU runs agrees with the scalar reference on
 * random models: orders 2/4/8, with and without free surface, odd grid
 * sizes and CPML widths so vector tails and unaligned zones are exercised.
 * Also: the thread count never changes the result. */
#include "sim/sim_internal.h"
#include "sim_test_util.h"

/* Smooth-ish random model in [1500, 4000] m/s, reproducible. */
static float *random_model(int nz, int nx, unsigned seed) {
    float *v = malloc(sizeof(float) * nz * nx);
    for (int i = 0; i < nz; i++)
        for (int j = 0; j < nx; j++) {
            seed = seed * 1103515245u + 12345u;
            float noise = (float)((seed >> 16) & 0x7fff) / 32768.0f;
            v[i * nx + j] = 1500.0f + 1500.0f * i / nz + 1000.0f * noise;
        }
    return v;
}

static void config(si_sim_config *c, int nz, int nx, int order, int fs, int npml) {
    si_sim_config_default(c, nz, nx);
    /* emulated (qemu): 0.25 s, still past the deep receivers' arrivals and
     * the bottom CPML's work */
    c->nt = si_test_small() ? 250 : 400, c->order = order, c->free_surface = fs, c->npml = npml,
    c->threads = 1;
    c->nsrc = 3, c->src_z = 2;
    c->src_x[0] = 0, c->src_x[1] = nx / 2, c->src_x[2] = nx - 1;
    c->nrec = nx, c->rec_z = nz - 3; /* deep receivers see the bottom CPML's work */
    for (int i = 0; i < nx; i++)
        c->rec_x[i] = i;
    c->dt = 1e-3f;
}

static float *run(const si_sim_config *c, const float *vel, si_isa isa) {
    si_sim *s;
    assert_int_equal(si_sim_create_isa(&s, c, isa), SI_OK);
    float *out = malloc(sizeof(float) * c->nsrc * c->nt * c->nrec);
    assert_int_equal(si_sim_run(s, vel, out), SI_OK);
    si_sim_free(s);
    return out;
}

static void test_vector_matches_scalar(void **state) {
    (void)state;
    /* nz, nx, npml: odd sizes; a thin CPML; a grid so small that the left and
     * right CPML zones meet. */
    const int sizes[3][3] = {{37, 53, 20}, {24, 41, 7}, {9, 6, 20}};
    int tested = 0;
    for (int isa = SI_ISA_AVX2; isa < SI_ISA_COUNT; isa++) {
        /* Only ISAs with their own fd table (others fall back to one below). */
        if (!si_isa_supported((si_isa)isa) || (int)si_fd_kernels_for((si_isa)isa)->isa != isa)
            continue;
        for (int g = 0; g < 3; g++)
            for (int order = 2; order <= 8; order *= 2)
                for (int fs = 0; fs <= 1; fs++) {
                    int nz = sizes[g][0], nx = sizes[g][1];
                    si_sim_config c;
                    config(&c, nz, nx, order, fs, sizes[g][2]);
                    float *vel = random_model(nz, nx, 7u * order + fs);
                    float *ref = run(&c, vel, SI_ISA_SCALAR);
                    float *got = run(&c, vel, (si_isa)isa);
                    size_t n = (size_t)c.nsrc * c.nt * c.nrec;
                    float peak = sim_test_max_abs(ref, n), worst = 0;
                    for (size_t i = 0; i < n; i++)
                        worst = fmaxf(worst, fabsf(got[i] - ref[i]));
                    printf("%s vs scalar, %dx%d CPML %d, order %d, free surface %d: max diff "
                           "%.2e of peak\n",
                           si_isa_name((si_isa)isa), nz, nx, sizes[g][2], order, fs, worst / peak);
                    assert_true(peak > 0);
                    assert_true(worst <= 2e-5f * peak); /* measured ~2e-6 */
                    free(ref), free(got), free(vel);
                    tested++;
                }
    }
    if (!tested) printf("no vector ISA on this CPU: nothing to compare\n");
}

static void test_threads_identical(void **state) {
    (void)state;
    si_sim_config c;
    config(&c, 37, 53, 8, 0, 20);
    c.nsrc = 5;
    for (int i = 0; i < 5; i++)
        c.src_x[i] = 3 + 11 * i;
    float *vel = random_model(37, 53, 99);
    float *one = run(&c, vel, si_isa_active());
    c.threads = 3;
    float *three = run(&c, vel, si_isa_active());
    assert_memory_equal(one, three, sizeof(float) * c.nsrc * c.nt * c.nrec);
    free(one), free(three), free(vel);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_matches_scalar),
        cmocka_unit_test(test_threads_identical),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
