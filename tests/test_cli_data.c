/* `seisinv simulate`, `model` and `dataset` from the outside: results on good
 * input; on bad input exit 2, no output file, an existing output untouched;
 * Ctrl-C during `dataset` exits 130 keeping finished shards, and a rerun
 * completes; shards load in numpy (oracle: /usr/bin/python3). */
#include "test_util.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <time.h>

#include "seisinv/npy.h"
#include "seisinv/velgen.h"

#define KEEP "ORIGINAL CONTENT"

static char dir[256];

static const char *in_dir(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* A two-layer model; with has_bad, one cell set to `bad`. */
static void write_model(const char *name, int ndim, const int64_t *shape, int has_bad, float bad) {
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    float *v = malloc(sizeof(float) * n);
    for (int64_t i = 0; i < n; i++)
        v[i] = i < n / 2 ? 2000.0f : 3000.0f; /* two layers */
    if (has_bad) v[n / 3] = bad;
    assert_int_equal(si_npy_write(in_dir(name), ndim, shape, v), SI_OK);
    free(v);
}

/* A float64 .npy (the reader wants float32). */
static void write_f64(const char *name) {
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
    char file[64 + 32];
    memset(file, 0, sizeof file);
    memcpy(file, "\x93NUMPY\x01\x00\x36\x00", 10); /* v1.0, header 54 bytes */
    memset(file + 10, ' ', 54);
    memcpy(file + 10, dict, strlen(dict));
    file[63] = '\n';
    si_test_write_file(in_dir(name), file, sizeof file);
}

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "%s", si_test_tmpdir());
    int64_t s2[2] = {40, 40}, s3[3] = {1, 40, 40}, s1[1] = {40};
    write_model("vel.npy", 2, s2, 0, 0);
    write_model("vel_nan.npy", 2, s2, 1, NAN);
    write_model("vel_neg.npy", 2, s2, 1, -1500);
    write_model("vel_zero.npy", 2, s2, 1, 0);
    write_model("vel_big.npy", 2, s2, 1, 20000);
    write_model("vel_3d.npy", 3, s3, 0, 0);
    write_model("vel_1d.npy", 1, s1, 0, 0);
    write_f64("vel_f64.npy");
    si_test_write_file(in_dir("not_npy.npy"), "hello, not numpy\n", 17);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

/* Runs a command that must fail with exit 2 twice: once writing a new file
 * (which must not appear), once over an existing one (which must not change).
 * `args` holds one %s for the output path. */
static void expect_bad(const char *args) {
    char full[2048], err[512];
    snprintf(err, sizeof err, "%s/err.txt", dir);
    snprintf(full, sizeof full, args, in_dir("new.out"));
    int rc = si_test_run_cli(err, "%s", full);
    char *msg = si_test_slurp(err, NULL);
    if (rc != 2) fprintf(stderr, "expected exit 2, got %d: %s\n  %s", rc, full, msg);
    assert_int_equal(rc, 2);
    assert_true(msg && strlen(msg) > 10); /* says what is wrong */
    free(msg);
    assert_false(si_test_file_exists(in_dir("new.out")));

    si_test_write_file(in_dir("keep.out"), KEEP, strlen(KEEP));
    snprintf(full, sizeof full, args, in_dir("keep.out"));
    assert_int_equal(si_test_run_cli(NULL, "%s", full), 2);
    char *kept = si_test_slurp(in_dir("keep.out"), NULL);
    assert_string_equal(kept, KEEP);
    free(kept);
    assert_int_equal(si_test_count_files(dir, ".tmp."), 0);
}

