/* The training graph's backward pass against PyTorch's autograd
 * (tests/oracle/grad_case.py through /usr/bin/python3; skipped without
 * torch): same weights, same batch, training mode without dropout. Per
 * parameter tensor, ‖g_C − g_64‖/‖g_64‖ ≤ max(5e-3, 4 × PyTorch float32's
 * own error); tensors whose exact gradient is 0 (a bias right before a
 * training-mode normalisation) are judged by an absolute floor. Also: the
 * loss to 1e-4, the training-mode output, the running statistics after one
 * step, and `seisinv grad` end to end plus a bad input. GRAD_CASE picks the
 * configuration (small by default; paper in the long test). Under qemu
 * (si_test_small()) the small case shrinks to "tiny" (2 shots) and a batch of
 * one, the 1-thread rerun is left out and `seisinv grad` runs one loss
 * (L2+MS-SSIM): about 5 training steps instead of 10, each 3x cheaper. */
#include "test_util.h"

#include <math.h>

#include "seisinv/npy.h"
#include "seisinv/safetensors.h"
#include "seisinv/train.h"

#ifndef GRAD_CASE
#define GRAD_CASE "small"
#endif
#ifndef GRAD_BATCH
#define GRAD_BATCH 2
#endif

static char dir[256];
static int have_case, keep_dir;
static const char *grad_case = GRAD_CASE;
static int grad_batch = GRAD_BATCH;

static const char *const loss_key[3] = {"l1", "l2", "l2msssim"};
static const char *const loss_flag[3] = {"l1", "l2", "l2+msssim"};

static int setup(void **state) {
    (void)state;
    const char *made = getenv("SEISINV_GRAD_CASE"); /* a grad_case.py folder to reuse */
    if (made && *made) {
        snprintf(dir, sizeof dir, "%s", made);
        have_case = keep_dir = 1;
        return 0;
    }
    if (si_test_small() && strcmp(grad_case, "small") == 0) grad_case = "tiny", grad_batch = 1;
    if (system("/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1") != 0) return 0;
    snprintf(dir, sizeof dir, "%s", si_test_tmpdir());
    if (si_test_run_oracle(dir, "grad_case.py", "--config %s --seed 5 --batch %d", grad_case,
                           grad_batch))
        return -1;
    have_case = 1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    return *dir && !keep_dir ? si_test_remove_tree(dir) : 0;
}

static void path_of(char *p, size_t n, const char *name) {
    snprintf(p, n, "%s/%s", dir, name);
}

static si_net *load_net(int threads) {
    char p[512];
    path_of(p, sizeof p, "weights.safetensors");
    si_net_options o = {.batch = grad_batch, .threads = threads};
    si_net *n;
    if (si_net_load(&n, p, &o) != SI_OK) fail_msg("%s", si_last_error());
    return n;
}

/* The case's batch, normalised: x [B, S, R, T], y [B, H, W]. */
static void batch(const si_net *n, float **x, float **y) {
    const si_model_info *c = si_net_config(n);
    char p[512];
    si_array d, v;
    path_of(p, sizeof p, "data.npy");
    if (si_npy_read(p, &d)) fail_msg("%s", si_last_error());
    path_of(p, sizeof p, "target.npy");
    if (si_npy_read(p, &v)) fail_msg("%s", si_last_error());
    const size_t srt = (size_t)c->S * c->R * c->T, hw = (size_t)c->H * c->W;
    assert_int_equal(d.shape[0], grad_batch);
    *x = malloc(grad_batch * srt * sizeof(float));
    *y = malloc(grad_batch * hw * sizeof(float));
    for (int b = 0; b < grad_batch; b++)
        assert_int_equal(si_net_normalise_survey(n, d.data + b * srt, SI_LAYOUT_STR, *x + b * srt),
                         SI_OK);
    assert_int_equal(si_net_normalise_velocity(n, v.data, grad_batch * hw, *y), SI_OK);
    si_array_free(&d), si_array_free(&v);
}

