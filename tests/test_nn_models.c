/* Loading and running models through the library API: two models of
 * different configurations in one process, interleaved and on two threads
 * at once, give the results each gives alone; the configuration getters;
 * the loader's errors name the tensor (missing, mis-shaped, NaN, extra) or
 * the configuration at fault; a non-finite survey sample is refused with
 * the output untouched. Weights are random (nn_random_weights): no Python. */
#include "test_util.h"

#include <math.h>
#include <pthread.h>

#include "nn/nn_random.h"
#include "seisinv/model.h"
#include "seisinv/safetensors.h"

static char dir[256];

static const char *weights(const char *name, const nn_random_spec *spec) {
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s.safetensors", dir, name);
    if (nn_random_weights(p[k], spec) != SI_OK) fail_msg("%s", si_last_error());
    return p[k];
}

static const nn_random_spec small_a = {.S = 4, .R = 25, .T = 769, .H = 70, .W = 91, .seed = 1};
static const nn_random_spec small_b = {.S = 3, .R = 32, .T = 1000, .H = 100, .W = 100, .seed = 2};

static float *survey(const si_model *m, unsigned seed) {
    const si_model_info *c = si_model_config(m);
    const size_t n = (size_t)c->S * c->R * c->T;
    float *x = malloc(n * sizeof(float));
    for (size_t i = 0; i < n; i++)
        x[i] = sinf(0.01f * (float)(i * seed % 7919)) * 3.0f;
    return x;
}

static si_model *load(const char *path, int threads) {
    si_model *m;
    si_model_options opt = {threads};
    if (si_model_load(&m, path, &opt) != SI_OK) fail_msg("%s", si_last_error());
    return m;
}

typedef struct run {
    si_model *m;
    const float *x;
    float *out;
    int reps;
    si_err st;
} run;

static void *run_thread(void *arg) {
    run *r = arg;
    for (int i = 0; i < r->reps && !r->st; i++)
        r->st = si_infer(r->m, r->x, SI_LAYOUT_STR, r->out);
    return NULL;
}

static void test_two_models(void **state) {
    (void)state;
    si_model *a = load(weights("a", &small_a), 2), *b = load(weights("b", &small_b), 2);
    const si_model_info *ca = si_model_config(a), *cb = si_model_config(b);
    assert_true(ca->S == 4 && ca->R == 25 && ca->T == 769 && ca->H == 70 && ca->W == 91);
    assert_true(cb->S == 3 && cb->R == 32 && cb->T == 1000 && cb->H == 100 && cb->W == 100);
    assert_true(ca->v_min == 1500 && ca->v_max == 4000 && ca->seis_scale == 1 && !ca->seis_log1p);
    assert_int_equal(ca->threads, 2);
    assert_true(si_model_arena_bytes(a) > 0 && si_model_arena_bytes(b) > 0);
    float *xa = survey(a, 3), *xb = survey(b, 5);
    const size_t na = 70 * 91, nb = 100 * 100;
    float *ra = malloc(na * 4), *rb = malloc(nb * 4), *oa = malloc(na * 4), *ob = malloc(nb * 4);
    assert_int_equal(si_infer(a, xa, SI_LAYOUT_STR, ra), SI_OK);
    assert_int_equal(si_infer(b, xb, SI_LAYOUT_STR, rb), SI_OK);
    for (size_t i = 0; i < na; i++)
        assert_true(ra[i] >= 1500 && ra[i] <= 4000);
    /* interleaved (emulated: one round, and one pass a thread below) */
    const int rounds = si_test_small() ? 1 : 2, reps = si_test_small() ? 1 : 4;
    for (int i = 0; i < rounds; i++) {
        assert_int_equal(si_infer(b, xb, SI_LAYOUT_STR, ob), SI_OK);
        assert_int_equal(si_infer(a, xa, SI_LAYOUT_STR, oa), SI_OK);
        assert_memory_equal(oa, ra, na * 4);
        assert_memory_equal(ob, rb, nb * 4);
    }
    /* at the same time, each from its own thread */
    run ta = {a, xa, oa, reps, SI_OK}, tb = {b, xb, ob, reps, SI_OK};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, run_thread, &ta);
    pthread_create(&t2, NULL, run_thread, &tb);
    pthread_join(t1, NULL), pthread_join(t2, NULL);
    assert_int_equal(ta.st, SI_OK), assert_int_equal(tb.st, SI_OK);
    assert_memory_equal(oa, ra, na * 4);
    assert_memory_equal(ob, rb, nb * 4);
    /* one gone, the other unaffected; a single-threaded copy agrees */
    si_model_free(a);
    si_model *a1 = load(weights("a", &small_a), 1);
    assert_int_equal(si_infer(b, xb, SI_LAYOUT_STR, ob), SI_OK);
    assert_int_equal(si_infer(a1, xa, SI_LAYOUT_STR, oa), SI_OK);
    assert_memory_equal(ob, rb, nb * 4);
    assert_memory_equal(oa, ra, na * 4);
    si_model_free(a1), si_model_free(b);
    free(xa), free(xb), free(ra), free(rb), free(oa), free(ob);
}

