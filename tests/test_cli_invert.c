/* `seisinv invert` from the outside: a survey to [H, W] m/s, the [S, R, T]
 * layout (--srt) and a dataset shard [n, S, T, R] to [n, 1, H, W] agree with
 * each other; --png; bad input (truncated or lying .npy, wrong dtype, wrong
 * shape, NaN, missing / mis-shaped / NaN tensors, bad options) exits 2 with a
 * message naming the problem, no output file, an existing output untouched,
 * no temporary left. Random weights (nn_random_weights): no Python. */
#include "test_util.h"

#include <math.h>

#include "nn/nn_random.h"
#include "seisinv/npy.h"

#define KEEP "ORIGINAL CONTENT"
enum { S = 4, R = 25, T = 769, H = 70, W = 91 };

/* surveys in the shard: 3, or 2 under an emulator (qemu: ~20 s a pass) */
static int nb = 3;

static char dir[256];

static const char *in_dir(const char *name) {
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void write_weights(const char *name, nn_random_spec spec) {
    spec.S = S, spec.R = R, spec.T = T, spec.H = H, spec.W = W, spec.seed = 4;
    if (nn_random_weights(in_dir(name), &spec) != SI_OK) fail_msg("%s", si_last_error());
}

static float sample(int n, int s, int t, int r) {
    return 2.0f * sinf(0.05f * (float)(t + 7 * r + 31 * s + 97 * n)) * expf(-(float)t / 500.0f);
}

/* Raw bytes of a file: `len` bytes copied from `src` after replacing the
 * first occurrence of `from` by `to` (same length) in its header. */
static void copy_edit(const char *src, const char *dst, long len, const char *from,
                      const char *to) {
    size_t n;
    char *buf = si_test_slurp(in_dir(src), &n);
    assert_non_null(buf);
    if (from) {
        char *p = strstr(buf + 10, from); /* the header text, after magic and length */
        assert_non_null(p);
        assert_int_equal(strlen(from), strlen(to));
        memcpy(p, to, strlen(to));
    }
    si_test_write_file(in_dir(dst), buf, len < 0 ? n : (size_t)len);
    free(buf);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s", si_test_tmpdir());
    if (si_test_small()) nb = 2;
    write_weights("w.safetensors", (nn_random_spec){0});
    write_weights("w_missing.safetensors",
                  (nn_random_spec){.omit = "decoder.layer3.4.running_var"});
    write_weights("w_shape.safetensors",
                  (nn_random_spec){.reshape = "encoder.glob.layer9.0.weight"});
    write_weights("w_nan.safetensors", (nn_random_spec){.poison = "generator.lin2.weight"});
    float *x = malloc(sizeof(float) * nb * S * T * R), *srt = malloc(sizeof(float) * S * R * T);
    for (int n = 0; n < nb; n++)
        for (int s = 0; s < S; s++)
            for (int t = 0; t < T; t++)
                for (int r = 0; r < R; r++)
                    x[(((size_t)n * S + s) * T + t) * R + r] = sample(n, s, t, r);
    for (int s = 0; s < S; s++)
        for (int r = 0; r < R; r++)
            for (int t = 0; t < T; t++)
                srt[((size_t)s * R + r) * T + t] = sample(0, s, t, r);
    int64_t one[3] = {S, T, R}, shard[4] = {nb, S, T, R}, osrt[3] = {S, R, T},
            bad[3] = {S, T, R - 1};
    assert_int_equal(si_npy_write(in_dir("shots.npy"), 3, one, x), SI_OK);
    assert_int_equal(si_npy_write(in_dir("data_0.npy"), 4, shard, x), SI_OK);
    assert_int_equal(si_npy_write(in_dir("shots_srt.npy"), 3, osrt, srt), SI_OK);
    assert_int_equal(si_npy_write(in_dir("shots_24.npy"), 3, bad, x), SI_OK);
    x[(2 * T + 5) * R + 3] = NAN;
    assert_int_equal(si_npy_write(in_dir("shots_nan.npy"), 3, one, x), SI_OK);
    x[(2 * T + 5) * R + 3] = 0;
    x[(((size_t)1 * S + 2) * T + 5) * R + 3] = NAN; /* survey 1 of a shard */
    FILE *f = fopen(in_dir("data_nan.npy"), "wb");  /* our writer refuses NaN: write raw */
    assert_non_null(f);
    char hdr[80];
    snprintf(hdr, sizeof hdr,
             "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 4, 769, 25), }", nb);
    char head[128];
    memset(head, ' ', sizeof head);
    memcpy(head, "\x93NUMPY\x01\x00\x76\x00", 10); /* v1.0, header 118 bytes */
    memcpy(head + 10, hdr, strlen(hdr));
    head[127] = '\n';
    assert_int_equal(fwrite(head, 1, 128, f), 128);
    assert_int_equal(fwrite(x, sizeof(float), (size_t)nb * S * T * R, f), (size_t)nb * S * T * R);
    fclose(f);
    free(x), free(srt);
    size_t len;
    free(si_test_slurp(in_dir("shots.npy"), &len));
    copy_edit("shots.npy", "truncated.npy", (long)len / 2, NULL, NULL);
    copy_edit("shots.npy", "f64.npy", -1, "'<f4'", "'<f8'");      /* half the data for f8 */
    copy_edit("shots.npy", "lies.npy", -1, "(4, 769", "(5, 769"); /* header claims more */
    si_test_write_file(in_dir("not_npy.npy"), "hello, not numpy\n", 17);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void read_out(const char *name, int ndim, const int64_t *shape, si_array *a) {
    if (si_npy_read(in_dir(name), a) != SI_OK) fail_msg("%s", si_last_error());
    assert_int_equal(a->ndim, ndim);
    assert_memory_equal(a->shape, shape, sizeof(int64_t) * ndim);
}

static void test_invert_ok(void **state) {
    (void)state;
    char err[512], w[512];
    snprintf(err, sizeof err, "%s/err.txt", dir);
    snprintf(w, sizeof w, "%s", in_dir("w.safetensors"));
    assert_int_equal(si_test_run_cli(err, "invert --weights '%s' '%s' -o '%s' --png '%s' -j 2", w,
                                     in_dir("shots.npy"), in_dir("vel.npy"), in_dir("vel.png")),
                     0);
    si_array v, v2, b;
    const int64_t hw[2] = {H, W}, nhw[4] = {nb, 1, H, W};
    read_out("vel.npy", 2, hw, &v);
    float lo = v.data[0], hi = v.data[0];
    for (int i = 0; i < H * W; i++)
        lo = fminf(lo, v.data[i]), hi = fmaxf(hi, v.data[i]);
    print_message("velocity range [%.1f, %.1f] m/s\n", lo, hi);
    assert_true(lo >= 1500 && hi <= 4000 && hi > lo);
    char *png = si_test_slurp(in_dir("vel.png"), NULL);
    assert_memory_equal(png, "\x89PNG", 4);
    free(png);

    assert_int_equal(si_test_run_cli(err, "invert -w '%s' --srt '%s' -o '%s' --threads 1", w,
                                     in_dir("shots_srt.npy"), in_dir("vel_srt.npy")),
                     0);
    read_out("vel_srt.npy", 2, hw, &v2);
    assert_memory_equal(v.data, v2.data, sizeof(float) * H * W);

    assert_int_equal(si_test_run_cli(err, "invert -w '%s' '%s' -o '%s'", w, in_dir("data_0.npy"),
                                     in_dir("model_0.npy")),
                     0);
    read_out("model_0.npy", 4, nhw, &b);
    assert_memory_equal(b.data, v.data, sizeof(float) * H * W); /* shard sample 0 = the survey */
    assert_memory_not_equal(b.data + H * W, v.data, sizeof(float) * H * W);
    si_array_free(&v), si_array_free(&v2), si_array_free(&b);
    assert_int_equal(si_test_count_files(dir, ".tmp."), 0);
}

/* Must fail with exit 2 and a message containing `word`, twice: writing a
 * new file (which must not appear) and over an existing one (unchanged).
 * `fmt` has one %s for the output path. */
static void expect_bad(const char *word, const char *fmt, ...) {
    char args[2048], full[2300], err[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(err, sizeof err, "%s/err.txt", dir);
    for (int pass = 0; pass < 2; pass++) {
        const char *out = in_dir(pass ? "keep.npy" : "new.npy");
        if (pass) si_test_write_file(out, KEEP, strlen(KEEP));
        snprintf(full, sizeof full, args, out);
        int rc = si_test_run_cli(err, "%s", full);
        char *msg = si_test_slurp(err, NULL);
        if (pass == 0) print_message("%-28s -> %s", word, msg ? msg : "(nothing)\n");
        if (rc != 2 || !msg || !strstr(msg, word))
            fail_msg("expected exit 2 and '%s', got %d: %s\n  %s", word, rc, msg, full);
        free(msg);
        if (pass == 0) {
            assert_false(si_test_file_exists(out));
            assert_false(si_test_file_exists(in_dir("bad.png")));
        } else {
            char *kept = si_test_slurp(out, NULL);
            assert_string_equal(kept, KEEP);
            free(kept);
        }
    }
    assert_int_equal(si_test_count_files(dir, ".tmp."), 0);
}

static void test_invert_bad(void **state) {
    (void)state;
    char w[512], png[600], shots[512];
    snprintf(w, sizeof w, "-w '%s'", in_dir("w.safetensors"));
    snprintf(png, sizeof png, "--png '%s'", in_dir("bad.png"));
    snprintf(shots, sizeof shots, "%s", in_dir("shots.npy"));
    expect_bad("holds", "invert %s '%s' -o '%%s' %s", w, in_dir("truncated.npy"), png);
    expect_bad("holds", "invert %s '%s' -o '%%s' %s", w, in_dir("lies.npy"), png);
    expect_bad("f8", "invert %s '%s' -o '%%s' %s", w, in_dir("f64.npy"), png);
    expect_bad("not_npy.npy", "invert %s '%s' -o '%%s'", w, in_dir("not_npy.npy"));
    expect_bad("does not fit", "invert %s '%s' -o '%%s' %s", w, in_dir("shots_24.npy"), png);
    expect_bad("does not fit", "invert %s --srt '%s' -o '%%s'", w,
               shots); /* [S,T,R] given as SRT */
    expect_bad("does not fit", "invert %s '%s' -o '%%s'", w, in_dir("vel.npy"));
    expect_bad("shots_nan.npy: survey sample (shot 2, receiver 3, time 5) is nan",
               "invert %s '%s' -o '%%s' %s", w, in_dir("shots_nan.npy"), png);
    expect_bad("survey 1: survey sample (shot 2, receiver 3, time 5) is nan",
               "invert %s '%s' -o '%%s' %s", w, in_dir("data_nan.npy"), png);
    expect_bad("decoder.layer3.4.running_var", "invert -w '%s' '%s' -o '%%s' %s",
               in_dir("w_missing.safetensors"), shots, png);
    expect_bad("encoder.glob.layer9.0.weight", "invert -w '%s' '%s' -o '%%s'",
               in_dir("w_shape.safetensors"), shots);
    expect_bad("generator.lin2.weight", "invert -w '%s' '%s' -o '%%s'", in_dir("w_nan.safetensors"),
               shots);
    expect_bad("shots.npy", "invert -w '%s' '%s' -o '%%s'", shots, shots); /* not safetensors */
    expect_bad("nothere", "invert %s '%s/nothere.npy' -o '%%s'", w, dir);
    expect_bad("--threads", "invert %s '%s' -o '%%s' --threads 0", w, shots);
    expect_bad("--weights", "invert '%s' -o '%%s'", shots);
    expect_bad("unknown option", "invert %s '%s' -o '%%s' --frobnicate", w, shots);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invert_ok),
        cmocka_unit_test(test_invert_bad),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
