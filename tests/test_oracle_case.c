/* The PyTorch oracle's case files, read with our readers: tests/oracle/make_case.py
 * (small config) must produce every SeisInvNet tensor of SPEC §1 under its
 * state-dict name with its shape (the table below is written from the SPEC, not
 * from the Python code), the metadata keys, and a survey/output pair. */
#include "test_util.h"

#include <math.h>

#include "seisinv/npy.h"
#include "seisinv/safetensors.h"

typedef struct expect {
    char name[64];
    int ndim;
    int64_t shape[4];
    si_st_dtype dtype;
} expect;

static expect table[256];
static int ntable;

static void add(const char *name, si_st_dtype dt, int ndim, int64_t a, int64_t b, int64_t c,
                int64_t d) {
    assert_true(ntable < 256);
    expect *e = &table[ntable++];
    snprintf(e->name, sizeof e->name, "%s", name);
    e->ndim = ndim, e->dtype = dt;
    e->shape[0] = a, e->shape[1] = b, e->shape[2] = c, e->shape[3] = d;
}

static void add_conv(const char *prefix, int64_t cout, int64_t cin, int64_t kh, int64_t kw) {
    char n[64];
    snprintf(n, sizeof n, "%s.weight", prefix);
    add(n, SI_ST_F32, 4, cout, cin, kh, kw);
    snprintf(n, sizeof n, "%s.bias", prefix);
    add(n, SI_ST_F32, 1, cout, 0, 0, 0);
}

static void add_bn(const char *prefix, int64_t c) {
    static const char *f[4] = {"weight", "bias", "running_mean", "running_var"};
    char n[64];
    for (int i = 0; i < 4; i++) {
        snprintf(n, sizeof n, "%s.%s", prefix, f[i]);
        add(n, SI_ST_F32, 1, c, 0, 0, 0);
    }
    snprintf(n, sizeof n, "%s.num_batches_tracked", prefix); /* torch saves it; loaders ignore it */
    add(n, SI_ST_I64, 0, 0, 0, 0, 0);
}

/* SPEC §1 with the naming of issue 3. */
static void build_table(int64_t S, int64_t R, int64_t T) {
    static const int64_t glob[11][4] = {{1, 64, 1, 7},    {64, 64, 1, 3},   {64, 64, 1, 3},
                                        {64, 64, 1, 3},   {64, 128, 3, 3},  {128, 128, 3, 3},
                                        {128, 256, 3, 3}, {256, 256, 3, 3}, {256, 512, 3, 3},
                                        {512, 512, 3, 3}, {512, 128, 4, 4}};
    char p[64];
    ntable = 0;
    for (int i = 0; i < 11; i++) {
        snprintf(p, sizeof p, "encoder.glob.layer%d.0", i + 1);
        add_conv(p, glob[i][1], glob[i][0], glob[i][2], glob[i][3]);
        snprintf(p, sizeof p, "encoder.glob.layer%d.1", i + 1);
        add_bn(p, glob[i][1]);
    }
    add_conv("encoder.neig.conv1", 4, 1, 5, 5);
    add_conv("encoder.neig.conv2", 4, 4, 5, 5);
    add_conv("encoder.neig.conv3", 1, 4, 5, 5);
    const int64_t width[6] = {128 + S + R + T, 1024, 512, 256, 256, 256};
    for (int i = 1; i <= 5; i++) {
        char n[64];
        snprintf(n, sizeof n, "generator.lin%d.weight", i);
        add(n, SI_ST_F32, 2, width[i], width[i - 1], 0, 0);
        snprintf(n, sizeof n, "generator.lin%d.bias", i);
        add(n, SI_ST_F32, 1, width[i], 0, 0, 0);
        snprintf(p, sizeof p, "generator.bn%d", i);
        add_bn(p, S * R);
    }
    const int64_t up[3][2] = {{S * R, 128}, {128, 64}, {64, 32}};
    for (int i = 0; i < 3; i++) {
        char n[64];
        /* ConvTranspose weights are [cin, cout, k, k] */
        snprintf(n, sizeof n, "decoder.layer%d.0.weight", i + 1);
        add(n, SI_ST_F32, 4, up[i][0], up[i][1], 4, 4);
        snprintf(n, sizeof n, "decoder.layer%d.0.bias", i + 1);
        add(n, SI_ST_F32, 1, up[i][1], 0, 0, 0);
        snprintf(p, sizeof p, "decoder.layer%d.1", i + 1);
        add_bn(p, up[i][1]);
        snprintf(p, sizeof p, "decoder.layer%d.3", i + 1);
        add_conv(p, up[i][1], up[i][1], 3, 3);
        snprintf(p, sizeof p, "decoder.layer%d.4", i + 1);
        add_bn(p, up[i][1]);
    }
    for (int d = 0; d < 4; d++) {
        snprintf(p, sizeof p, "decoder.layer4_%d.0", d);
        add_conv(p, 32, 32, 3, 3);
        snprintf(p, sizeof p, "decoder.layer4_%d.1", d);
        add_bn(p, 32);
    }
    add_conv("decoder.layer5.0", 1, 128, 1, 1);
    add_bn("decoder.layer5.1", 1);
}

