/* `seisinv train` from the outside on a tiny configuration (S 4, R 25,
 * T 769, 32×32, random initial weights through --init): 4 steps straight
 * and 2 + --resume + 2 give the same weights bit for bit (with dropout and
 * --flip on); the run folder holds a PNG loss curve, weights that
 * `seisinv invert` and PyTorch (skipped without torch) load; Ctrl-C saves a
 * checkpoint and exits 130; bad input exits 2 leaving no run folder. Under
 * qemu (si_test_small()): 2 shots, batches of one survey, 2 training surveys
 * and 1 validation survey, and 2 steps straight against 1 + --resume + 1. */
#include <math.h>
#include <signal.h>

#include "test_metrics_util.h"

#include "nn/nn_random.h"

enum { R = 25, T = 769, H = 32, W = 32 };

static char dir[256];
/* Shots; surveys of the training shards (first, second) and validation;
 * batch; the steps of the straight run (the other stops halfway). */
static int S = 4, n_train0 = 3, n_train1 = 1, n_val = 2, batch = 2, steps = 4;

static const char *in_dir(const char *name) {
    static char buf[8][512];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%.250s/%.250s", dir, name);
    return buf[k];
}

/* Runs the CLI with stdout and stderr into dir/out.txt and dir/err.txt. */
static int run_cli(const char *fmt, ...) {
    char args[4096], cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    const char *bin = getenv("SEISINV_BIN");
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' %s >out.txt 2>err.txt", dir, bin ? bin : "seisinv",
             args);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int contains(const char *file, const char *needle) {
    char *s = si_test_slurp(in_dir(file), NULL);
    int yes = s && strstr(s, needle);
    if (!yes) print_message("%s: %s\n", file, s ? s : "(none)");
    free(s);
    return yes;
}

static void write_shard(const char *sub, int k, int first, int count) {
    const size_t per = (size_t)S * T * R;
    float *x = malloc(count * per * sizeof *x), *v = malloc((size_t)count * H * W * sizeof *v);
    float junk[H * W];
    for (int i = 0; i < count; i++) {
        const int n = first + i;
        for (int s = 0; s < S; s++)
            for (int t = 0; t < T; t++)
                for (int r = 0; r < R; r++)
                    x[i * per + ((size_t)s * T + t) * R + r] =
                        sinf(0.05f * (float)(t + 7 * r + 31 * s + 97 * n)) * expf(-t / 400.0f);
        tm_layered_pair(v + (size_t)i * H * W, junk, H, W, 0, (uint64_t)n + 1);
        for (int j = 0; j < H * W; j++)
            v[(size_t)i * H * W + j] = 1500.0f + 2500.0f * v[(size_t)i * H * W + j];
    }
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
    if (si_test_small()) S = 2, n_train0 = 1, n_val = 1, batch = 1, steps = 2;
    nn_random_spec spec = {.S = S, .R = R, .T = T, .H = H, .W = W, .seed = 9};
    if (nn_random_weights(in_dir("w0.safetensors"), &spec) != SI_OK)
        fail_msg("%s", si_last_error());
    mkdir(in_dir("tr"), 0755);
    mkdir(in_dir("va"), 0755);
    write_shard("tr", 0, 0, n_train0);
    write_shard("tr", 1, n_train0, n_train1);
    write_shard("va", 0, 10, n_val);
    return 0;
}

#define TRAIN                                                                                      \
    "train --data tr --val va --init w0.safetensors --batch %d --epochs 3 --lr 1e-3 "              \
    "--flip --dropout 0.2 --seed 3 -j 2"

static void test_resume_bit_exact(void **state) {
    (void)state;
    /* whole epochs: 2 steps of the 4 surveys natively, 1 of the 2 under qemu */
    const int epochs = steps * batch / (n_train0 + n_train1);
    char text[64];
    assert_int_equal(run_cli(TRAIN " --steps %d -o a", batch, steps), 0);
    snprintf(text, sizeof text, "epoch %d/3  step %d", epochs, steps);
    assert_true(contains("out.txt", text));
    assert_int_equal(run_cli(TRAIN " --steps %d -o b", batch, steps / 2), 0);
    assert_int_equal(run_cli("train --resume b --steps %d -j 2", steps), 0);
    snprintf(text, sizeof text, "resuming at step %d", steps / 2);
    assert_true(contains("out.txt", text));
    size_t na, nb;
    char *wa = si_test_slurp(in_dir("a/model.safetensors"), &na);
    char *wb = si_test_slurp(in_dir("b/model.safetensors"), &nb);
    assert_non_null(wa);
    assert_non_null(wb);
    assert_int_equal(na, nb);
    assert_memory_equal(wa, wb, na);
    /* and training moved them away from the start */
    size_t n0;
    char *w0 = si_test_slurp(in_dir("w0.safetensors"), &n0);
    assert_true(n0 != na || memcmp(w0, wa, na) != 0);
    free(wa), free(wb), free(w0);
}

