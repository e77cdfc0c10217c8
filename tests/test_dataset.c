/* Dataset generator: shard shapes and contents, manifest fields and statistics,
 * interrupt + resume giving byte-identical files, refusal of a different
 * configuration, configuration checks. Small grids so it runs in seconds. */
#include "test_util.h"

#include <jansson.h>
#include <math.h>

#include "seisinv/dataset.h"
#include "seisinv/npy.h"
#include "seisinv/velgen.h"

#define NZ 40
#define NX 40
#define NT 200
#define NSHOT 4

static void small_config(si_dataset_config *c) {
    si_dataset_config_default(c, NZ, NX);
    c->sim.nt = NT;
    c->sim.nsrc = NSHOT;
    for (int i = 0; i < NSHOT; i++)
        c->sim.src_x[i] = 3 + 11 * i;
    c->sim.threads = 2;
    c->seed = 11;
    c->count = 6;
    c->shard_size = 4; /* shards of 4 and 2 */
}

static char *path_in(const char *dir, const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Scratch folders go once a test passed (a failing one keeps them to look at). */
static void remove_tree(const char *dir) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static void generate_ok(const si_dataset_config *c, const char *dir, si_dataset_summary *s) {
    si_err st = si_dataset_generate(c, dir, NULL, NULL, NULL, s);
    if (st) fprintf(stderr, "generate: %s\n", si_last_error());
    assert_int_equal(st, SI_OK);
}

static void assert_same_file(const char *a, const char *b) {
    size_t na, nb;
    char *x = si_test_slurp(a, &na), *y = si_test_slurp(b, &nb);
    assert_non_null(x);
    assert_non_null(y);
    assert_int_equal(na, nb);
    assert_memory_equal(x, y, na);
    free(x), free(y);
}

static void test_shards_and_contents(void **state) {
    (void)state;
    si_dataset_config c;
    small_config(&c);
    const char *dir = si_test_tmpdir();
    si_dataset_summary s;
    generate_ok(&c, dir, &s);
    assert_int_equal(s.shards, 2);
    assert_int_equal(s.generated, 6);
    assert_int_equal(s.resumed, 0);

    si_array d, m;
    assert_int_equal(si_npy_read(path_in(dir, "data_1.npy"), &d), SI_OK);
    assert_int_equal(si_npy_read(path_in(dir, "model_1.npy"), &m), SI_OK);
    int64_t dwant[4] = {2, NSHOT, NT, 32}, mwant[4] = {2, 1, NZ, NX};
    assert_int_equal(d.ndim, 4);
    assert_int_equal(m.ndim, 4);
    assert_memory_equal(d.shape, dwant, sizeof dwant);
    assert_memory_equal(m.shape, mwant, sizeof mwant);

    /* Sample 5 (second of shard 1) is si_velgen(type 2, split seed, 5) and
     * its survey is what the simulator gives for that model. */
    float *vel = malloc(sizeof(float) * NZ * NX);
    assert_int_equal(si_velgen(si_velgen_type_for_index(1, 4, 5),
                               si_dataset_split_seed(11, "train"), 5, NZ, NX, vel),
                     SI_OK);
    assert_memory_equal(m.data + NZ * NX, vel, sizeof(float) * NZ * NX);
    size_t survey = (size_t)NSHOT * NT * 32;
    float *shots = malloc(sizeof(float) * survey);
    assert_int_equal(si_simulate(&c.sim, vel, shots), SI_OK);
    double peak = 0;
    for (size_t i = 0; i < survey; i++) {
        assert_float_equal(d.data[survey + i], shots[i], 1e-6 * (1 + fabs(shots[i])));
        peak = fmax(peak, fabs(shots[i]));
    }
    assert_true(peak > 0);
    free(vel), free(shots);
    si_array_free(&d), si_array_free(&m);
    assert_int_equal(si_test_count_files(dir, ".tmp."), 0);
    remove_tree(dir);
}

/* Manifest fields, and its statistics recomputed from the shards. */
static void test_manifest(void **state) {
    (void)state;
    si_dataset_config c;
    small_config(&c);
    c.type_lo = 2, c.type_hi = 3;
    snprintf(c.split, sizeof c.split, "val");
    const char *dir = si_test_tmpdir();
    generate_ok(&c, dir, NULL);

    json_error_t err;
    json_t *j = json_load_file(path_in(dir, "manifest.json"), 0, &err);
    assert_non_null(j);
    json_t *cfg = json_object_get(j, "config"), *geo = json_object_get(cfg, "geometry");
    assert_string_equal(json_string_value(json_object_get(j, "status")), "complete");
    assert_int_equal(json_integer_value(json_object_get(cfg, "seed")), 11);
    assert_string_equal(json_string_value(json_object_get(cfg, "split")), "val");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(cfg, "types"), 1)), 3);
    assert_int_equal(json_integer_value(json_object_get(cfg, "shard_size")), 4);
    assert_int_equal(json_integer_value(json_object_get(geo, "nz")), NZ);
    assert_int_equal(json_integer_value(json_object_get(geo, "nt")), NT);
    assert_int_equal(json_integer_value(json_object_get(geo, "order")), 8);
    assert_int_equal(json_integer_value(json_object_get(geo, "npml")), 20);
    assert_float_equal(json_real_value(json_object_get(geo, "dt")), 1e-3, 1e-9);
    assert_float_equal(json_real_value(json_object_get(geo, "f0")), 15, 1e-9);
    assert_int_equal(json_array_size(json_object_get(geo, "src_x")), NSHOT);
    assert_int_equal(json_array_size(json_object_get(geo, "rec_x")), 32);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(geo, "rec_x"), 31)), NX - 1);
    json_t *counts = json_object_get(j, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "surveys")), 6);
    assert_int_equal(json_integer_value(json_object_get(counts, "complete")), 6);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(counts, "per_type"), "2")),
                     3);
    json_t *shards = json_object_get(j, "shards");
    assert_int_equal(json_array_size(shards), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(shards, 1), "data")),
                        "data_1.npy");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(shards, 1), "count")), 2);

    /* Velocity statistics are exact; seismic min/max are over gather (i mod S). */
    double vsum = 0, vmin = 1e9, vmax = 0, dmin = 1e9, dmax = -1e9;
    int64_t vn = 0;
    for (int k = 0; k < 2; k++) {
        char name[32];
        si_array m, d;
        snprintf(name, sizeof name, "model_%d.npy", k);
        assert_int_equal(si_npy_read(path_in(dir, name), &m), SI_OK);
        snprintf(name, sizeof name, "data_%d.npy", k);
        assert_int_equal(si_npy_read(path_in(dir, name), &d), SI_OK);
        for (int64_t i = 0; i < si_array_numel(&m); i++, vn++) {
            vsum += m.data[i];
            vmin = fmin(vmin, m.data[i]), vmax = fmax(vmax, m.data[i]);
        }
        size_t gather = (size_t)NT * 32;
        for (int64_t j2 = 0; j2 < d.shape[0]; j2++) {
            int64_t shot = (4 * k + j2) % NSHOT;
            const float *g = d.data + (j2 * NSHOT + shot) * gather;
            for (size_t t = 0; t < gather; t++)
                dmin = fmin(dmin, g[t]), dmax = fmax(dmax, g[t]);
        }
        si_array_free(&m), si_array_free(&d);
    }
    json_t *vs = json_object_get(json_object_get(j, "stats"), "velocity");
    json_t *ds = json_object_get(json_object_get(j, "stats"), "seismic");
    assert_float_equal(json_real_value(json_object_get(vs, "mean")), vsum / vn, 1e-6 * vsum / vn);
    assert_float_equal(json_real_value(json_object_get(vs, "min")), vmin, 0);
    assert_float_equal(json_real_value(json_object_get(vs, "max")), vmax, 0);
    assert_true(vmin >= SI_VEL_MIN && vmax <= SI_VEL_MAX);
    assert_float_equal(json_real_value(json_object_get(ds, "min")), dmin, 1e-12);
    assert_float_equal(json_real_value(json_object_get(ds, "max")), dmax, 1e-12);
    double p1 = json_real_value(json_object_get(ds, "abs_p1"));
    double p50 = json_real_value(json_object_get(ds, "abs_p50"));
    double p99 = json_real_value(json_object_get(ds, "abs_p99"));
    double p999 = json_real_value(json_object_get(ds, "abs_p99.9"));
    assert_true(0 <= p1 && p1 <= p50 && p50 <= p99 && p99 <= p999 && p99 > 0);
    assert_true(p999 <= fmax(-dmin, dmax));
    assert_non_null(strstr(json_string_value(json_object_get(ds, "method")), "estimate"));
    json_decref(j);
    remove_tree(dir);
}

