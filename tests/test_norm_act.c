/* Block instance norm + ReLU (kernels/norm), sigmoid and centre crop
 * (kernels/act): every table this CPU runs against long-double / double
 * oracles written here, and against the scalar reference. */
#include "conv_test_util.h"

#include "act/act.h"
#include "norm/norm.h"

static const si_norm_kernels *norms[SI_ISA_COUNT];
static const si_act_kernels *acts[SI_ISA_COUNT];
static int nnorms, nacts;

static int setup(void **state) {
    (void)state;
    for (int i = 0; i < SI_ISA_COUNT; i++) {
        if (!si_isa_supported((si_isa)i)) continue;
        const si_norm_kernels *n = si_norm_kernels_for((si_isa)i);
        const si_act_kernels *a = si_act_kernels_for((si_isa)i);
        int seen = 0;
        for (int t = 0; t < nnorms; t++)
            seen |= norms[t] == n;
        if (!seen) norms[nnorms++] = n;
        seen = 0;
        for (int t = 0; t < nacts; t++)
            seen |= acts[t] == a;
        if (!seen) acts[nacts++] = a;
    }
    return 0;
}

/* ---- block instance norm ------------------------------------------------ */

/* The oracle: two passes in long double. */
static void norm_oracle(const float *x, size_t n, long double *mean, long double *rstd) {
    long double m = 0, v = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (long double)(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        v += ((long double)x[i] - m) * ((long double)x[i] - m);
    v /= (long double)(n ? n : 1);
    *mean = m, *rstd = 1.0L / sqrtl(v + 1e-5L);
}

/* Runs every table on x (out of place and in place) and checks the stats to
 * 1e-6 relative and each output to a few float roundings of its inputs. */
static void norm_check(const float *x, size_t n, const char *what) {
    long double mean, rstd;
    norm_oracle(x, n, &mean, &rstd);
    for (int t = 0; t < nnorms; t++) {
        float *out = ct_guarded(n, 16), stats[2] = {0, 0};
        norms[t]->block_relu(out, stats, x, n, 1e-5f);
        ct_check_guard(out, n, 16, norms[t]->name);
        if (n) {
            /* mean: within float rounding of the true one (a float sum of
             * 128k offset values is off by far more). */
            double merr = fabsl(stats[0] - mean), mtol = 2 * FLT_EPSILON * fabsl(mean) + 1e-30;
            if (!(merr <= mtol))
                fail_msg("%s %s n=%zu: mean %.9g, expected %.9Lg", norms[t]->name, what, n,
                         stats[0], mean);
            if (!(fabsl(stats[1] - rstd) <= 1e-6L * rstd))
                fail_msg("%s %s n=%zu: rstd %.9g, expected %.9Lg", norms[t]->name, what, n,
                         stats[1], rstd);
        }
        for (size_t i = 0; i < n; i++) {
            long double want = ((long double)x[i] - mean) * rstd;
            if (want < 0) want = 0;
            /* (x - mean) rounds at the size of |x| + |mean|, rstd at 1e-7. */
            long double tol =
                (4 * FLT_EPSILON * (fabsl(x[i]) + fabsl(mean)) * rstd + 4 * FLT_EPSILON * want) +
                1e-30L;
            if (!(fabsl(out[i] - want) <= tol))
                fail_msg("%s %s n=%zu: out[%zu] = %.9g, expected %.9Lg", norms[t]->name, what, n, i,
                         out[i], want);
        }
        /* In place gives the same bits. */
        float *io = malloc((n ? n : 1) * sizeof *io);
        memcpy(io, x, n * sizeof *io);
        norms[t]->block_relu(io, NULL, io, n, 1e-5f);
        assert_memory_equal(io, out, n * sizeof *io);
        free(io), free(out);
    }
}

static void test_norm_sizes(void **state) {
    (void)state;
    static const size_t ns[] = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 37, 1001, 4 * 7 * 37};
    for (size_t k = 0; k < sizeof ns / sizeof *ns; k++) {
        float *x = ct_buf(ns[k]);
        for (size_t i = 0; i < ns[k]; i++)
            x[i] = 3.0f * x[i] + 0.7f;
        norm_check(x, ns[k], "random");
        free(x);
    }
}

/* A whole Neighbour block (4 × 32 × 1000) far from zero: a float
 * accumulator fails this, double or compensated sums pass. */
static void test_norm_paper_block_offset(void **state) {
    (void)state;
    const size_t n = 4 * 32 * 1000;
    float *x = ct_buf(n);
    for (size_t i = 0; i < n; i++)
        x[i] = 1000.0f + 0.05f * x[i] + (i % 1000 == 0 ? 2.0f : 0.0f);
    norm_check(x, n, "offset block");
    for (size_t i = 0; i < n; i++)
        x[i] = (x[i] - 1000.0f) * 1e-3f; /* small, near zero */
    norm_check(x, n, "small block");
    free(x);
}

static void test_norm_constant_and_empty(void **state) {
    (void)state;
    float x[37], out[37], stats[2];
    for (int i = 0; i < 37; i++)
        x[i] = 2.5f;
    for (int t = 0; t < nnorms; t++) {
        norms[t]->block_relu(out, stats, x, 37, 1e-5f);
        for (int i = 0; i < 37; i++)
            assert_true(out[i] == 0.0f);
        assert_true(stats[0] == 2.5f);
        assert_true(fabsf(stats[1] - 316.227766f) < 1e-3f);
        out[0] = 7.0f;
        norms[t]->block_relu(out, stats, x, 0, 1e-5f); /* n = 0 touches nothing */
        assert_true(out[0] == 7.0f);
    }
}

