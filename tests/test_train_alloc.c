/* A training step allocates nothing: every malloc, calloc, realloc,
 * aligned_alloc and posix_memalign of this program (the statically linked
 * library included) goes through a counting wrapper (tests/train.cmake), and
 * si_net_train_batch, si_net_forward / si_net_backward and si_net_eval_batch
 * are run with 1 and 2 threads and every loss while it counts. The wrapper
 * is shown to see the library's own allocations first (si_net_create), so a
 * zero count means something. Under qemu (si_test_small()): 2 shots instead
 * of 4, batches of one survey, and 2 threads only. */
#include "test_util.h"

#include "seisinv/train.h"

#include "alloc_count.h"

static void test_step_allocates_nothing(void **state) {
    (void)state;
    const int small = si_test_small(), S = small ? 2 : 4, B = small ? 1 : 2;
    const size_t srt = (size_t)S * 25 * 769, hw = 70 * 91;
    float *x = malloc(B * srt * sizeof(float)), *y = malloc(B * hw * sizeof(float));
    float *out = malloc(B * hw * sizeof(float));
    for (size_t i = 0; i < B * srt; i++)
        x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    for (size_t i = 0; i < B * hw; i++)
        y[i] = (float)((i * 40503u) % 1000) / 1000.0f;
    for (int threads = small ? 2 : 1; threads <= 2; threads++) {
        si_net_options o = {.S = S,
                            .R = 25,
                            .T = 769,
                            .H = 70,
                            .W = 91,
                            .batch = B,
                            .threads = threads,
                            .dropout = 0.2f,
                            .seed = 1};
        si_net *n;
        calls = 0;
        counting = 1;
        si_err st = si_net_create(&n, &o);
        counting = 0;
        if (st) fail_msg("%s", si_last_error());
        assert_true(calls > 0); /* the wrapper sees the library */
        calls = 0;
        counting = 1;
        double loss;
        for (int k = 0; k < 3 && !st; k++)
            st = si_net_train_batch(n, x, y, B, k, SI_NET_TRAIN, &loss);
        if (!st) st = si_net_forward(n, x, 1, SI_NET_BATCH_STATS, out);
        if (!st) st = si_net_backward(n, y);
        if (!st) st = si_net_eval_batch(n, x, B, out);
        counting = 0;
        if (st) fail_msg("%s", si_last_error());
        printf("%d thread(s): %ld allocations in 5 steps (arena %.1f MiB, parameters and "
               "gradients %.1f MiB)\n",
               threads, (long)calls, si_net_arena_bytes(n) / 1048576.0,
               si_net_param_bytes(n) / 1048576.0);
        assert_int_equal(calls, 0);
        si_net_free(n);
    }
    free(x), free(y), free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_step_allocates_nothing)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