typedef struct stopper {
    volatile int flag;
    int64_t at;
} stopper;

static void stop_at(int64_t done, int64_t total, void *user) {
    (void)total;
    stopper *s = user;
    if (done >= s->at) s->flag = 1;
}

/* Interrupted after 5 surveys (one into shard 1) then resumed: every file is
 * byte-identical to an uninterrupted run's, the manifest included. */
static void test_resume_identical(void **state) {
    (void)state;
    si_dataset_config c;
    small_config(&c);
    char ref[256];
    snprintf(ref, sizeof ref, "%s", si_test_tmpdir());
    generate_ok(&c, ref, NULL);

    const char *dir = si_test_tmpdir();
    stopper s = {0, 5};
    assert_int_equal(si_dataset_generate(&c, dir, stop_at, &s, &s.flag, NULL), SI_EINTERRUPTED);
    assert_non_null(strstr(si_last_error(), "resume"));
    assert_true(si_test_file_exists(path_in(dir, "data_0.npy")));
    assert_true(si_test_file_exists(path_in(dir, "model_0.npy")));
    assert_false(si_test_file_exists(path_in(dir, "data_1.npy")));
    assert_false(si_test_file_exists(path_in(dir, "model_1.npy")));
    assert_int_equal(si_test_count_files(dir, ".tmp."), 0);
    char *man = si_test_slurp(path_in(dir, "manifest.json"), NULL);
    assert_non_null(strstr(man, "in_progress"));
    free(man);

    /* A second interrupt before any new survey keeps everything as it is. */
    stopper now = {1, 0};
    assert_int_equal(si_dataset_generate(&c, dir, NULL, NULL, &now.flag, NULL), SI_EINTERRUPTED);
    assert_false(si_test_file_exists(path_in(dir, "data_1.npy")));

    si_dataset_summary sum;
    generate_ok(&c, dir, &sum);
    assert_int_equal(sum.resumed, 4);
    assert_int_equal(sum.generated, 2);
    const char *files[] = {"data_0.npy", "model_0.npy", "data_1.npy", "model_1.npy",
                           "manifest.json"};
    char a[512];
    for (int i = 0; i < 5; i++) {
        snprintf(a, sizeof a, "%s/%s", ref, files[i]);
        assert_same_file(a, path_in(dir, files[i]));
    }

    /* A corrupt shard and a stale temporary from a killed run: the shard is
     * regenerated identically, the temporary removed. */
    si_test_write_file(path_in(dir, "model_1.npy"), "junk", 4);
    si_test_write_file(path_in(dir, "data_0.npy.tmp.abcdef"), "junk", 4);
    generate_ok(&c, dir, &sum);
    assert_int_equal(sum.resumed, 4);
    assert_int_equal(sum.generated, 2);
    assert_int_equal(si_test_count_files(dir, ".tmp."), 0);
    snprintf(a, sizeof a, "%s/model_1.npy", ref);
    assert_same_file(a, path_in(dir, "model_1.npy"));

    /* Everything on disk: nothing generated. */
    generate_ok(&c, dir, &sum);
    assert_int_equal(sum.generated, 0);
    remove_tree(dir);
    remove_tree(ref);
}