static void test_simulate_ok(void **state) {
    (void)state;
    char err[512];
    snprintf(err, sizeof err, "%s/err.txt", dir);
    assert_int_equal(si_test_run_cli(err,
                                     "simulate --model '%s' -o '%s' --nt 200 --src-x 5,20,35 "
                                     "--threads 2 --png '%s'",
                                     in_dir("vel.npy"), in_dir("shots.npy"), in_dir("shots.png")),
                     0);
    char *msg = si_test_slurp(err, NULL);
    assert_null(strstr(msg, "points per wavelength")); /* 2000 m/s, 15 Hz: 5.3 */
    free(msg);
    si_array a;
    assert_int_equal(si_npy_read(in_dir("shots.npy"), &a), SI_OK);
    int64_t want[3] = {3, 200, 40};
    assert_int_equal(a.ndim, 3);
    assert_memory_equal(a.shape, want, sizeof want);
    float peak = 0;
    for (int64_t i = 0; i < si_array_numel(&a); i++)
        peak = fmaxf(peak, fabsf(a.data[i]));
    assert_true(peak > 0);
    si_array_free(&a);
    char *png = si_test_slurp(in_dir("shots.png"), NULL);
    assert_memory_equal(png, "\x89PNG", 4);
    free(png);

    /* Receiver list as start:stop:step, one source, and the dispersion warning. */
    assert_int_equal(si_test_run_cli(err,
                                     "simulate --model '%s' -o '%s' --nt 100 --src-x 10 "
                                     "--rec-x 0:40:2 --f0 40",
                                     in_dir("vel.npy"), in_dir("shots2.npy")),
                     0);
    msg = si_test_slurp(err, NULL);
    assert_non_null(strstr(msg, "points per wavelength"));
    free(msg);
    assert_int_equal(si_npy_read(in_dir("shots2.npy"), &a), SI_OK);
    int64_t want2[3] = {1, 100, 20};
    assert_memory_equal(a.shape, want2, sizeof want2);
    si_array_free(&a);

    /* --receivers N: N columns at round(linspace(0, W-1, N)), like the
     * network's 32; the survey equals one recorded at those columns. */
    assert_int_equal(si_test_run_cli(NULL,
                                     "simulate --model '%s' -o '%s' --nt 60 --src-x 10 "
                                     "--receivers 5",
                                     in_dir("vel.npy"), in_dir("shots3.npy")),
                     0);
    assert_int_equal(si_test_run_cli(NULL,
                                     "simulate --model '%s' -o '%s' --nt 60 --src-x 10 "
                                     "--rec-x 0,10,20,29,39",
                                     in_dir("vel.npy"), in_dir("shots4.npy")),
                     0);
    si_array r5, rl;
    assert_int_equal(si_npy_read(in_dir("shots3.npy"), &r5), SI_OK);
    assert_int_equal(si_npy_read(in_dir("shots4.npy"), &rl), SI_OK);
    int64_t want3[3] = {1, 60, 5};
    assert_memory_equal(r5.shape, want3, sizeof want3);
    assert_memory_equal(r5.data, rl.data, sizeof(float) * 60 * 5);
    si_array_free(&r5), si_array_free(&rl);
}

