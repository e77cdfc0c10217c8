/* `seisinv invert --truth` and `seisinv eval` from the outside, on random
 * weights of a small configuration (S 4, R 25, T 769, 32×32): the printed
 * metrics agree with si_metrics on the written predictions; eval over a
 * folder of two shards, one shard, --count; a SEG-Y survey; bad input exits 2 naming the
 * problem with no output written. Under qemu (si_test_small()): 2 shots, and
 * shards of 2 and 1 surveys instead of 3 and 2. */
#include "test_metrics_util.h"

#include "nn/nn_random.h"
#include "seisinv/metrics.h"
#include "seisinv/sim.h"

enum { R = 25, T = 769, H = 32, W = 32, S_MAX = 4 };

static char dir[256];
static int S = 4, n0 = 3, n1 = 2; /* shots; surveys of shards 0 and 1 */

static const char *in_dir(const char *name) {
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%.250s/%.250s", dir, name);
    return buf[k];
}

/* Runs the CLI; stdout into *out (malloc'ed), stderr into dir/err.txt. */
static int run_cli(char **out, const char *fmt, ...) {
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *bin = getenv("SEISINV_BIN");
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s/out.txt' 2>'%s/err.txt'", bin ? bin : "seisinv", args,
             dir, dir);
    int rc = system(cmd);
    if (out) *out = si_test_slurp(in_dir("out.txt"), NULL);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *err_text(void) {
    return si_test_slurp(in_dir("err.txt"), NULL);
}

/* The number after `key` (e.g. "MAE ") followed by `unit` in s. */
static double number_before(const char *s, const char *key, const char *unit) {
    for (const char *p = strstr(s, key); p; p = strstr(p + 1, key)) {
        char *end;
        double v = strtod(p + strlen(key), &end);
        if (end != p + strlen(key) && strncmp(end, unit, strlen(unit)) == 0) return v;
    }
    fail_msg("no '%s<number>%s' in: %s", key, unit, s);
    return NAN;
}

static void survey(float *x, int n) {
    for (int s = 0; s < S; s++)
        for (int t = 0; t < T; t++)
            for (int r = 0; r < R; r++)
                x[((size_t)s * T + t) * R + r] =
                    2.0f * sinf(0.05f * (float)(t + 7 * r + 31 * s + 97 * n)) * expf(-t / 500.0f);
}

static void truth_model(float *v, int n) {
    float p[H * W];
    tm_layered_pair(v, p, H, W, 0, (uint64_t)n + 1);
    for (int i = 0; i < H * W; i++)
        v[i] = 1500.0f + 2500.0f * v[i];
}

/* shard k of `count` surveys starting at survey `first`. */
static void write_shard(const char *sub, int k, int first, int count) {
    const size_t per = (size_t)S * T * R;
    float *x = malloc(count * per * sizeof *x), *v = malloc((size_t)count * H * W * sizeof *v);
    for (int i = 0; i < count; i++)
        survey(x + i * per, first + i), truth_model(v + (size_t)i * H * W, first + i);
    char name[512];
    snprintf(name, sizeof name, "%s/data_%d.npy", sub, k);
    assert_int_equal(si_npy_write(in_dir(name), 4, (int64_t[]){count, S, T, R}, x), SI_OK);
    snprintf(name, sizeof name, "%s/model_%d.npy", sub, k);
    assert_int_equal(si_npy_write(in_dir(name), 4, (int64_t[]){count, 1, H, W}, v), SI_OK);
    free(x);
    free(v);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s", si_test_tmpdir());
    if (si_test_small()) S = 2, n0 = 2, n1 = 1;
    nn_random_spec spec = {.S = S, .R = R, .T = T, .H = H, .W = W, .seed = 4};
    if (nn_random_weights(in_dir("w.safetensors"), &spec) != SI_OK) fail_msg("%s", si_last_error());
    mkdir(in_dir("ds"), 0755);
    write_shard("ds", 0, 0, n0);
    write_shard("ds", 1, n0, n1);
    float x[S_MAX * T * R], v[H * W];
    survey(x, 0);
    truth_model(v, 0);
    assert_int_equal(si_npy_write(in_dir("shots.npy"), 3, (int64_t[]){S, T, R}, x), SI_OK);
    assert_int_equal(si_npy_write(in_dir("truth.npy"), 2, (int64_t[]){H, W}, v), SI_OK);
    assert_int_equal(si_npy_write(in_dir("truth_bad.npy"), 2, (int64_t[]){H, W - 1}, v), SI_OK);
    return 0;
}

/* Metrics of the predictions in pred.npy ([H, W] or [n, 1, H, W]) against
 * the true models in truth (same count), averaged. */