/* parameters = every weight and bias, no BatchNorm statistics */
static void test_parameter_count(void **state) {
    (void)state;
    const char *p = weights("count", &small_a);
    si_st_file *f;
    assert_int_equal(si_st_open(p, &f), SI_OK);
    int64_t want = 0;
    for (size_t i = 0; i < si_st_count(f); i++)
        if (!strstr(si_st_at(f, i)->name, "running_")) want += si_st_at(f, i)->numel;
    si_st_close(f);
    si_model *m = load(p, 1);
    print_message("small config: %lld parameters, %.2f GFLOP per pass\n",
                  (long long)si_model_config(m)->parameters, si_model_config(m)->flops * 1e-9);
    assert_int_equal(si_model_config(m)->parameters, want);
    si_model_free(m);
}

/* Loading `spec` fails with a message containing every one of `words`. */
static void expect_load_error(const char *what, const nn_random_spec *spec, const char *w1,
                              const char *w2) {
    si_model *m = (si_model *)&m;
    si_err st = si_model_load(&m, weights("bad", spec), NULL);
    if (st == SI_OK) fail_msg("%s: loaded", what);
    assert_null(m);
    const char *msg = si_last_error();
    print_message("%s -> %s\n", what, msg);
    if (!strstr(msg, w1) || (w2 && !strstr(msg, w2)))
        fail_msg("%s: message '%s' lacks '%s' / '%s'", what, msg, w1, w2 ? w2 : "");
}

static void test_load_errors(void **state) {
    (void)state;
    nn_random_spec s = small_a;
    s.omit = "decoder.layer2.3.weight";
    expect_load_error("missing tensor", &s, "decoder.layer2.3.weight", "missing");
    s = small_a, s.reshape = "generator.lin3.weight";
    expect_load_error("mis-shaped tensor", &s, "generator.lin3.weight", "[257, 512]");
    s = small_a, s.poison = "encoder.glob.layer7.1.running_var";
    expect_load_error("NaN weight", &s, "encoder.glob.layer7.1.running_var", "non-finite");
    s = small_a, s.extra = "decoder.layer9.weight";
    expect_load_error("extra tensor", &s, "decoder.layer9.weight", "unexpected");
    s = small_a, s.R = 20;
    expect_load_error("R too small for the Global branch", &s, "R=20", "R in 25..32");
    s = small_a, s.T = 1100;
    expect_load_error("T too large for the Global branch", &s, "T=1100", "T in 769..1024");
    /* no metadata: paper defaults, and the small config's shapes do not fit them */
    s = small_a, s.no_metadata = 1;
    expect_load_error("small shapes without metadata", &s, "generator.lin1.weight", "1180");
    /* torch's BatchNorm counters are ignored */
    s = small_a, s.extra = "decoder.layer5.1.num_batches_tracked";
    si_model *m;
    assert_int_equal(si_model_load(&m, weights("nbt", &s), NULL), SI_OK);
    si_model_free(m);
    /* no metadata with paper shapes: the paper configuration */
    s = (nn_random_spec){.no_metadata = 1, .seed = 9};
    assert_int_equal(si_model_load(&m, weights("paper", &s), NULL), SI_OK);
    const si_model_info *c = si_model_config(m);
    assert_true(c->S == 20 && c->R == 32 && c->T == 1000 && c->H == 100 && c->W == 100);
    si_model_free(m);
    char p[512];
    snprintf(p, sizeof p, "%s/does-not-exist.safetensors", dir);
    assert_int_not_equal(si_model_load(&m, p, NULL), SI_OK);
    assert_non_null(strstr(si_last_error(), "does-not-exist"));
    si_model_options bad = {-3};
    assert_int_equal(si_model_load(&m, weights("a", &small_a), &bad), SI_EINVAL);
}

static void test_non_finite_survey(void **state) {
    (void)state;
    si_model *m = load(weights("a", &small_a), 2);
    float *x = survey(m, 3), out[70 * 91], keep[70 * 91];
    for (int i = 0; i < 70 * 91; i++)
        out[i] = keep[i] = -1;
    x[(2 * 769 + 100) * 25 + 7] = INFINITY; /* shot 2, time 100, receiver 7 */
    assert_int_equal(si_infer(m, x, SI_LAYOUT_STR, out), SI_EDATA);
    print_message("%s\n", si_last_error());
    assert_non_null(strstr(si_last_error(), "shot 2, receiver 7, time 100"));
    assert_memory_equal(out, keep, sizeof out);
    x[(2 * 769 + 100) * 25 + 7] = NAN;
    assert_int_equal(si_infer(m, x, SI_LAYOUT_STR, out), SI_EDATA);
    assert_memory_equal(out, keep, sizeof out);
    si_model_free(m);
    free(x);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s", si_test_tmpdir());
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_models),
        cmocka_unit_test(test_parameter_count),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_non_finite_survey),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
