/* `seisinv bench` from the outside. On a small model made by the PyTorch
 * oracle (tests/oracle/make_case.py; skipped without torch): --json carries
 * the configuration, ordered latencies, a GFLOP count and parameter count
 * matching the oracle's, the same arena and weight bytes as the library
 * reports, the fraction of a given peak, and one per-layer entry per timed
 * step; the text form has the same figures. Without --weights: random
 * paper-configuration weights, whose temporary file is gone afterwards.
 * Bad input exits 2 with a message naming the problem. */
#include "test_util.h"

#include <jansson.h>
#include <math.h>

#include "nn/nn_random.h"
#include "seisinv/model.h"

static char dir[256];
static int have_case;

static const char *in_dir(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s", si_test_tmpdir());
    char cmd[2048];
    mkdir(in_dir("tmp"), 0755);
    if (system("/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1") != 0) return 0;
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s/tests/oracle/make_case.py' --config small --seed 5 --out '%s' "
             ">'%s/log.txt' 2>&1",
             getenv("SEISINV_SRC"), dir, dir);
    if (system(cmd) != 0) return -1;
    have_case = 1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* Runs `seisinv bench ARGS` with TMPDIR in our folder; stdout into `out`. */
static int bench(const char *out, const char *fmt, ...) {
    char args[2048], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "TMPDIR='%s' '%s' bench %s >'%s' 2>'%s'", in_dir("tmp"),
             getenv("SEISINV_BIN"), args, out, in_dir("err.txt"));
    const int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static json_t *bench_json(const char *fmt, ...) {
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *out = in_dir("out.json");
    if (bench(out, "%s", args) != 0) {
        char *err = si_test_slurp(in_dir("err.txt"), NULL);
        assert_non_null(err);
        fail_msg("bench %s failed: %s", args, err);
    }
    json_error_t e;
    json_t *j = json_load_file(out, 0, &e);
    if (!j) fail_msg("bench --json printed no JSON: %s", e.text);
    return j;
}

static double num(const json_t *o, const char *key) {
    const json_t *v = json_object_get(o, key);
    if (!json_is_number(v)) fail_msg("'%s' missing or not a number", key);
    return json_number_value(v);
}

static void test_json_small(void **state) {
    (void)state;
    if (!have_case) skip();
    char w[512]; /* in_dir's buffers rotate */
    snprintf(w, sizeof w, "%s", in_dir("weights.safetensors"));
    /* emulated (qemu, ~20 s a pass): no warm-up pass */
    json_t *j = bench_json("-w '%s' --threads %d --runs 2 --warmup %d --json --layers --peak 100",
                           w, 2, si_test_small() ? 0 : 1);
    assert_int_equal(num(j, "S"), 4);
    assert_int_equal(num(j, "R"), 25);
    assert_int_equal(num(j, "T"), 769);
    assert_int_equal(num(j, "H"), 70);
    assert_int_equal(num(j, "W"), 91);
    assert_int_equal(num(j, "threads"), 2);
    assert_int_equal(num(j, "runs"), 2);
    assert_string_equal(json_string_value(json_object_get(j, "weights")), w);
    const json_t *lat = json_object_get(j, "latency_ms");
    const double mn = num(lat, "min"), med = num(lat, "median"), p90 = num(lat, "p90");
    const double mx = num(lat, "max");
    print_message("latency ms: min %.2f median %.2f p90 %.2f max %.2f\n", mn, med, p90, mx);
    assert_true(mn > 0 && mn <= med && med <= p90 && p90 <= mx);
    assert_true(fabs(med - 0.5 * (mn + mx)) < 1e-3); /* two runs: the median is their mean */

    /* the work and the size agree with the oracle's count and the library */
    json_t *cj = json_load_file(in_dir("case.json"), 0, NULL);
    assert_non_null(cj);
    const double gflop = num(j, "gflop_per_pass"), oracle = num(cj, "gflop");
    print_message("GFLOP per pass %.4f (oracle %.4f)\n", gflop, oracle);
    assert_true(fabs(gflop - oracle) < 0.02 * oracle);
    assert_int_equal(num(j, "parameters"), num(cj, "parameters"));
    json_decref(cj);
    si_model *m;
    const si_model_options opt = {2};
    assert_int_equal(si_model_load(&m, w, &opt), SI_OK);
    assert_int_equal(num(j, "arena_bytes"), si_model_arena_bytes(m));
    assert_int_equal(num(j, "weight_bytes"), si_model_weight_bytes(m));
    const int steps = si_model_step_count(m);
    si_model_free(m);
    /* the JSON has 3 decimals: under an emulator gflops is below 1 */
    assert_true(fabs(num(j, "gflops") - gflop / med * 1e3) < 1e-3 * num(j, "gflops") + 5e-4);
    assert_true(fabs(num(j, "peak_fraction") - num(j, "gflops") / 200.0) < 1e-3);
    assert_string_equal(json_string_value(json_object_get(j, "peak_source")), "given");

    const json_t *layers = json_object_get(j, "layers");
    assert_int_equal(json_array_size(layers), steps);
    double sum_ms = 0, sum_g = 0;
    for (size_t i = 0; i < json_array_size(layers); i++) {
        const json_t *l = json_array_get(layers, i);
        assert_true(strlen(json_string_value(json_object_get(l, "name"))) > 0);
        sum_ms += num(l, "ms"), sum_g += num(l, "gflop");
    }
    print_message("%d layers, %.2f ms in all\n", steps, sum_ms);
    assert_true(sum_ms > 0 && sum_ms < 3 * mx);
    assert_true(fabs(sum_g - gflop) < 1e-3 * gflop);
    json_decref(j);
}

