/* si_infer allocates nothing: every malloc, calloc, realloc, aligned_alloc
 * and posix_memalign of this program, the statically linked library
 * included, goes through a counting wrapper (-Wl,--wrap=..., tests/nn.cmake).
 * The wrapper is shown to see the library's own allocations first (a GEMM
 * run without a workspace allocates one), so a zero count means something. */
#include "test_util.h"

#include "gemm/gemm.h"
#include "nn/nn_random.h"
#include "seisinv/model.h"

#include "alloc_count.h"

static long count_during_gemm_without_workspace(void) {
    enum { M = 8, N = 8, K = 8 };
    float a[M * K] = {0}, b[K * N] = {0}, c[M * N];
    si_sgemm_args g = {
        .m = M, .n = N, .k = K, .a = a, .lda = K, .b = b, .ldb = N, .c = c, .ldc = N};
    calls = 0;
    counting = 1;
    const char *bad = si_sgemm(si_gemm_kernels_for(si_isa_active()), &g, NULL);
    counting = 0;
    assert_null(bad);
    return calls;
}

static void test_infer_allocates_nothing(void **state) {
    (void)state;
    /* the wrapper sees allocations made inside the library */
    assert_true(count_during_gemm_without_workspace() > 0);

    const char *dir = si_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/w.safetensors", dir);
    nn_random_spec spec = {.S = 4, .R = 25, .T = 769, .H = 70, .W = 91, .seed = 5};
    assert_int_equal(nn_random_weights(path, &spec), SI_OK);
    const size_t n = 4 * 25 * 769;
    float *x = malloc(n * sizeof(float)), *v = malloc(70 * 91 * sizeof(float));
    for (size_t i = 0; i < n; i++)
        x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
    for (int threads = 1; threads <= 2; threads++) {
        si_model *m;
        si_model_options opt = {threads};
        if (si_model_load(&m, path, &opt) != SI_OK) fail_msg("%s", si_last_error());
        calls = 0;
        counting = 1;
        /* emulated (qemu, ~20 s a pass): the profiled pass reads [S, R, T] */
        const int small = si_test_small();
        si_err st = si_infer(m, x, SI_LAYOUT_STR, v);
        if (!small) st = st ? st : si_infer(m, x, SI_LAYOUT_SRT, v);
        si_model_profile(m, 1); /* the timing hook allocates nothing either */
        st = st ? st : si_infer(m, x, small ? SI_LAYOUT_SRT : SI_LAYOUT_STR, v);
        counting = 0;
        assert_int_equal(st, SI_OK);
        print_message("%d thread%s: %ld allocations in %d calls of si_infer (arena %.1f MB)\n",
                      threads, threads > 1 ? "s" : "", (long)calls, small ? 2 : 3,
                      si_model_arena_bytes(m) / 1048576.0);
        assert_int_equal(calls, 0);
        si_model_free(m);
    }
    free(x), free(v);
    unlink(path);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_infer_allocates_nothing)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