static void test_refuses_other_configuration(void **state) {
    (void)state;
    si_dataset_config c;
    small_config(&c);
    c.count = 2;
    char dir[256]; /* si_test_tmpdir reuses its buffer */
    snprintf(dir, sizeof dir, "%s", si_test_tmpdir());
    generate_ok(&c, dir, NULL);
    char *before = si_test_slurp(path_in(dir, "data_0.npy"), NULL);
    char *man_before = si_test_slurp(path_in(dir, "manifest.json"), NULL);

    c.seed = 12;
    assert_int_equal(si_dataset_generate(&c, dir, NULL, NULL, NULL, NULL), SI_EINVAL);
    assert_non_null(strstr(si_last_error(), "\"seed\""));
    c.seed = 11;
    c.sim.f0 = 20;
    assert_int_equal(si_dataset_generate(&c, dir, NULL, NULL, NULL, NULL), SI_EINVAL);
    assert_non_null(strstr(si_last_error(), "\"geometry.f0\" is 15.0 there, 20.0 now"));

    char *after = si_test_slurp(path_in(dir, "data_0.npy"), NULL);
    char *man_after = si_test_slurp(path_in(dir, "manifest.json"), NULL);
    assert_string_equal(man_before, man_after);
    assert_memory_equal(before, after, 64);
    free(before), free(after), free(man_before), free(man_after);

    /* Shard files without a manifest belong to someone else. */
    const char *other = si_test_tmpdir();
    si_test_write_file(path_in(other, "data_0.npy"), "x", 1);
    small_config(&c);
    assert_int_equal(si_dataset_generate(&c, other, NULL, NULL, NULL, NULL), SI_EINVAL);
    assert_false(si_test_file_exists(path_in(other, "manifest.json")));
    remove_tree(dir);
    remove_tree(other);
}