static void test_simulate_bad(void **state) {
    (void)state;
    char args[1024];
    const char *models[] = {"vel_nan.npy", "vel_neg.npy", "vel_zero.npy",
                            "vel_big.npy", "vel_3d.npy",  "vel_1d.npy",
                            "vel_f64.npy", "not_npy.npy", "missing.npy"};
    for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
        snprintf(args, sizeof args, "simulate --model '%s' -o '%%s' --nt 50", in_dir(models[i]));
        expect_bad(args);
    }
    const char *flags[] = {
        "--dt 0.01", /* 3000 m/s * 10 ms / 10 m = 3: unstable */
        "--src-x 50",
        "--src-x -1",
        "--src-z 40",
        "--src-z -1",
        "--rec-x 0:41",
        "--rec-x 1,,2",
        "--receivers 0",
        "--receivers 41",
        "--receivers 4 --rec-x 1,2",
        "--order 3",
        "--nt 0",
        "--nt 1e3",
        "--dx abc",
        "--dx -5",
        "--f0 0",
        "--threads -1",
        "--pml -2",
        "--bogus",
        "extra-argument",
        "--png /nonexistent-folder/x.png",
    };
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
        snprintf(args, sizeof args, "simulate --model '%s' -o '%%s' --nt 50 %s", in_dir("vel.npy"),
                 flags[i]);
        expect_bad(args);
    }
    expect_bad("simulate -o '%s'"); /* no model */
    snprintf(args, sizeof args, "simulate --model '%s' --png '%%s'", in_dir("vel.npy")); /* no -o */
    expect_bad(args);
    assert_int_equal(si_test_run_cli(NULL, "simulate --model '%s' -o /nonexistent-folder/x.npy",
                                     in_dir("vel.npy")),
                     2);
    assert_int_equal(si_test_run_cli(NULL, "simulate --model '%s' -o '%s'", in_dir("vel.npy"), dir),
                     2); /* -o is a folder */
    assert_int_equal(si_test_run_cli(NULL, "simulate --model"), 2);
    assert_int_equal(si_test_run_cli(NULL, "simulate --help"), 0);
}

