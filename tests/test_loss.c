/* Training losses (runtime/train/loss.h): L1, L2 and L2 + (1 − MS-SSIM)
 * against PyTorch autograd in float64 (tests/oracle/metrics_case.py; skipped
 * without torch): loss to 1e-5 relative, gradient to 1e-4 of its largest
 * element; against central finite differences; the clamp, the parser. */
#include "test_metrics_util.h"

#include "train/loss.h"

static const si_loss_kind kinds[3] = {SI_LOSS_L1, SI_LOSS_L2, SI_LOSS_L2_MSSSIM};
static const char *const oracle_names[3] = {"l1", "l2", "l2msssim"};

static float *batch_pair(int B, int H, int W, double noise, uint64_t seed, float **target) {
    const size_t per = (size_t)H * W;
    float *p = malloc((size_t)B * per * sizeof *p), *t = malloc((size_t)B * per * sizeof *t);
    for (int b = 0; b < B; b++)
        tm_layered_pair(t + b * per, p + b * per, H, W, noise, seed + (uint64_t)b);
    *target = t;
    return p;
}

static double run_loss(si_loss_kind k, const float *p, const float *t, int B, int H, int W,
                       float *grad) {
    size_t ns = si_loss_scratch_floats(k, H, W);
    float *scratch = ns ? malloc(ns * sizeof *scratch) : NULL;
    double l = si_loss(k, p, t, B, H, W, grad, scratch);
    free(scratch);
    return l;
}

/* A case's inputs into a new folder (its path copied to dir). */
static void oracle_write(int B, int H, int W, double noise, uint64_t seed, char *dir) {
    const char *d = si_test_tmpdir();
    assert_non_null(d);
    strcpy(dir, d);
    float *t, *p = batch_pair(B, H, W, noise, seed, &t);
    const int64_t shape[3] = {B, H, W};
    tm_put(dir, "pred", 3, shape, p);
    tm_put(dir, "target", 3, shape, t);
    free(p);
    free(t);
}

/* The case against the oracle's answers in dir. */
static void oracle_check(int B, int H, int W, double noise, uint64_t seed, const char *dir) {
    float *t, *p = batch_pair(B, H, W, noise, seed, &t);
    const size_t n = (size_t)B * H * W;
    float *grad = malloc(n * sizeof *grad);
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "loss_%s", oracle_names[i]);
        double *want = tm_get(dir, name, 1);
        snprintf(name, sizeof name, "grad_%s", oracle_names[i]);
        double *gwant = tm_get(dir, name, n);
        double got = run_loss(kinds[i], p, t, B, H, W, grad);
        double lerr = fabs(got - want[0]) / fabs(want[0]), gerr = tm_rel_max(grad, gwant, n);
        print_message("%-10s B=%d %3dx%-3d loss %.9g (torch %.9g) rel err %.2e, grad rel err "
                      "%.2e\n",
                      si_loss_name(kinds[i]), B, H, W, got, want[0], lerr, gerr);
        if (!(lerr <= 1e-5)) fail_msg("%s loss off by %.3g relative", si_loss_name(kinds[i]), lerr);
        if (!(gerr <= 1e-4)) fail_msg("%s grad off by %.3g relative", si_loss_name(kinds[i]), gerr);
        /* Without a gradient: the same loss. */
        assert_true(run_loss(kinds[i], p, t, B, H, W, NULL) == got);
        free(want);
        free(gwant);
    }
    free(grad);
    free(p);
    free(t);
}

static void test_against_torch(void **state) {
    (void)state;
    if (!tm_have_python("torch, numpy")) skip();
    /* {B, H, W, seed}, noise: odd sides (scales 37x45 ... 2x2, windows below
     * 11); the paper's size; the smallest (a 1x1 last scale); flat and wide */
    static const int cases[4][4] = {
        {3, 37, 45, 1}, {2, 100, 100, 7}, {1, 16, 16, 11}, {2, 19, 64, 5}};
    static const double noise[4] = {0.1, 0.05, 0.2, 0.02};
    char dirs[4][256];
    const char *dp[4];
    for (int c = 0; c < 4; c++) {
        oracle_write(cases[c][0], cases[c][1], cases[c][2], noise[c], (uint64_t)cases[c][3],
                     dirs[c]);
        dp[c] = dirs[c];
    }
    tm_oracle_n("loss", dp, 4);
    for (int c = 0; c < 4; c++)
        oracle_check(cases[c][0], cases[c][1], cases[c][2], noise[c], (uint64_t)cases[c][3],
                     dirs[c]);
}