static double oracle_loss(int k, int f32) {
    char p[512];
    path_of(p, sizeof p, "losses.txt");
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    char key[32];
    double l64, l32, out = NAN;
    while (fscanf(f, "%31s %lf %lf", key, &l64, &l32) == 3)
        if (strcmp(key, loss_key[k]) == 0) out = f32 ? l32 : l64;
    fclose(f);
    return out;
}

/* ‖a − b‖ and ‖b‖ (b NULL: ‖a‖) in double. */
static double norm_diff(const float *a, const float *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)a[i] - (b ? (double)b[i] : 0.0);
        s += d * d;
    }
    return sqrt(s);
}

typedef struct row {
    const char *name;
    double rel_c, rel_32, limit, norm64, norm_c;
    int zero;
} row;

static int by_margin(const void *a, const void *b) {
    const row *x = a, *y = b;
    const double mx = x->rel_c / x->limit, my = y->rel_c / y->limit;
    return (mx < my) - (mx > my);
}

/* Compares every gradient of n with grad64/grad32 of loss k; prints the
 * worst tensors. Returns the number of failures. */
static int compare_grads(si_net *n, int k, int print) {
    char p[512];
    enum { F32_RUNS = 3 }; /* float32 as is, and with the input perturbed twice */
    si_st_file *f64, *f32[F32_RUNS];
    snprintf(p, sizeof p, "%s/grad64_%s.safetensors", dir, loss_key[k]);
    if (si_st_open(p, &f64)) fail_msg("%s", si_last_error());
    for (int r = 0; r < F32_RUNS; r++) {
        if (r)
            snprintf(p, sizeof p, "%s/grad32_%s_%d.safetensors", dir, loss_key[k], r);
        else
            snprintf(p, sizeof p, "%s/grad32_%s.safetensors", dir, loss_key[k]);
        if (si_st_open(p, &f32[r])) fail_msg("%s", si_last_error());
    }
    row rows[256];
    int nrows = 0, fails = 0;
    double gmax = 0; /* largest RMS gradient: the scale of the absolute floor */
    for (int i = 0; i < si_net_tensor_count(n); i++) {
        si_net_tensor t = si_net_tensor_at(n, i);
        if (!t.grad) continue;
        const si_st_tensor *a = si_st_find(f64, t.name);
        if (!a) fail_msg("oracle has no gradient for %s", t.name);
        assert_int_equal((size_t)a->numel, t.numel);
        float *g64 = malloc(t.numel * sizeof(float)), *g32 = malloc(t.numel * sizeof(float));
        si_st_to_f32(a, g64);
        row r = {.name = t.name};
        r.norm64 = norm_diff(g64, NULL, t.numel);
        r.norm_c = norm_diff(t.grad, NULL, t.numel);
        const double rms = r.norm64 / sqrt((double)t.numel);
        if (rms > gmax) gmax = rms;
        /* exactly zero in float64 (roundoff ~1e-16 of the layer's scale) */
        r.zero = rms < 1e-12;
        const double dc = norm_diff(t.grad, r.zero ? NULL : g64, t.numel);
        r.rel_c = r.zero ? dc / sqrt((double)t.numel) : dc / r.norm64;
        for (int run = 0; run < F32_RUNS; run++) { /* float32's spread: the worst run */
            const si_st_tensor *b = si_st_find(f32[run], t.name);
            if (!b) fail_msg("oracle has no float32 gradient for %s", t.name);
            si_st_to_f32(b, g32);
            const double d = norm_diff(g32, r.zero ? NULL : g64, t.numel);
            r.rel_32 = fmax(r.rel_32, r.zero ? d / sqrt((double)t.numel) : d / r.norm64);
        }
        r.limit = r.zero ? 0 : fmax(5e-3, 4 * r.rel_32);
        rows[nrows++] = r;
        free(g64), free(g32);
    }
    for (int i = 0; i < nrows; i++) {
        row *r = &rows[i];
        /* an exact-zero gradient: RMS below 1e-5 of the largest tensor's RMS
         * and no worse than 4x PyTorch float32's own */
        if (r->zero) r->limit = fmax(1e-5 * gmax, 4 * r->rel_32);
        if (!(r->rel_c <= r->limit)) {
            fails++;
            fprintf(stderr, "FAIL %s %s: C error %.3e (limit %.3e, torch f32 %.3e)\n", loss_key[k],
                    r->name, r->rel_c, r->limit, r->rel_32);
        }
    }
    qsort(rows, (size_t)nrows, sizeof *rows, by_margin);
    if (print) {
        printf("loss %s: worst tensors (relative error vs float64; 'abs' = RMS of an exact-zero "
               "gradient)\n",
               loss_key[k]);
        const int show = getenv("SEISINV_GRAD_ALL") ? nrows : 6;
        for (int i = 0; i < nrows && i < show; i++)
            printf("  %-36s C %.3e  torch-f32 %.3e  limit %.3e%s\n", rows[i].name, rows[i].rel_c,
                   rows[i].rel_32, rows[i].limit, rows[i].zero ? " (abs)" : "");
    }
    si_st_close(f64);
    for (int r = 0; r < F32_RUNS; r++)
        si_st_close(f32[r]);
    return fails;
}