static void test_text_small(void **state) {
    (void)state;
    if (!have_case) skip();
    const char *out = in_dir("out.txt");
    assert_int_equal(
        bench(out, "-w '%s' -j 1 -n 1 --warmup 0 --layers --peak 0", in_dir("weights.safetensors")),
        0);
    char *txt = si_test_slurp(out, NULL);
    assert_non_null(txt);
    print_message("%s", txt ? txt : "");
    static const char *want[] = {
        "S=4 R=25 T=769 -> 70x91", "1 thread,", "median", "p90", "GFLOP/s", "arena",
        "decoder.layer1.3",        "total"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(txt, want[i])) fail_msg("'%s' missing from the text output", want[i]);
    assert_null(strstr(txt, "of peak")); /* --peak 0: no fraction */
    free(txt);
}

/* No --weights: the paper configuration, with a measured peak, and the
 * temporary weights gone afterwards. */
static void test_random_paper(void **state) {
    (void)state;
    json_t *j = bench_json("--runs 1 --warmup 0 --json -j 1");
    assert_int_equal(num(j, "S"), 20);
    assert_int_equal(num(j, "R"), 32);
    assert_int_equal(num(j, "T"), 1000);
    assert_int_equal(num(j, "H"), 100);
    assert_true(json_is_null(json_object_get(j, "weights")));
    assert_true(num(j, "gflop_per_pass") > 20 && num(j, "gflop_per_pass") < 30);
    assert_true(num(j, "parameters") > 9.4e6 && num(j, "parameters") < 9.5e6);
    assert_true(num(j, "peak_gflops_per_core") > 0);
    assert_non_null(strstr(json_string_value(json_object_get(j, "peak_source")), "x"));
    print_message("paper, 1 thread, %s: %.1f ms, peak %.1f GFLOP/s per core (%s)\n",
                  json_string_value(json_object_get(j, "isa")),
                  num(json_object_get(j, "latency_ms"), "median"), num(j, "peak_gflops_per_core"),
                  json_string_value(json_object_get(j, "peak_source")));
    json_decref(j);
    assert_int_equal(si_test_count_files(in_dir("tmp"), "seisinv"), 0);
}

static void expect_bad(const char *word, const char *args) {
    const int rc = bench(in_dir("out.txt"), "%s", args);
    char *msg = si_test_slurp(in_dir("err.txt"), NULL);
    assert_non_null(msg);
    print_message("%-30s -> %s", args, msg ? msg : "(nothing)\n");
    if (rc != 2 || !msg || !strstr(msg, word))
        fail_msg("bench %s: expected exit 2 and '%s', got %d: %s", args, word, rc, msg);
    free(msg);
    assert_int_equal(si_test_count_files(in_dir("tmp"), "seisinv"), 0);
}

static void test_bad_input(void **state) {
    (void)state;
    char a[1200];
    expect_bad("--runs", "--runs 0");
    expect_bad("--runs", "--runs 2x");
    expect_bad("--threads", "--threads 0");
    expect_bad("--warmup", "--warmup -1");
    expect_bad("--peak", "--peak -5");
    expect_bad("unknown option --frobnicate", "--frobnicate");
    expect_bad("unexpected argument 'extra'", "extra");
    snprintf(a, sizeof a, "-w '%s'", in_dir("nothere.safetensors"));
    expect_bad("nothere.safetensors", a);
    si_test_write_file(in_dir("text.safetensors"), "not safetensors at all\n", 23);
    snprintf(a, sizeof a, "-w '%s'", in_dir("text.safetensors"));
    expect_bad("text.safetensors", a);
    const nn_random_spec bad = {
        .S = 4, .R = 25, .T = 769, .H = 70, .W = 91, .seed = 1, .reshape = "generator.lin3.weight"};
    assert_int_equal(nn_random_weights(in_dir("bad.safetensors"), &bad), SI_OK);
    snprintf(a, sizeof a, "-w '%s' -n 1", in_dir("bad.safetensors"));
    expect_bad("generator.lin3.weight", a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_small),
        cmocka_unit_test(test_text_small),
        cmocka_unit_test(test_random_paper),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
