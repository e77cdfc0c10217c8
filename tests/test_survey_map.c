/* Survey mapping: band-limited resampling against analytic signals, shots
 * and receivers picked by position from a denser survey, time padded, and
 * every refusal (too few shots, spacing off, no positions and the wrong
 * count, a depth section, unknown dt) with --force getting past the
 * geometry ones. */
#include "test_util.h"

#include <math.h>

#include "seisinv/segy.h"
#include "seisinv/survey_map.h"

#define PI 3.14159265358979323846

static char dir[256];

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
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static double ricker(double t, double f0, double t0) {
    const double a = PI * f0 * (t - t0), a2 = a * a;
    return (1 - 2 * a2) * exp(-a2);
}

/* Band-limited test signals (negligible energy above 150 Hz). */
static double smooth(double t) {
    return ricker(t, 25, 0.3) - 0.6 * ricker(t, 30, 0.55) +
           0.4 * sin(2 * PI * 60 * t) * exp(-pow((t - 0.7) / 0.05, 2));
}

/* Worst |error| over the output, relative to the peak of `want`. */
static double rel_error(const float *got, int n, double dt, double (*want)(double)) {
    double err = 0, peak = 0;
    for (int j = 0; j < n; j++) {
        err = fmax(err, fabs(got[j] - want(j * dt)));
        peak = fmax(peak, fabs(want(j * dt)));
    }
    return err / peak;
}

static double shifted(double t) {
    return smooth(t - 0.0005);
}

static void test_resample_accuracy(void **state) {
    (void)state;
    enum { N2 = 500, N1 = 1000 };
    float in[4 * N1], out[N1];
    /* 2 ms -> 1 ms: the stated tolerance is 1e-4 of the peak (measured: about 2e-5) */
    for (int k = 0; k < N2; k++)
        in[k] = (float)smooth(k * 0.002);
    si_resample(in, N2, 0.002, 0, out, N1, 0.001);
    double e = rel_error(out, N1, 0.001, smooth);
    print_message("2 ms -> 1 ms: worst error %.2e of the peak\n", e);
    assert_true(e < 1e-4);

    /* 0.25 ms -> 1 ms with a 700 Hz tone that 1 ms sampling would alias to
     * 300 Hz: the anti-alias low-pass removes it. */
    for (int k = 0; k < 4 * N1; k++) {
        const double t = k * 0.00025;
        in[k] = (float)(smooth(t) + 0.5 * sin(2 * PI * 700 * t));
    }
    si_resample(in, 4 * N1, 0.00025, 0, out, N1, 0.001);
    double ed = 0;
    for (int j = 40; j < N1 - 40; j++) /* the tone starts and stops abruptly at the ends */
        ed = fmax(ed, fabs(out[j] - smooth(j * 0.001)));
    print_message("0.25 ms -> 1 ms, 700 Hz tone at half the peak: worst error %.2e of the peak "
                  "(aliased, it would be 0.5)\n",
                  ed);
    assert_true(ed < 2e-4);
    /* without the low-pass (plain decimation) the error is the alias */
    double alias = 0;
    for (int j = 40; j < N1 - 40; j++)
        alias = fmax(alias, fabs(in[4 * j] - smooth(j * 0.001)));
    assert_true(alias > 0.3);

    /* Same rate, half-sample delay (recording delay 0.5 ms) */
    for (int k = 0; k < N1; k++)
        in[k] = (float)smooth(k * 0.001);
    si_resample(in, N1, 0.001, 0.0005, out, N1, 0.001);
    e = rel_error(out, N1, 0.001, shifted);
    print_message("0.5 ms delay at 1 ms: worst error %.2e of the peak\n", e);
    assert_true(e < 1e-4);

    /* Same rate, whole-sample delay: an exact copy */
    si_resample(in, N1, 0.001, 0.003, out, N1, 0.001);
    for (int j = 0; j < N1; j++)
        assert_true(out[j] == (j >= 3 ? in[j - 3] : 0.0f));
}

/* A survey file: shots at sx[], receivers at gx[] for every shot, ns samples
 * of dt; trace (s, r) holds the constant 1000 s + r. positions 0 writes
 * none (FieldRecord and offset only). */
