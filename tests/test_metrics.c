/* Velocity-model metrics (include/seisinv/metrics.h) against numpy,
 * scikit-image's structural_similarity and the torch MS-SSIM of
 * tests/oracle/metrics_case.py (skipped without them): SSIM to 1e-4
 * (seen: ~1e-9), MS-SSIM to 1e-6, the others to 1e-9 relative; the accumulator's means;
 * bad input. */
#include "test_metrics_util.h"

#include "seisinv/metrics.h"

#define NM 8

static void to_array(const si_metrics *m, double *a) {
    const double v[NM] = {m->mae,  m->mse,    m->rmse,   m->psnr,
                          m->ssim, m->msssim, m->mae_ms, m->rmse_ms};
    memcpy(a, v, sizeof v);
}

static const char *const metric_names[NM] = {"mae",  "mse",    "rmse",   "psnr",
                                             "ssim", "msssim", "mae_ms", "rmse_ms"};

/* N model pairs of H×W in m/s, layered, with one perfect prediction: with
 * `write`, into a new folder (path copied to dir); else checked against the
 * oracle's answers there. */
static void oracle_case(int N, int H, int W, uint64_t seed, int write, char *dir) {
    const double vmin = 1500, vmax = 4000;
    const size_t per = (size_t)H * W;
    float *p = malloc(N * per * sizeof *p), *t = malloc(N * per * sizeof *t);
    for (int i = 0; i < N; i++) {
        tm_layered_pair(t + i * per, p + i * per, H, W, 0.02 + 0.05 * i, seed + (uint64_t)i);
        for (size_t j = 0; j < per; j++) {
            t[i * per + j] = (float)(vmin + (vmax - vmin) * t[i * per + j]);
            p[i * per + j] = (float)(vmin + (vmax - vmin) * p[i * per + j]);
        }
    }
    memcpy(p, t, per * sizeof *p); /* the first one exact: PSNR inf, SSIM 1 */
    if (write) {
        const char *d = si_test_tmpdir();
        assert_non_null(d);
        strcpy(dir, d);
        tm_put(dir, "pred", 3, (int64_t[]){N, H, W}, p);
        tm_put(dir, "truth", 3, (int64_t[]){N, H, W}, t);
        tm_put(dir, "range", 1, (int64_t[]){2}, (float[]){(float)vmin, (float)vmax});
        free(p);
        free(t);
        return;
    }
    double *want = tm_get(dir, "metrics", (size_t)N * NM);
    si_metrics_acc *acc;
    assert_int_equal(si_metrics_acc_new(&acc, H, W, vmin, vmax), SI_OK);
    double mean[NM] = {0}, worst_ssim = 0;
    for (int i = 0; i < N; i++) {
        si_metrics m, one;
        assert_int_equal(si_metrics_compute(p + i * per, t + i * per, H, W, vmin, vmax, &m), SI_OK);
        assert_int_equal(si_metrics_acc_add(acc, p + i * per, t + i * per, &one), SI_OK);
        assert_memory_equal(&m, &one, sizeof m);
        double got[NM];
        to_array(&m, got);
        for (int k = 0; k < NM; k++) {
            const double w = want[i * NM + k], g = got[k];
            mean[k] += g / N;
            if (isnan(w) || isinf(w)) {
                if (!(isnan(w) ? isnan(g) : g == w))
                    fail_msg("%dx%d model %d: %s = %g, expected %g", H, W, i, metric_names[k], g,
                             w);
                continue;
            }
            /* SSIM: SPEC's 1e-4; MS-SSIM sees the models normalised in float */
            double err = fabs(g - w), tol = k == 4 ? 1e-4 : k == 5 ? 1e-6 : 1e-9 * fabs(w) + 1e-12;
            if (k == 4 && err > worst_ssim) worst_ssim = err;
            if (!(err <= tol))
                fail_msg("%dx%d model %d: %s = %.12g, expected %.12g", H, W, i, metric_names[k], g,
                         w);
        }
    }
    print_message("%3dx%-3d x %d: SSIM worst error vs scikit-image %.2e\n", H, W, N, worst_ssim);
    si_metrics mm = si_metrics_acc_mean(acc);
    double got[NM];
    to_array(&mm, got);
    assert_int_equal(si_metrics_acc_count(acc), N);
    for (int k = 0; k < NM; k++)
        if (!(isnan(mean[k])
                  ? isnan(got[k])
                  : fabs(got[k] - mean[k]) <= 1e-12 * fabs(mean[k]) || got[k] == mean[k]))
            fail_msg("mean %s = %g, expected %g", metric_names[k], got[k], mean[k]);
    si_metrics_acc_free(acc);
    free(want);
    free(p);
    free(t);
}