static void test_run_folder(void **state) {
    (void)state;
    /* Written by test_resume_bit_exact: loss curve, checkpoint, weights. */
    size_t n;
    char *png = si_test_slurp(in_dir("a/loss.png"), &n);
    assert_non_null(png);
    assert_true(n > 1000 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0);
    free(png);
    assert_true(si_test_file_exists(in_dir("a/checkpoint.safetensors")));
    assert_int_equal(run_cli("invert -w a/model.safetensors va/data_0.npy -o p.npy --truth "
                             "va/model_0.npy"),
                     0);
    assert_true(contains("out.txt", n_val > 1 ? "mean metrics of 2 models" : "metrics against"));
    if (!tm_have_python("torch, numpy")) return;
    char cmd[2048];
    const char *src = getenv("SEISINV_SRC");
    snprintf(cmd, sizeof cmd,
             "cd '%s' && /usr/bin/python3 -c \"import sys; sys.path.insert(0, '%s/tests/oracle'); "
             "import seisinvnet as sn, st_io, torch, numpy as np; "
             "_, t = st_io.load('a/model.safetensors'); "
             "m = sn.SeisInvNet(sn.Config(S=%d, R=%d, T=%d, H=%d, W=%d)); "
             "m.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in t.items()}, "
             "strict=True); m.eval(); d = np.load('va/data_0.npy'); "
             "x = torch.from_numpy(np.ascontiguousarray(d.transpose(0, 1, 3, 2))); "
             "y = m(x).detach().numpy(); p = np.load('p.npy')[:, 0]; "
             "e = np.abs(1500 + 2500 * y - p).max(); print('torch vs invert', e); "
             "sys.exit(0 if e < 0.05 else 1)\"",
             dir, src ? src : ".", S, R, T, H, W);
    assert_int_equal(system(cmd), 0);
}

static void test_interrupt(void **state) {
    (void)state;
    char cmd[1024];
    const char *bin = getenv("SEISINV_BIN");
    snprintf(cmd, sizeof cmd,
             "cd '%s' && ('%s' train --generate 200 --init w0.safetensors --batch 1 --epochs 1 "
             "--save-every 0 -j 2 -o c >c.txt 2>&1 & pid=$!; "
             "while ! grep -q 'training SeisInvNet' c.txt 2>/dev/null && kill -0 $pid 2>/dev/null; "
             "do sleep 0.2; "
             "done; sleep 1; kill -INT $pid; wait $pid)",
             dir, bin ? bin : "seisinv");
    /* started (its header printed), a second of steps, then SIGINT */
    const int rc = system(cmd);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 130);
    assert_true(contains("c.txt", "interrupted at step"));
    assert_true(si_test_file_exists(in_dir("c/checkpoint.safetensors")));
    assert_true(si_test_file_exists(in_dir("c/model.safetensors")));
    assert_int_equal(si_test_count_files(in_dir("c"), ".tmp"), 0);
}

static void test_bad_input(void **state) {
    (void)state;
    assert_int_equal(run_cli("train --data tr -o a"), 2);
    assert_true(contains("err.txt", "already holds a run"));
    assert_int_equal(run_cli("train --resume a --lr 1"), 2);
    assert_true(contains("err.txt", "only --steps, --threads"));
    assert_int_equal(run_cli("train -o d"), 2);
    assert_true(contains("err.txt", "--data DIR and --generate N"));
    assert_int_equal(run_cli("train --data tr --init w0.safetensors --batch 5 -o d"), 2);
    char text[64];
    snprintf(text, sizeof text, "%d training surveys make no batch of 5", n_train0 + n_train1);
    assert_true(contains("err.txt", text));
    assert_int_equal(run_cli("train --data tr --init w0.safetensors --loss ssim -o d"), 2);
    assert_true(contains("err.txt", "l2+msssim"));
    assert_int_equal(run_cli("train --data va/data_0.npy --val tr/model_0.npy --init "
                             "w0.safetensors -o d"),
                     2);
    assert_true(contains("err.txt", "data_K.npy"));
    assert_int_equal(run_cli("train --resume nowhere"), 2);
    assert_false(si_test_file_exists(in_dir("d")));
    assert_false(si_test_file_exists(in_dir("nowhere")));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_bit_exact),
        cmocka_unit_test(test_run_folder),
        cmocka_unit_test(test_interrupt),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