static void test_model(void **state) {
    (void)state;
    assert_int_equal(si_test_run_cli(NULL,
                                     "model --type 3 --seed 7 --index 2 --nz 50 --nx 60 "
                                     "-o '%s' --png '%s'",
                                     in_dir("m.npy"), in_dir("m.png")),
                     0);
    si_array a;
    assert_int_equal(si_npy_read(in_dir("m.npy"), &a), SI_OK);
    assert_int_equal(a.ndim, 2);
    assert_int_equal(a.shape[0], 50);
    assert_int_equal(a.shape[1], 60);
    float *v = malloc(sizeof(float) * 50 * 60);
    assert_int_equal(si_velgen(3, 7, 2, 50, 60, v), SI_OK);
    assert_memory_equal(a.data, v, sizeof(float) * 50 * 60);
    si_array_free(&a);
    assert_true(si_test_file_exists(in_dir("m.png")));
    /* Roman numerals name the same type. */
    assert_int_equal(si_test_run_cli(NULL,
                                     "model --type III --seed 7 --index 2 --nz 50 --nx 60 "
                                     "-o '%s'",
                                     in_dir("m2.npy")),
                     0);
    assert_int_equal(si_npy_read(in_dir("m2.npy"), &a), SI_OK);
    assert_memory_equal(a.data, v, sizeof(float) * 50 * 60);
    si_array_free(&a);
    free(v);

    const char *bad[] = {
        "model --type 5 -o '%s'",
        "model --type 0 -o '%s'",
        "model --type x -o '%s'",
        "model --type 1 --seed -1 -o '%s'",
        "model --type 1 --seed abc -o '%s'",
        "model --type 1 --nz 0 -o '%s'",
        "model --type 4 --nz 5 -o '%s'",
        "model --type 1 --nx 70000 -o '%s'",
        "model --type 1 --dx 0 -o '%s'",
        "model -o '%s'",
        "model --type 1 --bogus -o '%s'",
        "model --type 1 -o '%s' extra",
        "model --type 1 -o '%s' --png /nonexistent-folder/m.png",
        "model --type 1 --png '%s'",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_bad(bad[i]);
    assert_int_equal(si_test_run_cli(NULL, "model --type 1 -o '%s'", dir), 2);
    assert_int_equal(si_test_run_cli(NULL, "model --help"), 0);
}

/* numpy as the oracle for the on-disk format and the manifest statistics. */
static void numpy_check(const char *ds, int nrec) {
    if (access("/usr/bin/python3", X_OK) != 0 ||
        system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0)
        skip();
    char script[2600], cmd[3000];
    snprintf(script, sizeof script, "%s/check.py", dir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fprintf(f,
            "import json, sys, numpy as np\n"
            "d = sys.argv[1]; R = int(sys.argv[2])\n"
            "m = json.load(open(d + '/manifest.json'))\n"
            "g = m['config']['geometry']; S = len(g['src_x'])\n"
            "vs, gs = [], []\n"
            "for sh in m['shards']:\n"
            "    x = np.load(d + '/' + sh['data']); v = np.load(d + '/' + sh['model'])\n"
            "    assert x.dtype == np.float32 and v.dtype == np.float32, (x.dtype, v.dtype)\n"
            "    assert x.shape == (sh['count'], S, g['nt'], R), x.shape\n"
            "    assert v.shape == (sh['count'], 1, g['nz'], g['nx']), v.shape\n"
            "    assert np.isfinite(x).all() and np.abs(x).max() > 0\n"
            "    vs.append(v.ravel())\n"
            "    gs += [x[j, (sh['first'] + j) %% S].ravel() for j in range(sh['count'])]\n"
            "v = np.concatenate(vs); a = np.concatenate(gs).astype(np.float64)\n"
            "st = m['stats']\n"
            "assert abs(st['velocity']['mean'] - v.mean()) < 1e-6 * v.mean()\n"
            "assert abs(st['velocity']['std'] - v.std()) < 1e-4 * v.std()\n"
            "assert st['velocity']['min'] == v.min() and st['velocity']['max'] == v.max()\n"
            "assert st['seismic']['max'] == a.max() and st['seismic']['min'] == a.min()\n"
            "assert abs(st['seismic']['std'] - a.std()) < 1e-4 * a.std()\n"
            "for q, k in ((1, 'abs_p1'), (50, 'abs_p50'), (99, 'abs_p99'), (99.9, 'abs_p99.9')):\n"
            "    want = np.percentile(np.abs(a), q)\n"
            "    assert abs(st['seismic'][k] - want) <= 1e-5 * max(want, 1e-12), (k, want)\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' %d", script, ds, nrec);
    assert_int_equal(system(cmd), 0);
}

static void test_dataset(void **state) {
    (void)state;
    const char *geo = "--nz 40 --nx 40 --nt 200 --shots 4 --threads 2";
    char ds[300];
    snprintf(ds, sizeof ds, "%s", in_dir("ds"));
    assert_int_equal(si_test_run_cli(NULL,
                                     "dataset --count 3 --shard-size 2 --seed 5 --split val "
                                     "--types 2-3 %s -o '%s'",
                                     geo, ds),
                     0);
    numpy_check(ds, 32);
    char all[300];
    snprintf(all, sizeof all, "%s", in_dir("ds_all"));
    assert_int_equal(
        si_test_run_cli(NULL, "dataset --count 2 --all-receivers %s -o '%s'", geo, all), 0);
    numpy_check(all, 40);

    /* A rerun with the same settings keeps the shards (same inode: not rewritten). */
    char d0[400];
    snprintf(d0, sizeof d0, "%s/data_0.npy", ds);
    struct stat before, after;
    assert_int_equal(stat(d0, &before), 0);
    assert_int_equal(si_test_run_cli(NULL,
                                     "dataset --count 3 --shard-size 2 --seed 5 --split val "
                                     "--types 2-3 %s -o '%s'",
                                     geo, ds),
                     0);
    assert_int_equal(stat(d0, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);

    /* Different settings into the same folder: refused, nothing changed. */
    char man[400];
    snprintf(man, sizeof man, "%s/manifest.json", ds);
    char *m1 = si_test_slurp(man, NULL);
    assert_int_equal(si_test_run_cli(NULL,
                                     "dataset --count 3 --shard-size 2 --seed 6 --split val "
                                     "--types 2-3 %s -o '%s'",
                                     geo, ds),
                     2);
    char *m2 = si_test_slurp(man, NULL);
    assert_string_equal(m1, m2);
    free(m1), free(m2);
    assert_int_equal(stat(d0, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);

    const char *bad[] = {
        "--count 0",
        "--count x",
        "--count 2 --types 5",
        "--count 2 --types 3-1",
        "--count 2 --types 1-",
        "--count 2 --split foo",
        "--count 2 --shard-size 0",
        "--count 2 --seed 9223372036854775808",
        "--count 2 --dt 0.01",
        "--count 2 --order 5",
        "--count 2 --nz 10",
        "--count 2 --bogus",
        "--count 2 --nt",
        "",
        "--count 2 extra",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char args[1024];
        int geo_first = strstr(bad[i], "--nz") == NULL;
        snprintf(args, sizeof args, "dataset %s %s -o '%s'", geo_first ? geo : "", bad[i],
                 in_dir("ds_bad"));
        if (strcmp(bad[i], "--count 2 --nt") == 0) /* flag without its value, at the end */
            snprintf(args, sizeof args, "dataset -o '%s' --count 2 --nt", in_dir("ds_bad"));
        int rc = si_test_run_cli(NULL, "%s", args);
        if (rc != 2) fprintf(stderr, "expected 2, got %d: %s\n", rc, args);
        assert_int_equal(rc, 2);
        assert_false(si_test_file_exists(in_dir("ds_bad")));
    }
    assert_int_equal(si_test_run_cli(NULL, "dataset --count 2 %s", geo), 2); /* no -o */
    assert_int_equal(si_test_run_cli(NULL, "dataset --count 2 %s -o /nonexistent-folder/ds", geo),
                     2);
    assert_int_equal(si_test_run_cli(NULL, "dataset --help"), 0);
}

/* Ctrl-C once the first shard is on disk: exit 130, shards complete, no
 * temporaries; the same command again finishes the job. */
static void test_dataset_interrupt(void **state) {
    (void)state;
    char ds[300];
    snprintf(ds, sizeof ds, "%s", in_dir("ds_int"));
    const char *bin = getenv("SEISINV_BIN");
    /* Emulated (qemu, ~100x slower): 5 smaller shards, each still slow
     * enough (about a second) for Ctrl-C to land between two of them. */
    const int small = si_test_small();
    char *count = small ? "5" : "40", *side = small ? "40" : "60", *nt = small ? "200" : "1000";
    char *shots = small ? "2" : "4";
    char *argv[] = {
        (char *)bin, "dataset", "--count", count, "--shard-size", "1", "--nz", side, "--nx", side,
        "--nt",      nt,        "--shots", shots, "--threads",    "1", "-o",   ds,   NULL};
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1), dup2(null, 2);
        execv(bin, argv);
        _exit(127);
    }
    char d0[400];
    snprintf(d0, sizeof d0, "%s/data_0.npy", ds);
    struct timespec nap = {0, 2000000};
    for (int i = 0; i < 10000 && !si_test_file_exists(d0); i++)
        nanosleep(&nap, NULL);
    kill(pid, SIGINT);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    assert_true(si_test_file_exists(d0));
    assert_int_equal(si_test_count_files(ds, ".tmp."), 0);
    int data = si_test_count_files(ds, "data_"), model = si_test_count_files(ds, "model_");
    assert_true(data >= 1 && data < atoi(count));
    assert_true(model == data);

    char cmd[1024] = "";
    for (int i = 1; argv[i]; i++) {
        strcat(cmd, argv[i]);
        strcat(cmd, " ");
    }
    assert_int_equal(si_test_run_cli(NULL, "%s", cmd), 0);
    assert_int_equal(si_test_count_files(ds, "data_"), atoi(count));
    char *man = si_test_slurp(in_dir("ds_int/manifest.json"), NULL);
    assert_non_null(strstr(man, "\"status\": \"complete\""));
    free(man);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simulate_ok),
        cmocka_unit_test(test_simulate_bad),
        cmocka_unit_test(test_model),
        cmocka_unit_test(test_dataset),
        cmocka_unit_test(test_dataset_interrupt),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