static void test_against_skimage(void **state) {
    (void)state;
    if (!tm_have_python("torch, numpy, skimage")) skip();
    /* {N, H, W}: the paper's size; odd sides; SSIM's smallest side (MS-SSIM
     * NaN); MS-SSIM's smallest width */
    static const int cases[4][3] = {{4, 100, 100}, {3, 23, 31}, {2, 11, 14}, {2, 70, 16}};
    char dirs[4][256];
    const char *dp[4];
    for (int c = 0; c < 4; c++) {
        oracle_case(cases[c][0], cases[c][1], cases[c][2], (uint64_t)c + 1, 1, dirs[c]);
        dp[c] = dirs[c];
    }
    tm_oracle_n("metrics", dp, 4);
    for (int c = 0; c < 4; c++)
        oracle_case(cases[c][0], cases[c][1], cases[c][2], (uint64_t)c + 1, 0, dirs[c]);
}

static void test_known_values(void **state) {
    (void)state;
    const int H = 20, W = 20;
    float t[400], p[400];
    for (int i = 0; i < H * W; i++)
        t[i] = 2000.0f + 50.0f * (float)(i / W), p[i] = t[i] + 100.0f; /* a constant offset */
    si_metrics m;
    assert_int_equal(si_metrics_compute(p, t, H, W, 1500, 4000, &m), SI_OK);
    assert_true(fabs(m.mae_ms - 100) < 1e-9 && fabs(m.rmse_ms - 100) < 1e-9);
    assert_true(fabs(m.mae - 0.04) < 1e-12 && fabs(m.mse - 0.0016) < 1e-12);
    assert_true(fabs(m.psnr - 10 * log10(1 / 0.0016)) < 1e-9);
    assert_true(m.ssim < 1 && m.ssim > 0.5 && m.msssim < 1);
    assert_int_equal(si_metrics_compute(t, t, H, W, 1500, 4000, &m), SI_OK);
    assert_true(isinf(m.psnr) && m.mae == 0 && fabs(m.ssim - 1) < 1e-12 &&
                fabs(m.msssim - 1) < 1e-12);
}

static void test_bad_input(void **state) {
    (void)state;
    float t[256], p[256];
    for (int i = 0; i < 256; i++)
        t[i] = p[i] = 2500;
    si_metrics m;
    assert_int_equal(si_metrics_compute(p, t, 16, 16, 4000, 1500, &m), SI_EINVAL);
    assert_non_null(strstr(si_last_error(), "v_min"));
    assert_int_equal(si_metrics_compute(p, t, 0, 16, 1500, 4000, &m), SI_EINVAL);
    p[16 * 3 + 5] = NAN;
    assert_int_equal(si_metrics_compute(p, t, 16, 16, 1500, 4000, &m), SI_EDATA);
    assert_non_null(strstr(si_last_error(), "row 3 col 5"));
    p[16 * 3 + 5] = 2500, t[7] = INFINITY;
    assert_int_equal(si_metrics_compute(p, t, 16, 16, 1500, 4000, &m), SI_EDATA);
    assert_non_null(strstr(si_last_error(), "true velocity at row 0 col 7"));
    si_metrics_acc *acc;
    assert_int_equal(si_metrics_acc_new(&acc, 16, 16, 1500, 4000), SI_OK);
    assert_int_equal(si_metrics_acc_add(acc, p, t, NULL), SI_EDATA);
    assert_int_equal(si_metrics_acc_count(acc), 0); /* a refused pair is not counted */
    si_metrics z = si_metrics_acc_mean(acc);
    assert_true(z.mae == 0 && z.ssim == 0);
    si_metrics_acc_free(acc);
    /* Below SSIM's window: NaN, the rest still there. */
    t[7] = 2500;
    assert_int_equal(si_metrics_compute(p, t, 8, 8, 1500, 4000, &m), SI_OK);
    assert_true(isnan(m.ssim) && isnan(m.msssim) && m.mae == 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_skimage),
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