static void test_gradients(void **state) {
    (void)state;
    if (!have_case) skip();
    int fails = 0;
    for (int threads = 2; threads >= (si_test_small() ? 2 : 1); threads--) {
        si_net *n = load_net(threads);
        float *x, *y;
        batch(n, &x, &y);
        for (int k = 0; k < 3; k++) {
            if (threads == 1 && k != 1) continue; /* one loss is enough for 1 thread */
            double loss;
            if (si_net_train_batch(n, x, y, grad_batch, k, SI_NET_BATCH_STATS, &loss))
                fail_msg("%s", si_last_error());
            const double l64 = oracle_loss(k, 0), l32 = oracle_loss(k, 1);
            printf("%d thread(s), loss %s: C %.10g  torch f64 %.10g  f32 %.10g  (rel %.2e)\n",
                   threads, loss_key[k], loss, l64, l32, fabs(loss - l64) / l64);
            fails += !(fabs(loss - l64) <= 1e-4 * l64);
            fails += compare_grads(n, k, threads == 2);
        }
        free(x), free(y);
        si_net_free(n);
    }
    assert_int_equal(fails, 0);
}

/* One forward in training mode: the output and the running statistics as
 * PyTorch leaves them. */
static void test_training_forward(void **state) {
    (void)state;
    if (!have_case) skip();
    si_net *n = load_net(2);
    float *x, *y;
    batch(n, &x, &y);
    const si_model_info *c = si_net_config(n);
    const size_t hw = (size_t)c->H * c->W;
    const int64_t tracked = si_net_batches_tracked(n); /* as the file says */
    float *pred = malloc(grad_batch * hw * sizeof(float));
    assert_int_equal(
        si_net_forward(n, x, grad_batch, SI_NET_BATCH_STATS | SI_NET_UPDATE_STATS, pred), SI_OK);
    char p[512];
    si_array ref;
    path_of(p, sizeof p, "pred64.npy");
    if (si_npy_read(p, &ref)) fail_msg("%s", si_last_error());
    double worst = 0;
    for (size_t i = 0; i < grad_batch * hw; i++)
        worst = fmax(worst, fabs((double)pred[i] - ref.data[i]));
    printf("training-mode output: max |C - torch f64| = %.3e\n", worst);
    assert_true(worst < 1e-4);
    si_st_file *f;
    path_of(p, sizeof p, "stats_after.safetensors");
    if (si_st_open(p, &f)) fail_msg("%s", si_last_error());
    double worst_stat = 0;
    int checked = 0;
    for (size_t i = 0; i < si_st_count(f); i++) {
        const si_st_tensor *t = si_st_at(f, i);
        const int j = si_net_tensor_find(n, t->name);
        assert_true(j >= 0);
        si_net_tensor mine = si_net_tensor_at(n, j);
        float *v = malloc(mine.numel * sizeof(float));
        si_st_to_f32(t, v);
        double scale = 0, err = 0;
        for (size_t e = 0; e < mine.numel; e++) {
            scale = fmax(scale, fabs(v[e]));
            err = fmax(err, fabs((double)mine.data[e] - v[e]));
        }
        worst_stat = fmax(worst_stat, err / fmax(scale, 1e-30));
        checked++;
        free(v);
    }
    printf("running statistics after one step: %d tensors, worst max-relative error %.3e\n",
           checked, worst_stat);
    assert_true(worst_stat < 1e-4);
    assert_int_equal(si_net_batches_tracked(n), tracked + 1);
    si_st_close(f);
    si_array_free(&ref);
    free(pred), free(x), free(y);
    si_net_free(n);
}

