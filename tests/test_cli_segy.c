/* The field workflow from the outside: `simulate -o shots.sgy` writes the
 * trace headers segyio reads back; `invert` on that SEG-Y gives exactly the
 * velocity of the .npy path (small configuration S=4, R=25, T=769, random
 * weights) and prints the mapping report; velocity out as SEG-Y and PNG;
 * `info` on every kind of file; bad or unmappable SEG-Y exits 2 with a clear
 * message, leaving no output and an existing output untouched. */
#include "test_util.h"

#include <math.h>
#include <segyio/segy.h>

#include "nn/nn_random.h"
#include "seisinv/npy.h"
#include "seisinv/segy.h"
#include "seisinv/velgen.h"

#define KEEP "ORIGINAL CONTENT"
enum { S = 4, R = 25, T = 769, H = 70, W = 91 };
static const char *SRC = "2,31,59,88"; /* round(linspace(2, W-3, S)) */
static const char *REC = "0,4,8,11,15,19,22,26,30,34,38,41,45,49,52,56,60,64,68,71,75,79,82,86,90";

static char dir[256];

static const char *in_dir(const char *name) {
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Runs the CLI with stdout and stderr into out.txt / err.txt; returns the exit code. */
static int run(const char *fmt, ...) {
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *bin = getenv("SEISINV_BIN");
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s/out.txt' 2>'%s/err.txt'", bin ? bin : "seisinv", args,
             dir, dir);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *out_text(void) {
    return si_test_slurp(in_dir("out.txt"), NULL);
}
static char *err_text(void) {
    return si_test_slurp(in_dir("err.txt"), NULL);
}

static void expect_in(char *text, const char *needle) {
    if (!text || !strstr(text, needle))
        fail_msg("'%s' not in:\n%s", needle, text ? text : "(nothing)");
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s", si_test_tmpdir());
    nn_random_spec spec = {.S = S, .R = R, .T = T, .H = H, .W = W, .seed = 11};
    if (nn_random_weights(in_dir("w.safetensors"), &spec) != SI_OK) fail_msg("%s", si_last_error());
    float *vel = malloc(sizeof(float) * H * W);
    assert_int_equal(si_velgen(3, 5, 0, H, W, vel), SI_OK);
    const int64_t hw[2] = {H, W};
    assert_int_equal(si_npy_write(in_dir("vel.npy"), 2, hw, vel), SI_OK);
    free(vel);
    for (int k = 0; k < 2; k++)
        if (run("simulate -m '%s' -o '%s' --nt %d --src-x %s --rec-x %s --threads 2",
                in_dir("vel.npy"), in_dir(k ? "shots.sgy" : "shots.npy"), T, SRC, REC))
            fail_msg("simulate: %s", err_text());
    /* three shots only: a survey the model cannot take */
    if (run("simulate -m '%s' -o '%s' --nt 500 --src-x 2,45,88 --rec-x %s --threads 2",
            in_dir("vel.npy"), in_dir("three.sgy"), REC))
        fail_msg("simulate: %s", err_text());
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* The simulated SEG-Y as segyio reads it: headers and samples. */
static void test_simulate_segy(void **state) {
    (void)state;
    segy_file *f = segy_open(in_dir("shots.sgy"), "rb");
    assert_non_null(f);
    char bh[400], th[240];
    int32_t v;
    assert_int_equal(segy_binheader(f, bh), 0);
    segy_get_bfield(bh, SEGY_BIN_FORMAT, &v), assert_int_equal(v, 5);
    segy_get_bfield(bh, SEGY_BIN_INTERVAL, &v), assert_int_equal(v, 1000);
    segy_get_bfield(bh, SEGY_BIN_SAMPLES, &v), assert_int_equal(v, T);
    segy_get_bfield(bh, SEGY_BIN_SEGY_REVISION, &v), assert_int_equal(v, 0x0100);
    segy_get_bfield(bh, SEGY_BIN_TRACES, &v), assert_int_equal(v, R);
    assert_int_equal(segy_set_format(f, SEGY_IEEE_FLOAT_4_BYTE), 0);
    int n;
    assert_int_equal(segy_traces(f, &n, 3600, 4 * T), 0);
    assert_int_equal(n, S * R);
    si_array shots;
    assert_int_equal(si_npy_read(in_dir("shots.npy"), &shots), SI_OK);
    const int src[S] = {2, 31, 59, 88}, rec[3] = {0, 11, 90};
    float tr[T];
    for (int s = 0; s < S; s++)
        for (int k = 0; k < 3; k++) {
            const int r = k == 0 ? 0 : k == 1 ? 3 : R - 1, q = s * R + r;
            assert_int_equal(segy_traceheader(f, q, th, 3600, 4 * T), 0);
            const struct {
                int field, want;
            } fields[] = {
                {SEGY_TR_FIELD_RECORD, s + 1},
                {SEGY_TR_NUMBER_ORIG_FIELD, r + 1},
                {SEGY_TR_SOURCE_X, src[s] * 10},
                {SEGY_TR_GROUP_X, rec[k] * 10},
                {SEGY_TR_OFFSET, (rec[k] - src[s]) * 10},
                {SEGY_TR_SOURCE_GROUP_SCALAR, 1},
                {SEGY_TR_SAMPLE_COUNT, T},
                {SEGY_TR_SAMPLE_INTER, 1000},
                {SEGY_TR_SOURCE_DEPTH, 10},
                {SEGY_TR_RECV_GROUP_ELEV, -10},
            };
            for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
                segy_get_field(th, fields[i].field, &v);
                if (v != fields[i].want)
                    fail_msg("trace %d byte %d: %d, want %d", q, fields[i].field, v,
                             fields[i].want);
            }
            assert_int_equal(segy_readtrace(f, q, tr, 3600, 4 * T), 0);
            assert_int_equal(segy_to_native(SEGY_IEEE_FLOAT_4_BYTE, T, tr), 0);
            for (int t = 0; t < T; t++)
                assert_true(tr[t] == shots.data[((size_t)s * T + t) * R + r]);
        }
    segy_close(f);
    si_array_free(&shots);
}

static void read_npy(const char *name, si_array *a) {
    if (si_npy_read(in_dir(name), a) != SI_OK) fail_msg("%s", si_last_error());
}

/* simulate -> SEG-Y -> invert gives the same velocity as the .npy path. */
static void test_segy_invert_equals_npy(void **state) {
    (void)state;
    char w[512]; /* in_dir's buffers rotate */
    snprintf(w, sizeof w, "%s", in_dir("w.safetensors"));
    assert_int_equal(
        run("invert -w '%s' '%s' -o '%s' -j 2", w, in_dir("shots.npy"), in_dir("v_npy.npy")), 0);
    assert_int_equal(
        run("invert -w '%s' '%s' -o '%s' -j 2", w, in_dir("shots.sgy"), in_dir("v_sgy.npy")), 0);
    char *rep = out_text();
    print_message("%s", rep ? rep : "(nothing)\n");
    expect_in(rep, "shots: 4 of 4 survey shots used");
    expect_in(rep, "largest position error 0 m");
    expect_in(rep, "time: 769 samples at 1 ms, the model's rate: copied");
    free(rep);
    si_array a, b;
    read_npy("v_npy.npy", &a), read_npy("v_sgy.npy", &b);
    assert_int_equal(b.ndim, 2);
    assert_memory_equal(a.data, b.data, sizeof(float) * H * W);

    /* A copy with no extension is found by its headers. */
    size_t n;
    char *raw = si_test_slurp(in_dir("shots.sgy"), &n);
    si_test_write_file(in_dir("shots.data"), raw, n);
    free(raw);
    assert_int_equal(run("invert -w '%s' '%s' -o '%s' --png '%s'", w, in_dir("shots.data"),
                         in_dir("v.sgy"), in_dir("v.png")),
                     0);
    si_segy sv;
    if (si_segy_read(in_dir("v.sgy"), 1, &sv) != SI_OK) fail_msg("%s", si_last_error());
    assert_true(sv.depth && sv.ns == H && sv.ntraces == W && sv.dt == 10);
    for (int x = 0; x < W; x++)
        for (int z = 0; z < H; z++)
            assert_true(sv.data[x * H + z] == a.data[z * W + x]);
    si_segy_free(&sv);
    assert_int_equal(run("invert -w '%s' '%s' -o '%s'", w, in_dir("shots.sgy"), in_dir("o.png")),
                     0);
    char *png = si_test_slurp(in_dir("o.png"), NULL), *png2 = si_test_slurp(in_dir("v.png"), NULL);
    assert_memory_equal(png, "\x89PNG", 4);
    assert_memory_equal(png2, "\x89PNG", 4);
    free(png), free(png2);
    si_array_free(&a), si_array_free(&b);
    assert_int_equal(si_test_count_files(dir, ".tmp."), 0);
}

static void test_info(void **state) {
    (void)state;
    assert_int_equal(run("info '%s'", in_dir("shots.sgy")), 0);
    char *t = out_text();
    print_message("%s", t ? t : "(nothing)\n");
    expect_in(t, "SEG-Y rev 1.0, IEEE float (format 5), big-endian");
    expect_in(t, "100 traces of 769 samples, sample interval 1 ms");
    expect_in(t, "4 shots (by source position), 25 to 25 receivers per shot");
    expect_in(t, "sources from 20 to 880 m");
    free(t);
    assert_int_equal(run("info '%s' '%s'", in_dir("shots.npy"), in_dir("w.safetensors")), 0);
    t = out_text();
    print_message("%s", t ? t : "(nothing)\n");
    expect_in(t, "shape [4, 769, 25]");
    expect_in(t, "a survey [S, T, R]");
    expect_in(t, "config: arch=seisinvnet S=4 R=25 T=769 H=70 W=91");
    expect_in(t, "parameters");
    free(t);
    assert_int_equal(run("info '%s'", in_dir("v.sgy")), 0);
    t = out_text();
    expect_in(t, "depth section (seisinv velocity): 91 traces (columns) of 70 samples, dz 10 m");
    free(t);
    si_test_write_file(in_dir("junk.bin"), "just some bytes", 15);
    assert_int_equal(run("info '%s'", in_dir("junk.bin")), 2);
    t = err_text();
    expect_in(t, "not a .npy, SEG-Y, safetensors or PNG file");
    free(t);
}

/* Exit 2 with `word` on stderr, twice: a new output (must not appear) and an
 * existing one (unchanged). `fmt` has one %s for the output path. */
static void expect_bad(const char *word, const char *fmt, ...) {
    char args[2048], full[2300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    for (int pass = 0; pass < 2; pass++) {
        const char *out = in_dir(pass ? "keep.npy" : "new.npy");
        if (pass) si_test_write_file(out, KEEP, strlen(KEEP));
        snprintf(full, sizeof full, args, out);
        int rc = run("%s", full);
        char *msg = err_text();
        if (pass == 0) print_message("%-34s -> %s", word, msg ? msg : "(nothing)\n");
        if (rc != 2 || !msg || !strstr(msg, word))
            fail_msg("expected exit 2 and '%s', got %d: %s\n  %s", word, rc, msg, full);
        free(msg);
        if (pass == 0) {
            assert_false(si_test_file_exists(out));
        } else {
            char *kept = si_test_slurp(out, NULL);
            assert_string_equal(kept, KEEP);
            free(kept);
        }
    }
    assert_int_equal(si_test_count_files(dir, ".tmp."), 0);
}

static void corrupt_copy(const char *dst, long at, const void *bytes, size_t len) {
    size_t n;
    char *b = si_test_slurp(in_dir("shots.sgy"), &n);
    assert_non_null(b);
    if (bytes) memcpy(b + at, bytes, len);
    si_test_write_file(in_dir(dst), b, bytes ? n : (size_t)at);
    free(b);
}

static void test_bad_segy(void **state) {
    (void)state;
    char w[600];
    snprintf(w, sizeof w, "-w '%s'", in_dir("w.safetensors"));
    corrupt_copy("trunc.sgy", 3600 + 10 * (240 + 4 * T) + 100, NULL, 0);
    corrupt_copy("fmt.sgy", 3200 + 24, "\x00\x09", 2);
    corrupt_copy("nan.sgy", 3600 + 7 * (240 + 4 * T) + 240 + 4 * 33, "\x7f\xc0\x00\x00", 4);
    si_test_write_file(in_dir("tiny.sgy"), "C 1 not really", 14);
    expect_bad("truncated", "invert %s '%s' -o '%%s'", w, in_dir("trunc.sgy"));
    expect_bad("sample format code 9 is not supported", "invert %s '%s' -o '%%s'", w,
               in_dir("fmt.sgy"));
    expect_bad("trace 7 (FieldRecord 1, TraceNumber 8) sample 33 is NaN", "invert %s '%s' -o '%%s'",
               w, in_dir("nan.sgy"));
    expect_bad("too short for SEG-Y", "invert %s '%s' -o '%%s'", w, in_dir("tiny.sgy"));
    expect_bad("the survey has 3 shot gathers, the model needs 4", "invert %s '%s' -o '%%s'", w,
               in_dir("three.sgy"));
    expect_bad("--force maps it anyway", "invert %s '%s' -o '%%s'", w, in_dir("three.sgy"));
    expect_bad("depth section", "invert %s '%s' -o '%%s' --force", w, in_dir("v.sgy"));
    expect_bad("--src-x '1,2': need exactly 4 columns", "invert %s '%s' -o '%%s' --src-x 1,2", w,
               in_dir("shots.sgy"));
    expect_bad("--srt is for .npy input", "invert %s --srt '%s' -o '%%s'", w, in_dir("shots.sgy"));
    expect_bad("cannot be stored in SEG-Y", "simulate -m '%s' -o '%%s.sgy' --dt 0.0000015 --nt 5",
               in_dir("vel.npy"));
    /* forced: the three shots fill four (one twice), with the report saying so */
    assert_int_equal(
        run("invert %s '%s' -o '%s' --force", w, in_dir("three.sgy"), in_dir("forced.npy")), 0);
    char *rep = out_text();
    print_message("%s", rep ? rep : "(nothing)\n");
    expect_in(rep, "FORCED past the tolerance");
    expect_in(rep, "padded with zeros");
    free(rep);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simulate_segy),
        cmocka_unit_test(test_segy_invert_equals_npy),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_bad_segy),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