/* ---- sigmoid ------------------------------------------------------------- */

static void sigmoid_check(const float *x, size_t n, const char *what) {
    float *ref = malloc((n ? n : 1) * sizeof *ref);
    acts[0]->sigmoid(ref, x, n);
    for (int t = 0; t < nacts; t++) {
        float *y = ct_guarded(n, 16);
        acts[t]->sigmoid(y, x, n);
        ct_check_guard(y, n, 16, acts[t]->name);
        for (size_t i = 0; i < n; i++) {
            double want = 1.0 / (1.0 + exp(-(double)x[i]));
            /* expf within 1 ulp, then an add and a divide: 4 roundings; the
             * absolute floor covers denormal results. */
            double tol = 4 * FLT_EPSILON * want + 1e-37;
            if (isnan(x[i])) {
                if (!isnan(y[i])) fail_msg("%s %s: sigmoid(NaN) = %g", acts[t]->name, what, y[i]);
                continue;
            }
            if (!(fabs(y[i] - want) <= tol) || !(y[i] >= 0.0f && y[i] <= 1.0f))
                fail_msg("%s %s: sigmoid(%.9g) = %.9g, expected %.9g", acts[t]->name, what, x[i],
                         y[i], want);
            if (!(fabs(y[i] - ref[i]) <= tol + 4 * FLT_EPSILON * ref[i]))
                fail_msg("%s %s: sigmoid(%.9g) = %.9g, scalar says %.9g", acts[t]->name, what, x[i],
                         y[i], ref[i]);
        }
        /* In place. */
        float *io = malloc((n ? n : 1) * sizeof *io);
        memcpy(io, x, n * sizeof *io);
        acts[t]->sigmoid(io, io, n);
        for (size_t i = 0; i < n; i++)
            if (memcmp(&io[i], &y[i], sizeof *io) && !(isnan(io[i]) && isnan(y[i])))
                fail_msg("%s %s: in place differs at %zu", acts[t]->name, what, i);
        free(io), free(y);
    }
    free(ref);
}

static void test_sigmoid_lengths(void **state) {
    (void)state;
    for (size_t n = 0; n <= 41; n++) {
        float *x = ct_buf(n);
        for (size_t i = 0; i < n; i++)
            x[i] *= 12.0f;
        sigmoid_check(x, n, "short");
        free(x);
    }
    const size_t n = 128 * 128 + 3;
    float *x = ct_buf(n);
    for (size_t i = 0; i < n; i++)
        x[i] *= 30.0f;
    sigmoid_check(x, n, "decoder map");
    free(x);
}

static void test_sigmoid_extremes(void **state) {
    (void)state;
    const float x[] = {0.0f,   -0.0f,  1e-30f,  -1e-30f,  16.0f,    17.0f,     -17.0f,
                       30.0f,  -30.0f, 87.0f,   -87.0f,   88.8f,    -88.8f,    89.0f,
                       -89.0f, 103.0f, -103.0f, 105.0f,   -105.0f,  200.0f,    -200.0f,
                       1e10f,  -1e10f, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, NAN};
    const size_t n = sizeof x / sizeof *x;
    sigmoid_check(x, n, "extremes");
    for (int t = 0; t < nacts; t++) {
        float y[sizeof x / sizeof *x];
        acts[t]->sigmoid(y, x, n);
        assert_true(y[0] == 0.5f);
        for (size_t i = 0; i < n; i++) {
            if (x[i] >= 30.0f) assert_true(y[i] == 1.0f);   /* saturates exactly */
            if (x[i] <= -200.0f) assert_true(y[i] == 0.0f); /* ... and never NaN */
        }
    }
}

/* ---- centre crop ----------------------------------------------------------- */

static void test_crop(void **state) {
    (void)state;
    assert_int_equal(si_act_centre_start(128, 100), 14); /* rows 14..113, SPEC §1 */
    assert_int_equal(si_act_centre_start(128, 91), 18);
    assert_int_equal(si_act_centre_start(128, 128), 0);
    for (int iter = 0; iter < 50; iter++) {
        int c = 1 + ct_below(3), hs = 1 + ct_below(20), ws = 1 + ct_below(20);
        int h = 1 + ct_below(hs), w = 1 + ct_below(ws);
        int top = ct_below(hs - h + 1), left = ct_below(ws - w + 1);
        float *src = ct_buf((size_t)c * hs * ws);
        for (int t = 0; t < nacts; t++) {
            size_t n = (size_t)c * h * w;
            float *dst = ct_guarded(n, 16);
            acts[t]->crop(dst, src, c, hs, ws, top, left, h, w);
            ct_check_guard(dst, n, 16, acts[t]->name);
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++)
                        assert_true(dst[((size_t)ch * h + i) * w + j] ==
                                    src[((size_t)ch * hs + top + i) * ws + left + j]);
            free(dst);
        }
        free(src);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_norm_sizes),
        cmocka_unit_test(test_norm_paper_block_offset),
        cmocka_unit_test(test_norm_constant_and_empty),
        cmocka_unit_test(test_sigmoid_lengths),
        cmocka_unit_test(test_sigmoid_extremes),
        cmocka_unit_test(test_crop),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