/* Central differences on every kind, at a dozen pixels of a small batch. */
static void test_finite_differences(void **state) {
    (void)state;
    const int B = 2, H = 16, W = 18;
    const size_t n = (size_t)B * H * W;
    float *t, *p = batch_pair(B, H, W, 0.15, 3, &t);
    float *grad = malloc(n * sizeof *grad);
    uint64_t s = 99;
    for (int i = 0; i < 3; i++) {
        run_loss(kinds[i], p, t, B, H, W, grad);
        double gmax = 0;
        for (size_t j = 0; j < n; j++)
            if (fabs(grad[j]) > gmax) gmax = fabs(grad[j]);
        int checked = 0;
        for (int tries = 0; checked < 12 && tries < 1000; tries++) {
            size_t j = (size_t)(tm_rand(&s) * (double)n);
            const float x0 = p[j], h = 1e-3f;
            if (kinds[i] == SI_LOSS_L1 && fabsf(x0 - t[j]) < 2 * h) continue; /* kink */
            p[j] = x0 + h;
            const float xp = p[j];
            double lp = run_loss(kinds[i], p, t, B, H, W, NULL);
            p[j] = x0 - h;
            const float xm = p[j];
            double lm = run_loss(kinds[i], p, t, B, H, W, NULL);
            p[j] = x0;
            double fd = (lp - lm) / ((double)xp - (double)xm);
            if (!(fabs(fd - grad[j]) <= 1e-3 * gmax))
                fail_msg("%s pixel %zu: gradient %.9g, finite difference %.9g (max |g| %.3g)",
                         si_loss_name(kinds[i]), j, grad[j], fd, gmax);
            checked++;
        }
        assert_int_equal(checked, 12);
    }
    free(grad);
    free(p);
    free(t);
}

/* A prediction anti-correlated with the truth: cs at the first scale is
 * negative, clamped to 0, so MS-SSIM is 0 and only the L2 part has a
 * gradient. */
static void test_clamped(void **state) {
    (void)state;
    const int H = 32, W = 32;
    const size_t n = (size_t)H * W;
    float *t, *p = batch_pair(1, H, W, 0.0, 4, &t);
    for (size_t i = 0; i < n; i++)
        p[i] = 1.0f - t[i];
    float *g = malloc(n * sizeof *g), *g2 = malloc(n * sizeof *g2);
    double l = run_loss(SI_LOSS_L2_MSSSIM, p, t, 1, H, W, g);
    double l2 = run_loss(SI_LOSS_L2, p, t, 1, H, W, g2);
    assert_true(fabs(l - (l2 + 1.0)) < 1e-12);
    assert_memory_equal(g, g2, n * sizeof *g);
    free(g);
    free(g2);
    free(p);
    free(t);
}

/* Identical images: every loss 0, L2 + MS-SSIM gradient ~0 (the MS-SSIM
 * maximum), L1 gradient exactly 0 (sign at 0 is 0, as torch). */
static void test_identical(void **state) {
    (void)state;
    const int B = 2, H = 20, W = 24;
    const size_t n = (size_t)B * H * W;
    float *t, *p = batch_pair(B, H, W, 0.0, 8, &t);
    float *g = malloc(n * sizeof *g);
    for (int i = 0; i < 3; i++) {
        double l = run_loss(kinds[i], t, t, B, H, W, g);
        assert_true(fabs(l) < 1e-12);
        for (size_t j = 0; j < n; j++)
            assert_true(fabsf(g[j]) < 1e-9f);
    }
    free(g);
    free(p);
    free(t);
}

static void test_sizes_and_parse(void **state) {
    (void)state;
    assert_int_equal(si_loss_scratch_floats(SI_LOSS_L1, 100, 100), 0);
    assert_int_equal(si_loss_scratch_floats(SI_LOSS_L2, 100, 100), 0);
    assert_true(si_loss_scratch_floats(SI_LOSS_L2_MSSSIM, 100, 100) > 2 * 100 * 100);
    float a[15 * 15] = {0}, scratch[1] = {0};
    assert_true(isnan(si_loss(SI_LOSS_L2_MSSSIM, a, a, 1, 15, 15, NULL, scratch)));
    si_loss_kind k;
    assert_int_equal(si_loss_parse("l1", &k), SI_OK);
    assert_int_equal(k, SI_LOSS_L1);
    assert_int_equal(si_loss_parse("l2", &k), SI_OK);
    assert_int_equal(k, SI_LOSS_L2);
    assert_int_equal(si_loss_parse("mse", &k), SI_OK);
    assert_int_equal(k, SI_LOSS_L2);
    assert_int_equal(si_loss_parse("l2+msssim", &k), SI_OK);
    assert_int_equal(k, SI_LOSS_L2_MSSSIM);
    assert_int_equal(si_loss_parse("ssim", &k), SI_EINVAL);
    assert_non_null(strstr(si_last_error(), "l2+msssim"));
    assert_string_equal(si_loss_name(SI_LOSS_L2_MSSSIM), "l2+msssim");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_torch),   cmocka_unit_test(test_finite_differences),
        cmocka_unit_test(test_clamped),         cmocka_unit_test(test_identical),
        cmocka_unit_test(test_sizes_and_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