static void write_survey(const char *path, int ns_shot, const double *sx, int nrec,
                         const double *gx, int ns, double dt, int positions) {
    const int n = ns_shot * nrec;
    float *data = malloc(sizeof(float) * n * ns);
    si_segy_trace *h = calloc((size_t)n, sizeof *h);
    for (int s = 0; s < ns_shot; s++)
        for (int r = 0; r < nrec; r++) {
            si_segy_trace *t = &h[s * nrec + r];
            t->field_record = s + 1, t->trace_number = r + 1;
            if (positions) t->sx = sx[s], t->gx = gx[r];
            t->offset = gx[r] - sx[s];
            for (int k = 0; k < ns; k++)
                data[(s * nrec + r) * ns + k] = 1000.0f * s + r;
        }
    si_segy_write_opts o = {.dt = dt};
    if (si_segy_write(path, &o, n, ns, data, h) != SI_OK) fail_msg("%s", si_last_error());
    free(data), free(h);
}

static si_segy read_survey(const char *path) {
    si_segy s;
    if (si_segy_read(path, 1, &s) != SI_OK) fail_msg("%s", si_last_error());
    return s;
}

/* The model: 41 columns of 10 m; shots at 20, 200, 380 m; receivers every 100 m. */
static const double model_sx[3] = {20, 200, 380}, model_rx[5] = {0, 100, 200, 300, 400};

static si_survey_target target(int T) {
    return (si_survey_target){.S = 3,
                              .R = 5,
                              .T = T,
                              .dt = 0.001,
                              .src_x = model_sx,
                              .rec_x = model_rx,
                              .x0 = 0,
                              .tol = 5};
}

static void test_pick_by_position(void **state) {
    (void)state;
    double sx[21], gx[21];
    for (int i = 0; i < 21; i++)
        sx[i] = 20.0 * i, gx[i] = -50 + 25.0 * i;
    write_survey(in_dir("dense.sgy"), 21, sx, 21, gx, 100, 0.002, 1);
    si_segy s = read_survey(in_dir("dense.sgy"));
    si_survey_target tg = target(300);
    float out[3 * 5 * 300];
    char *rep = NULL;
    if (si_survey_map(&s, &tg, out, &rep) != SI_OK) fail_msg("%s", si_last_error());
    print_message("%s", rep ? rep : "");
    const int shot[3] = {1, 10, 19}, rec[5] = {2, 6, 10, 14, 18};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 5; j++) {
            const float *tr = out + (i * 5 + j) * 300;
            const float want = 1000.0f * shot[i] + rec[j];
            assert_true(fabsf(tr[100] - want) < 1e-3f * want + 1e-3f); /* 100 ms: inside */
            assert_true(tr[250] == 0.0f);                              /* past 200 ms: padded */
        }
    assert_non_null(strstr(rep, "resampled to 1 ms"));
    assert_non_null(strstr(rep, "padded with zeros"));
    assert_non_null(strstr(rep, "largest position error 0 m"));
    free(rep);

    /* Same rate and a shorter window: copied and cut, exactly. */
    tg.dt = 0.002, tg.T = 60;
    if (si_survey_map(&s, &tg, out, &rep) != SI_OK) fail_msg("%s", si_last_error());
    assert_non_null(strstr(rep, "copied"));
    assert_non_null(strstr(rep, "cut"));
    for (int k = 0; k < 60; k++)
        assert_true(out[2 * 5 * 60 + 4 * 60 + k] == 19018.0f);
    free(rep);

    /* x0: the survey shifted by 1000 m maps the same once told. */
    for (int i = 0; i < 21; i++)
        sx[i] += 1000, gx[i] += 1000;
    write_survey(in_dir("shifted.sgy"), 21, sx, 21, gx, 100, 0.002, 1);
    si_segy s2 = read_survey(in_dir("shifted.sgy"));
    float out2[3 * 5 * 60];
    tg.x0 = 1000;
    if (si_survey_map(&s2, &tg, out2, &rep) != SI_OK) fail_msg("%s", si_last_error());
    assert_memory_equal(out, out2, sizeof out2);
    free(rep);
    si_segy_free(&s2);
    si_segy_free(&s);
}

/* Expects a refusal naming `needle`, then (when forced_ok) success with force. */
static void expect_refused(const char *file, si_survey_target tg, const char *needle,
                           int forced_ok) {
    si_segy s = read_survey(in_dir(file));
    float *out = malloc(sizeof(float) * tg.S * tg.R * tg.T);
    char *rep = NULL;
    si_err st = si_survey_map(&s, &tg, out, &rep);
    print_message("  %s -> %s\n", file, si_last_error());
    if (st != SI_EDATA || !strstr(si_last_error(), needle))
        fail_msg("%s: got %s '%s', want SI_EDATA with '%s'", file, si_err_name(st), si_last_error(),
                 needle);
    assert_non_null(strstr(rep, "refused: "));
    free(rep);
    tg.force = 1;
    st = si_survey_map(&s, &tg, out, &rep);
    if (forced_ok && st != SI_OK) fail_msg("%s forced: %s", file, si_last_error());
    if (!forced_ok) assert_int_equal(st, SI_EDATA);
    if (forced_ok) print_message("%s", rep ? rep : "");
    free(rep), free(out);
    si_segy_free(&s);
}

