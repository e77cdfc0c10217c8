/* The whole C training path learns: a small configuration overfits a few
 * fixed samples with Adam (as `seisinv train` updates, poly schedule) and
 * the L2 loss, its loss falling below 1% of its start within a step budget.
 * Natively 3 samples of S 2, 70x91 (~40 steps, budget 100); under qemu
 * (si_test_small()) one sample cropped to 8x8 (11-16 steps, budget 30): a
 * step there costs ~40 CPU-seconds. SEISINV_OVERFIT_STEPS, _LR, _SEED and
 * _VERBOSE (prints each step's loss) try other settings. */
#include "test_util.h"

#include <math.h>
#include <time.h>

#include "seisinv/train.h"
#include "train/adam.h"
#include "train/loss.h"

enum { OF_R = 25, OF_T = 769 };

typedef struct overfit_size {
    int S, H, W, B, max_steps;
} overfit_size;

/* Deterministic uniform [0, 1) stream (splitmix64). */
static double unif(uint64_t *s) {
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1p-53;
}

/* A survey in network units [S, R, T]: weak noise plus a few dipping,
 * decaying wavelets (so each sample differs in structure, not only noise). */
static void overfit_survey(float *x, int S, uint64_t *rng) {
    double t0[3], slope[3], amp[3];
    for (int e = 0; e < 3; e++)
        t0[e] = (0.1 + 0.5 * unif(rng)) * OF_T, slope[e] = 4 * unif(rng) - 2,
        amp[e] = 0.5 + unif(rng);
    for (int s = 0; s < S; s++)
        for (int r = 0; r < OF_R; r++)
            for (int t = 0; t < OF_T; t++) {
                double v = 0.05 * (2 * unif(rng) - 1);
                for (int e = 0; e < 3; e++) {
                    const double a = t0[e] + 20.0 * s + slope[e] * fabs(r - OF_R / 2.0);
                    const double u = (t - a) / 6.0;
                    v += amp[e] * exp(-u * u) * cos((t - a) / 2.0);
                }
                x[((size_t)s * OF_R + r) * OF_T + t] = (float)v;
            }
}

/* Smooth target in (0, 1): velocity rising with depth, tilted laterally. */
static void overfit_target(float *y, int H, int W, uint64_t *rng) {
    const double base = 0.05 + 0.15 * unif(rng), grad = 0.6 + 0.15 * unif(rng);
    const double tilt = 0.2 * (2 * unif(rng) - 1);
    for (int i = 0; i < H; i++)
        for (int j = 0; j < W; j++) {
            const double z = (double)i / (H - 1), xx = (double)j / (W - 1);
            y[i * W + j] = (float)(base + grad * z + tilt * (xx - 0.5));
        }
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static void test_overfit(void **state) {
    (void)state;
    overfit_size z = {.S = 2, .H = 70, .W = 91, .B = 3, .max_steps = 100};
    if (si_test_small()) z = (overfit_size){.S = 2, .H = 8, .W = 8, .B = 1, .max_steps = 30};
    const char *e = getenv("SEISINV_OVERFIT_STEPS");
    if (e) z.max_steps = atoi(e);
    const double lr = getenv("SEISINV_OVERFIT_LR") ? atof(getenv("SEISINV_OVERFIT_LR")) : 1e-3;
    const uint64_t seed =
        getenv("SEISINV_OVERFIT_SEED") ? strtoull(getenv("SEISINV_OVERFIT_SEED"), NULL, 10) : 3;
    si_net_options o = {.S = z.S,
                        .R = OF_R,
                        .T = OF_T,
                        .H = z.H,
                        .W = z.W,
                        .batch = z.B,
                        .threads = 2,
                        .dropout = 0,
                        .seed = seed};
    si_net *n;
    if (si_net_create(&n, &o) != SI_OK) fail_msg("%s", si_last_error());
    const size_t srt = (size_t)z.S * OF_R * OF_T, hw = (size_t)z.H * z.W;
    float *x = malloc(z.B * srt * sizeof(float)), *y = malloc(z.B * hw * sizeof(float));
    uint64_t rng = 1000 + seed;
    for (int b = 0; b < z.B; b++)
        overfit_survey(x + b * srt, z.S, &rng), overfit_target(y + b * hw, z.H, z.W, &rng);
    /* Adam moments of every parameter, one block */
    const size_t total = si_adam_net_size(n);
    float *m = calloc(total, sizeof(float)), *v = calloc(total, sizeof(float));
    assert_true(x && y && m && v);
    const si_optim_kernels *k = si_optim_kernels_for(si_isa_active());
    const si_adam_hparams hp = SI_ADAM_DEFAULTS;
    const double t0 = now();
    double first = NAN, loss = NAN;
    int steps = 0;
    while (steps < z.max_steps) {
        if (si_net_train_batch(n, x, y, z.B, SI_LOSS_L2, SI_NET_BATCH_STATS | SI_NET_UPDATE_STATS,
                               &loss))
            fail_msg("%s", si_last_error());
        if (steps == 0) first = loss;
        assert_true(isfinite(loss));
        if (loss < 0.01 * first) break;
        const double step_lr = si_lr_poly(lr, steps, z.max_steps);
        steps++;
        si_adam_step_net(k, &hp, n, m, v, step_lr, steps);
        if (getenv("SEISINV_OVERFIT_VERBOSE")) printf("  step %d loss %.6g\n", steps, loss);
    }
    printf("overfit (S%d R%d T%d H%d W%d, %d samples, Adam lr %g, seed %llu): loss %.6g -> %.6g "
           "(%.2f%% of start) after %d steps, %.1f s\n",
           z.S, OF_R, OF_T, z.H, z.W, z.B, lr, (unsigned long long)seed, first, loss,
           100 * loss / first, steps, now() - t0);
    assert_true(loss < 0.01 * first);
    free(m), free(v), free(x), free(y);
    si_net_free(n);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_overfit)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