static int64_t meta_int(const si_st_file *f, const char *key) {
    const char *v = si_st_meta(f, key);
    if (!v) fail_msg("metadata '%s' missing", key);
    char *end;
    long long x = strtoll(v, &end, 10);
    if (end == v || *end) fail_msg("metadata '%s' = '%s' is not an integer", key, v);
    return x;
}

static double meta_num(const si_st_file *f, const char *key) {
    const char *v = si_st_meta(f, key);
    if (!v) fail_msg("metadata '%s' missing", key);
    char *end;
    double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x)) fail_msg("metadata '%s' = '%s' is not a number", key, v);
    return x;
}

static void check_npy(const char *dir, const char *name, int ndim, const int64_t *shape,
                      si_array *a) {
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (si_npy_read(p, a) != SI_OK) fail_msg("%s: %s", name, si_last_error());
    assert_int_equal(a->ndim, ndim);
    for (int i = 0; i < ndim; i++)
        if (a->shape[i] != shape[i])
            fail_msg("%s: dimension %d is %lld, expected %lld", name, i, (long long)a->shape[i],
                     (long long)shape[i]);
}

static void test_small_case(void **state) {
    (void)state;
    if (system("/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1") != 0) skip();
    const char *src = getenv("SEISINV_SRC");
    assert_non_null(src);
    const char *d = si_test_tmpdir();
    char cmd[2048], p[600];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s/tests/oracle/make_case.py' --config small --seed 3 --out '%s' "
             ">'%s/log.txt' 2>&1",
             src, d, d);
    if (system(cmd) != 0) {
        snprintf(p, sizeof p, "%s/log.txt", d);
        char *log = si_test_slurp(p, NULL);
        fail_msg("make_case.py failed:\n%s", log ? log : "(no log)");
    }
    snprintf(p, sizeof p, "%s/weights.safetensors", d);
    si_st_file *f;
    if (si_st_open(p, &f) != SI_OK) fail_msg("%s", si_last_error());

    assert_string_equal(si_st_meta(f, "seisinv.arch"), "seisinvnet");
    int64_t S = meta_int(f, "seisinv.S"), R = meta_int(f, "seisinv.R"),
            T = meta_int(f, "seisinv.T");
    int64_t H = meta_int(f, "seisinv.H"), W = meta_int(f, "seisinv.W");
    /* the small config: the Global branch needs ceil(R/8) == ceil(T/256) == 4 */
    assert_true(R >= 25 && R <= 32 && T >= 769 && T <= 1024);
    assert_true(S >= 1 && H >= 1 && H <= 128 && W >= 1 && W <= 128);
    double vmin = meta_num(f, "seisinv.v_min"), vmax = meta_num(f, "seisinv.v_max");
    assert_true(vmin > 0 && vmax > vmin);
    assert_true(meta_num(f, "seisinv.seis_scale") > 0);
    const char *lg = si_st_meta(f, "seisinv.seis_log1p");
    assert_non_null(lg);
    assert_true(strcmp(lg, "0") == 0 || strcmp(lg, "1") == 0);

    build_table(S, R, T);
    int64_t params = 0;
    for (int i = 0; i < ntable; i++) {
        const expect *e = &table[i];
        const si_st_tensor *t;
        if (si_st_require(f, e->name, e->ndim, e->shape, &t) != SI_OK)
            fail_msg("%s", si_last_error());
        if (t->dtype != e->dtype)
            fail_msg("tensor '%s' is %s, expected %s", e->name, si_st_dtype_name(t->dtype),
                     si_st_dtype_name(e->dtype));
        if (e->dtype == SI_ST_F32 && !strstr(e->name, "running_")) params += t->numel;
    }
    if ((int64_t)si_st_count(f) != ntable)
        fail_msg("file has %zu tensors, SPEC has %d", si_st_count(f), ntable);
    print_message("%d tensors, %lld parameters\n", ntable, (long long)params);

    /* BatchNorm statistics are not the identity (running_mean 0, running_var 1) */
    const si_st_tensor *rv = si_st_find(f, "encoder.glob.layer5.1.running_var");
    const si_st_tensor *rm = si_st_find(f, "decoder.layer2.4.running_mean");
    float v[128], m[128];
    assert_int_equal(si_st_to_f32(rv, v), SI_OK);
    assert_int_equal(si_st_to_f32(rm, m), SI_OK);
    int off_var = 0, off_mean = 0;
    for (int i = 0; i < 128; i++)
        off_var += fabsf(v[i] - 1) > 1e-3f;
    for (int i = 0; i < 64; i++)
        off_mean += fabsf(m[i]) > 1e-3f;
    assert_true(off_var > 100 && off_mean > 50);
    si_st_close(f);

    si_array a, o, o64, vel;
    int64_t survey[3] = {S, T, R}, hw[2] = {H, W};
    check_npy(d, "survey.npy", 3, survey, &a);
    check_npy(d, "output.npy", 2, hw, &o);
    check_npy(d, "output_f64.npy", 2, hw, &o64);
    check_npy(d, "velocity.npy", 2, hw, &vel);
    double gap = 0, lo = 1, hi = 0;
    for (int64_t i = 0; i < H * W; i++) {
        assert_true(o.data[i] >= 0 && o.data[i] <= 1);
        gap = fmax(gap, fabs((double)o.data[i] - o64.data[i]));
        lo = fmin(lo, o64.data[i]), hi = fmax(hi, o64.data[i]);
        double want = vmin + (double)o64.data[i] * (vmax - vmin);
        assert_true(fabs(vel.data[i] - want) <= 1e-3 * vmax);
    }
    print_message("output range [%.4f, %.4f], float32 vs float64 gap %.2e\n", lo, hi, gap);
    assert_true(gap < 1e-4);
    assert_true(hi - lo > 0.5); /* not saturated, not constant */
    si_array_free(&a), si_array_free(&o), si_array_free(&o64), si_array_free(&vel);
}

/* The oracle refuses sizes whose Global branch does not end at 1x1. */
static void test_rejects_bad_config(void **state) {
    (void)state;
    if (system("/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1") != 0) skip();
    const char *src = getenv("SEISINV_SRC");
    assert_non_null(src);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s/tests/oracle' && /usr/bin/python3 -c \"\n"
             "import seisinvnet as s\n"
             "for r, t in ((8, 769), (33, 1000), (32, 768), (32, 1025)):\n"
             "    try:\n"
             "        s.SeisInvNet(s.Config(S=2, R=r, T=t, H=100, W=100))\n"
             "    except ValueError as e:\n"
             "        assert 'R in 25..32 and T in 769..1024' in str(e), e\n"
             "    else:\n"
             "        raise SystemExit('R=%%d T=%%d accepted' %% (r, t))\n"
             "for r, t in ((25, 769), (32, 1024)):\n"
             "    s.check_config(s.Config(S=2, R=r, T=t, H=100, W=100))\n"
             "\"",
             src);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_case),
        cmocka_unit_test(test_rejects_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