static si_metrics expected(const char *pred, const char *truth) {
    si_array p, t;
    assert_int_equal(si_npy_read(in_dir(pred), &p), SI_OK);
    assert_int_equal(si_npy_read(in_dir(truth), &t), SI_OK);
    assert_int_equal(si_array_numel(&p), si_array_numel(&t));
    si_metrics_acc *acc;
    assert_int_equal(si_metrics_acc_new(&acc, H, W, 1500, 4000), SI_OK);
    for (int64_t i = 0; i < si_array_numel(&p) / (H * W); i++)
        assert_int_equal(si_metrics_acc_add(acc, p.data + i * H * W, t.data + i * H * W, NULL),
                         SI_OK);
    si_metrics m = si_metrics_acc_mean(acc);
    si_metrics_acc_free(acc);
    si_array_free(&p);
    si_array_free(&t);
    return m;
}

static void check_printed(const char *out, const si_metrics *m) {
    assert_true(fabs(number_before(out, "MAE ", " m/s") - m->mae_ms) <= 0.051);
    assert_true(fabs(number_before(out, "RMSE ", " m/s") - m->rmse_ms) <= 0.051);
    assert_true(fabs(number_before(out, "SSIM ", " ") - m->ssim) <= 5.1e-5);
    assert_true(fabs(number_before(out, "MS-SSIM ", " ") - m->msssim) <= 5.1e-5);
    assert_true(fabs(number_before(out, "PSNR ", " dB") - m->psnr) <= 0.0051);
}

static void test_invert_truth(void **state) {
    (void)state;
    char *out;
    assert_int_equal(run_cli(&out, "invert -w '%s' '%s' -o '%s' --truth '%s'",
                             in_dir("w.safetensors"), in_dir("shots.npy"), in_dir("v.npy"),
                             in_dir("truth.npy")),
                     0);
    si_metrics m = expected("v.npy", "truth.npy");
    print_message("invert --truth: %s", out);
    check_printed(out, &m);
    free(out);
    /* A shard against its model_K.npy: the mean of three (two under qemu). */
    assert_int_equal(run_cli(&out, "invert -w '%s' '%s' -o '%s' --truth '%s'",
                             in_dir("w.safetensors"), in_dir("ds/data_0.npy"), in_dir("p0.npy"),
                             in_dir("ds/model_0.npy")),
                     0);
    char text[64];
    snprintf(text, sizeof text, "mean metrics of %d models", n0);
    assert_non_null(strstr(out, text));
    m = expected("p0.npy", "ds/model_0.npy");
    check_printed(out, &m);
    free(out);
}

/* A SEG-Y survey simulated over the true model with the network's geometry. */
static void test_invert_truth_segy(void **state) {
    (void)state;
    int rec[R];
    si_sim_network_receivers(W, R, rec);
    char list[512];
    int k = 0;
    for (int r = 0; r < R; r++)
        k += snprintf(list + k, sizeof list - (size_t)k, "%s%d", r ? "," : "", rec[r]);
    assert_int_equal(run_cli(NULL, "simulate -m '%s' -o '%s' --nt %d --src-x %s --rec-x %s",
                             in_dir("truth.npy"), in_dir("shots.sgy"), T,
                             S == 4 ? "2,11,20,29" : "2,29", list),
                     0);
    char *out;
    assert_int_equal(run_cli(&out, "invert -w '%s' '%s' -o '%s' --truth '%s'",
                             in_dir("w.safetensors"), in_dir("shots.sgy"), in_dir("vs.npy"),
                             in_dir("truth.npy")),
                     0);
    assert_non_null(strstr(out, "metrics against"));
    const si_metrics m = expected("vs.npy", "truth.npy");
    check_printed(out, &m);
    free(out);
    assert_int_equal(run_cli(NULL, "invert -w '%s' '%s' -o '%s' --truth '%s'",
                             in_dir("w.safetensors"), in_dir("shots.sgy"), in_dir("vsb.npy"),
                             in_dir("truth_bad.npy")),
                     2);
    assert_false(si_test_file_exists(in_dir("vsb.npy")));
}

static void test_invert_truth_bad(void **state) {
    (void)state;
    char *e;
    assert_int_equal(run_cli(NULL, "invert -w '%s' '%s' -o '%s' --truth '%s'",
                             in_dir("w.safetensors"), in_dir("shots.npy"), in_dir("vb.npy"),
                             in_dir("truth_bad.npy")),
                     2);
    e = err_text();
    assert_non_null(strstr(e, "truth_bad.npy: true model of shape [32, 31] does not fit"));
    free(e);
    assert_false(si_test_file_exists(in_dir("vb.npy")));
    /* A shard's true models must be as many as its surveys. */
    assert_int_equal(run_cli(NULL, "invert -w '%s' '%s' -o '%s' --truth '%s'",
                             in_dir("w.safetensors"), in_dir("ds/data_0.npy"), in_dir("vb.npy"),
                             in_dir("ds/model_1.npy")),
                     2);
    e = err_text();
    char text[64];
    snprintf(text, sizeof text, "need [n, 1, H, W] = [%d, 1, 32, 32]", n0);
    assert_non_null(strstr(e, text));
    free(e);
    assert_int_equal(run_cli(NULL, "invert -w '%s' '%s' -o '%s' --truth '%s'",
                             in_dir("w.safetensors"), in_dir("shots.npy"), in_dir("vb.npy"),
                             in_dir("missing.npy")),
                     2);
    assert_false(si_test_file_exists(in_dir("vb.npy")));
}