static void test_splits_differ(void **state) {
    (void)state;
    uint64_t t = si_dataset_split_seed(1, "train"), v = si_dataset_split_seed(1, "val");
    assert_true(t != v);
    assert_true(t != si_dataset_split_seed(1, "test"));
    assert_true(t != si_dataset_split_seed(2, "train"));
    assert_true(t == si_dataset_split_seed(1, "train"));
}

static void test_check_rejects(void **state) {
    (void)state;
    si_dataset_config c;
    double ppw;
    small_config(&c);
    assert_int_equal(si_dataset_check(&c, &ppw), SI_OK);
    assert_float_equal(ppw, 1500 / (2.5 * 15 * 10), 1e-6);
    si_dataset_config b = c;
    b.type_hi = 5;
    assert_int_equal(si_dataset_check(&b, NULL), SI_EINVAL);
    b = c, b.type_lo = 3, b.type_hi = 2;
    assert_int_equal(si_dataset_check(&b, NULL), SI_EINVAL);
    b = c, b.count = 0;
    assert_int_equal(si_dataset_check(&b, NULL), SI_EINVAL);
    b = c, b.shard_size = 0;
    assert_int_equal(si_dataset_check(&b, NULL), SI_EINVAL);
    b = c, snprintf(b.split, sizeof b.split, "a/b");
    assert_int_equal(si_dataset_check(&b, NULL), SI_EINVAL);
    b = c, b.seed = 1ULL << 63;
    assert_int_equal(si_dataset_check(&b, NULL), SI_EINVAL);
    b = c, b.sim.nz = 10, b.sim.src_z = 1, b.sim.rec_z = 1; /* too shallow for type IV */
    assert_int_equal(si_dataset_check(&b, NULL), SI_EINVAL);
    b = c, b.sim.dt = 0.003f; /* 4000 m/s * 3 ms / 10 m = 1.2 > CFL */
    assert_int_equal(si_dataset_check(&b, NULL), SI_EUNSTABLE);
    /* A refused configuration creates nothing. */
    char dir[300];
    const char *parent = si_test_tmpdir();
    snprintf(dir, sizeof dir, "%s/new", parent);
    assert_int_equal(si_dataset_generate(&b, dir, NULL, NULL, NULL, NULL), SI_EUNSTABLE);
    assert_false(si_test_file_exists(dir));
    remove_tree(parent);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shards_and_contents),
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_resume_identical),
        cmocka_unit_test(test_refuses_other_configuration),
        cmocka_unit_test(test_splits_differ),
        cmocka_unit_test(test_check_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
