/* Adam (kernels/optim, runtime/train/adam.h): every table this CPU runs
 * gives the scalar reference's bits (sizes 0..40 and long, offsets for
 * unaligned tails, in-place state over several steps); the scalar kernel
 * against torch.optim.Adam over five steps (skipped without torch); the
 * poly learning-rate schedule. */
#include "test_metrics_util.h"

#include "train/adam.h"

static void fill(float *x, size_t n, uint64_t *s, double scale) {
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(scale * (2 * tm_rand(s) - 1));
}

static void test_tables_match_scalar(void **state) {
    (void)state;
    const si_optim_kernels *ref = si_optim_kernels_for(SI_ISA_SCALAR);
    uint64_t s = 5;
    for (int isa = 0; isa < SI_ISA_COUNT; isa++) {
        if (!si_isa_supported((si_isa)isa)) continue;
        const si_optim_kernels *k = si_optim_kernels_for((si_isa)isa);
        if (isa && k == si_optim_kernels_for((si_isa)(isa - 1))) continue; /* AVX-512 runs AVX2 */
        for (size_t n = 0; n <= 1031; n = n < 40 ? n + 1 : n + 991) {
            for (size_t off = 0; off < 3; off++) {
                const size_t tot = n + off + 1;
                float *w[2], *m[2], *v[2], *g = malloc(tot * sizeof *g);
                for (int c = 0; c < 2; c++) {
                    w[c] = malloc(tot * sizeof(float)), m[c] = calloc(tot, sizeof(float));
                    v[c] = calloc(tot, sizeof(float));
                }
                fill(w[0], tot, &s, 1.0);
                memcpy(w[1], w[0], tot * sizeof(float));
                for (int t = 1; t <= 4; t++) {
                    fill(g, tot, &s, t == 3 ? 1e-6 : 0.1); /* tiny gradients: eps matters */
                    if (n) g[off] = 0.0f;
                    const double bc1 = 1 - pow(0.9, t), bc2 = 1 - pow(0.999, t);
                    ref->adam(w[0] + off, g + off, m[0] + off, v[0] + off, n, 1e-3f, 0.9f, 0.999f,
                              1e-8f, (float)bc1, (float)bc2);
                    k->adam(w[1] + off, g + off, m[1] + off, v[1] + off, n, 1e-3f, 0.9f, 0.999f,
                            1e-8f, (float)bc1, (float)bc2);
                }
                /* Bits equal, and nothing outside [off, off + n) touched. */
                assert_memory_equal(w[0], w[1], tot * sizeof(float));
                assert_memory_equal(m[0], m[1], tot * sizeof(float));
                assert_memory_equal(v[0], v[1], tot * sizeof(float));
                for (size_t i = 0; i < tot; i++)
                    if (i < off || i >= off + n) assert_true(m[1][i] == 0 && v[1][i] == 0);
                for (int c = 0; c < 2; c++)
                    free(w[c]), free(m[c]), free(v[c]);
                free(g);
            }
        }
        print_message("adam %s: same bits as scalar\n", k->name);
    }
}

static void test_against_torch(void **state) {
    (void)state;
    if (!tm_have_python("torch, numpy")) skip();
    const size_t n = 1003;
    const int steps = 5;
    uint64_t s = 17;
    float *w = malloc(n * sizeof *w), *g = malloc(steps * n * sizeof *g);
    float *m = calloc(n, sizeof *m), *v = calloc(n, sizeof *v);
    fill(w, n, &s, 1.0);
    fill(g, steps * n, &s, 0.05);
    const char *dir = si_test_tmpdir();
    assert_non_null(dir);
    const si_adam_hparams h = {0.8, 0.99, 1e-6};
    const double lr = 5e-3;
    tm_put(dir, "w0", 1, (int64_t[]){(int64_t)n}, w);
    tm_put(dir, "grads", 2, (int64_t[]){steps, (int64_t)n}, g);
    tm_put(dir, "hp", 1, (int64_t[]){4},
           (float[]){(float)lr, (float)h.beta1, (float)h.beta2, (float)h.eps});
    tm_oracle("adam", dir);
    double *want = tm_get(dir, "w", steps * n);
    for (int isa = 0; isa < SI_ISA_COUNT; isa++) {
        if (!si_isa_supported((si_isa)isa)) continue;
        const si_optim_kernels *k = si_optim_kernels_for((si_isa)isa);
        if (isa && k == si_optim_kernels_for((si_isa)(isa - 1))) continue;
        float *wk = malloc(n * sizeof *wk);
        memcpy(wk, w, n * sizeof *wk);
        memset(m, 0, n * sizeof *m), memset(v, 0, n * sizeof *v);
        double worst = 0;
        for (int t = 1; t <= steps; t++) {
            si_adam_update(k, &h, wk, g + (t - 1) * n, m, v, n, lr, t);
            for (size_t i = 0; i < n; i++) {
                /* float roundings of a step of ~lr: within 1e-6 of the weight */
                double e = fabs(wk[i] - want[(t - 1) * n + i]);
                if (e > worst) worst = e;
                if (!(e <= 1e-6 * (1 + fabs(want[(t - 1) * n + i]))))
                    fail_msg("%s step %d w[%zu] = %.9g, torch %.9g", k->name, t, i, wk[i],
                             want[(t - 1) * n + i]);
            }
        }
        print_message("adam %s vs torch.optim.Adam, 5 steps: worst |dw| %.2e (lr %g)\n", k->name,
                      worst, lr);
        free(wk);
    }
    free(want);
    free(w), free(g), free(m), free(v);
}

static void test_poly(void **state) {
    (void)state;
    assert_true(si_lr_poly(5e-5, 0, 100) == 5e-5);
    assert_true(fabs(si_lr_poly(5e-5, 50, 100) - 5e-5 * pow(0.5, 0.9)) < 1e-18);
    assert_true(si_lr_poly(5e-5, 100, 100) == 0 && si_lr_poly(5e-5, 150, 100) == 0);
    assert_true(si_lr_poly(1e-3, 10, 0) == 1e-3);
    for (long long st = 1; st < 100; st++)
        assert_true(si_lr_poly(1, st, 100) < si_lr_poly(1, st - 1, 100));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_match_scalar),
        cmocka_unit_test(test_against_torch),
        cmocka_unit_test(test_poly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