static void test_eval(void **state) {
    (void)state;
    char *out;
    /* Predictions of every shard, for the expected means. */
    assert_int_equal(run_cli(NULL, "invert -w '%s' '%s' -o '%s'", in_dir("w.safetensors"),
                             in_dir("ds/data_1.npy"), in_dir("p1.npy")),
                     0);
    assert_int_equal(run_cli(NULL, "invert -w '%s' '%s' -o '%s'", in_dir("w.safetensors"),
                             in_dir("ds/data_0.npy"), in_dir("p0.npy")),
                     0);
    const si_metrics m0 = expected("p0.npy", "ds/model_0.npy"),
                     m1 = expected("p1.npy", "ds/model_1.npy");
    assert_int_equal(
        run_cli(&out, "eval -w '%s' --data '%s'", in_dir("w.safetensors"), in_dir("ds")), 0);
    print_message("eval: %s", out);
    char text[64];
    snprintf(text, sizeof text, "%d surveys (2 shards)", n0 + n1);
    assert_non_null(strstr(out, text));
    const double w0 = (double)n0 / (n0 + n1), w1 = (double)n1 / (n0 + n1);
    si_metrics m = m0;
    m.mae_ms = w0 * m0.mae_ms + w1 * m1.mae_ms, m.rmse_ms = w0 * m0.rmse_ms + w1 * m1.rmse_ms;
    m.ssim = w0 * m0.ssim + w1 * m1.ssim, m.msssim = w0 * m0.msssim + w1 * m1.msssim;
    m.psnr = w0 * m0.psnr + w1 * m1.psnr;
    check_printed(out, &m);
    free(out);
    /* One shard; the first N surveys. */
    assert_int_equal(
        run_cli(&out, "eval -w '%s' --data '%s'", in_dir("w.safetensors"), in_dir("ds/data_1.npy")),
        0);
    snprintf(text, sizeof text, "%d surveys (1 shard)", n1);
    assert_non_null(strstr(out, text));
    check_printed(out, &m1);
    free(out);
    assert_int_equal(run_cli(&out, "eval -w '%s' --data '%s' --count %d", in_dir("w.safetensors"),
                             in_dir("ds"), n0),
                     0);
    snprintf(text, sizeof text, "%d surveys", n0);
    assert_non_null(strstr(out, text));
    check_printed(out, &m0);
    free(out);
}

static void test_eval_bad(void **state) {
    (void)state;
    char *e;
    assert_int_equal(run_cli(NULL, "eval -w '%s'", in_dir("w.safetensors")), 2);
    e = err_text();
    assert_non_null(strstr(e, "--data"));
    free(e);
    assert_int_equal(
        run_cli(NULL, "eval -w '%s' --data '%s'", in_dir("w.safetensors"), in_dir("nowhere")), 2);
    e = err_text();
    assert_non_null(strstr(e, "no such file or folder"));
    free(e);
    assert_int_equal(
        run_cli(NULL, "eval -w '%s' --data '%s'", in_dir("w.safetensors"), in_dir("shots.npy")), 2);
    e = err_text();
    assert_non_null(strstr(e, "need a folder of shards or a data_K.npy"));
    free(e);
    assert_int_equal(
        run_cli(NULL, "eval -w '%s' --data '%s' --count 0", in_dir("w.safetensors"), in_dir("ds")),
        2);
    /* A shard of the wrong shape; a shard without its models. */
    mkdir(in_dir("bad"), 0755);
    float x[2 * S_MAX * T * R];
    memset(x, 0, sizeof x);
    assert_int_equal(si_npy_write(in_dir("bad/data_0.npy"), 4, (int64_t[]){2, S, T, R - 1}, x),
                     SI_OK);
    assert_int_equal(si_npy_write(in_dir("bad/model_0.npy"), 4, (int64_t[]){2, 1, H, W}, x), SI_OK);
    assert_int_equal(
        run_cli(NULL, "eval -w '%s' --data '%s'", in_dir("w.safetensors"), in_dir("bad")), 2);
    e = err_text();
    char text[64];
    snprintf(text, sizeof text, "data_0.npy: shape [2, %d, 769, 24] does not fit", S);
    assert_non_null(strstr(e, text));
    free(e);
    mkdir(in_dir("lone"), 0755);
    assert_int_equal(si_npy_write(in_dir("lone/data_0.npy"), 4, (int64_t[]){2, S, T, R}, x), SI_OK);
    assert_int_equal(
        run_cli(NULL, "eval -w '%s' --data '%s'", in_dir("w.safetensors"), in_dir("lone")), 2);
    e = err_text();
    assert_non_null(strstr(e, "has no"));
    assert_non_null(strstr(e, "model_0.npy"));
    free(e);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invert_truth),     cmocka_unit_test(test_invert_truth_segy),
        cmocka_unit_test(test_invert_truth_bad), cmocka_unit_test(test_eval),
        cmocka_unit_test(test_eval_bad),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