/* `seisinv grad` on the case's files, against the oracle; bad input exits 2
 * and writes nothing. */
static void test_cli_grad(void **state) {
    (void)state;
    if (!have_case) skip();
    char out[512], err[512];
    snprintf(out, sizeof out, "%s/g.safetensors", dir);
    snprintf(err, sizeof err, "%s/err.txt", dir);
    for (int k = si_test_small() ? 2 : 0; k < 3; k += 2) {
        remove(out);
        const int rc = si_test_run_cli(err,
                                       "grad --weights '%s/weights.safetensors' --data "
                                       "'%s/data.npy' --target '%s/target.npy' --loss %s -o '%s'",
                                       dir, dir, dir, loss_flag[k], out);
        if (rc != 0) {
            char *msg = si_test_slurp(err, NULL);
            fail_msg("seisinv grad exited %d: %s", rc, msg ? msg : "");
        }
        /* the file's gradients, loaded into a net's grad slots, pass the check */
        si_net *n = load_net(1);
        si_st_file *f;
        if (si_st_open(out, &f)) fail_msg("%s", si_last_error());
        for (int i = 0; i < si_net_tensor_count(n); i++) {
            si_net_tensor t = si_net_tensor_at(n, i);
            const si_st_tensor *g = si_st_find(f, t.name);
            if (!t.grad) {
                assert_null(g);
                continue;
            }
            assert_non_null(g);
            assert_int_equal(g->ndim, t.ndim);
            for (int d = 0; d < t.ndim; d++)
                assert_int_equal(g->shape[d], t.shape[d]);
            si_st_to_f32(g, t.grad);
        }
        assert_int_equal(compare_grads(n, k, 0), 0);
        si_st_close(f);
        si_net_free(n);
    }
    /* a target of the wrong shape: exit 2, no output, message names it */
    remove(out);
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.npy", dir);
    const int64_t shape[4] = {grad_batch, 1, 5, 5};
    float zeros[GRAD_BATCH * 25] = {0};
    assert_int_equal(si_npy_write(bad, 4, shape, zeros), SI_OK);
    assert_int_equal(si_test_run_cli(err,
                                     "grad -w '%s/weights.safetensors' --data '%s/data.npy' "
                                     "--target '%s' -o '%s'",
                                     dir, dir, bad, out),
                     2);
    assert_false(si_test_file_exists(out));
    char *msg = si_test_slurp(err, NULL);
    assert_non_null(strstr(msg, "bad.npy"));
    free(msg);
    /* a NaN in the survey: exit 2 naming the sample */
    si_array d;
    char p[512];
    path_of(p, sizeof p, "data.npy");
    assert_int_equal(si_npy_read(p, &d), SI_OK);
    d.data[7] = NAN;
    assert_int_equal(si_npy_write(bad, d.ndim, d.shape, d.data), SI_OK);
    si_array_free(&d);
    assert_int_equal(si_test_run_cli(err,
                                     "grad -w '%s/weights.safetensors' --data '%s' --target "
                                     "'%s/target.npy' -o '%s'",
                                     dir, bad, dir, out),
                     2);
    assert_false(si_test_file_exists(out));
    msg = si_test_slurp(err, NULL);
    assert_true(strstr(msg, "NaN") || strstr(msg, "nan"));
    free(msg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gradients),
        cmocka_unit_test(test_training_forward),
        cmocka_unit_test(test_cli_grad),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