static void test_refusals(void **state) {
    (void)state;
    double sx[5], gx[21];
    for (int i = 0; i < 21; i++)
        gx[i] = 20.0 * i;
    sx[0] = 20, sx[1] = 380;
    write_survey(in_dir("two.sgy"), 2, sx, 21, gx, 100, 0.001, 1);
    expect_refused("two.sgy", target(100), "the survey has 2 shot gathers, the model needs 3", 1);

    for (int i = 0; i < 5; i++)
        sx[i] = 100.0 * i;
    write_survey(in_dir("sparse_shots.sgy"), 5, sx, 21, gx, 100, 0.001, 1);
    expect_refused("sparse_shots.sgy", target(100),
                   "model shot 0 at x = 20 m: the nearest survey shot is at 0 m, 20 m away "
                   "(tolerance 5 m); survey shots every 100 m",
                   1);

    sx[0] = 20, sx[1] = 200, sx[2] = 380;
    for (int i = 0; i < 8; i++)
        gx[i] = 60.0 * i;
    write_survey(in_dir("sparse_recs.sgy"), 3, sx, 8, gx, 100, 0.001, 1);
    expect_refused("sparse_recs.sgy", target(100), "receiver 1 at x 100 m: the nearest trace is",
                   1);

    for (int i = 0; i < 21; i++)
        gx[i] = 20.0 * i;
    sx[3] = 500;
    write_survey(in_dir("records.sgy"), 4, sx, 21, gx, 100, 0.001, 0);
    expect_refused("records.sgy", target(100), "the survey has 4, the model needs exactly 3", 1);
    write_survey(in_dir("records3.sgy"), 3, sx, 21, gx, 100, 0.001, 0);
    si_segy s = read_survey(in_dir("records3.sgy"));
    si_survey_target tg = target(100);
    float out[3 * 5 * 100];
    char *rep = NULL;
    if (si_survey_map(&s, &tg, out, &rep) != SI_OK) fail_msg("%s", si_last_error());
    assert_non_null(strstr(rep, "by FieldRecord order"));
    assert_non_null(strstr(rep, "by offset"));
    /* shot 1 (x 200): receivers at offsets -200..200 from it = survey 0, 5, 10, 15, 20 */
    for (int j = 0; j < 5; j++)
        assert_true(out[(1 * 5 + j) * 100 + 50] == 1000.0f + 5 * j);
    free(rep);
    si_segy_free(&s);

    /* Coordinates in arc seconds (units code 2 on one trace): no distances in metres. */
    write_survey(in_dir("geo.sgy"), 3, sx, 21, gx, 100, 0.001, 1);
    size_t len;
    char *g = si_test_slurp(in_dir("geo.sgy"), &len);
    g[3600 + 88] = 0, g[3600 + 89] = 2;
    si_test_write_file(in_dir("geo.sgy"), g, len);
    free(g);
    expect_refused("geo.sgy", target(100), "coordinates are angles", 1);

    float vel[6] = {1500, 1600, 1700, 1800, 1900, 2000};
    assert_int_equal(si_segy_write_velocity(in_dir("vel.sgy"), vel, 2, 3, 10), SI_OK);
    expect_refused("vel.sgy", target(100), "depth section", 0);

    /* No sample interval anywhere: refused; forced, the model's dt is assumed. */
    write_survey(in_dir("nodt.sgy"), 3, sx, 21, gx, 100, 0.001, 1);
    size_t n;
    char *b = si_test_slurp(in_dir("nodt.sgy"), &n);
    memset(b + 3200 + 16, 0, 4); /* interval and original interval */
    for (int q = 0; q < 63; q++)
        memset(b + 3600 + q * (240 + 400) + 116, 0, 2);
    si_test_write_file(in_dir("nodt.sgy"), b, n);
    free(b);
    expect_refused("nodt.sgy", target(100), "sample interval is 0", 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resample_accuracy),
        cmocka_unit_test(test_pick_by_position),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
