/* The whole network on this machine against the output an x86-64 build gave
 * for the same weights and survey (tests/data/nn_small_x86.npy, small
 * configuration S=4 R=25 T=769 -> 70x91): within 1e-4 of the velocity
 * normalised to [0, 1]. On ARM (NEON, or SEISINV_ISA=scalar) this is the
 * cross-architecture check; on x86 it catches drift of the kernels.
 * Weights from nn_random_weights (seed 21) and a survey from an integer hash:
 * both are rebuilt here, and their FNV-1a hashes must equal the ones the x86
 * build recorded (tests/data/nn_small_x86.txt), so the inputs are the same bits.
 * SI_WRITE_X86_REF=1 on x86-64 rewrites both reference files. */
#include "test_util.h"

#include <inttypes.h>
#include <math.h>

#include "nn/nn_random.h"
#include "seisinv/model.h"
#include "seisinv/npy.h"
#include "seisinv/safetensors.h"

enum { S = 4, R = 25, T = 769, H = 70, W = 91 };
#define REF_NPY "tests/data/nn_small_x86.npy"
#define REF_TXT "tests/data/nn_small_x86.txt"

static uint64_t fnv1a(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

/* Names and bytes of every tensor, in file order (not the JSON header,
 * whose spelling is the JSON library's business). */
static uint64_t weights_hash(const char *path) {
    si_st_file *f;
    if (si_st_open(path, &f) != SI_OK) fail_msg("%s", si_last_error());
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < si_st_count(f); i++) {
        const si_st_tensor *t = si_st_at(f, i);
        h = fnv1a(h, t->name, strlen(t->name) + 1);
        h = fnv1a(h, t->data, t->nbytes);
    }
    si_st_close(f);
    return h;
}

/* [S, T, R] samples in [-2, 2) from a 64-bit LCG: exact on every machine. */
static float *survey(void) {
    const size_t n = (size_t)S * T * R;
    float *x = malloc(n * sizeof(float));
    assert_non_null(x);
    uint64_t s = 12345;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        x[i] = (float)((int32_t)(s >> 40) - (1 << 23)) / (float)(1 << 22);
    }
    return x;
}

static void src_path(char *buf, size_t len, const char *rel) {
    const char *src = getenv("SEISINV_SRC");
    snprintf(buf, len, "%s/%s", src ? src : ".", rel);
}

static void test_matches_x86(void **state) {
    (void)state;
    const char *dir = si_test_tmpdir();
    assert_non_null(dir);
    char w[512], npy[512], txt[512];
    snprintf(w, sizeof w, "%s/w.safetensors", dir);
    const nn_random_spec spec = {.S = S, .R = R, .T = T, .H = H, .W = W, .seed = 21};
    if (nn_random_weights(w, &spec) != SI_OK) fail_msg("%s", si_last_error());
    float *x = survey(), v[H * W];
    const uint64_t hw = weights_hash(w),
                   hx = fnv1a(0xcbf29ce484222325ull, x, sizeof(float) * S * T * R);

    si_model *m;
    const si_model_options opt = {2};
    if (si_model_load(&m, w, &opt) != SI_OK) fail_msg("%s", si_last_error());
    if (si_infer(m, x, SI_LAYOUT_STR, v) != SI_OK) fail_msg("%s", si_last_error());
    const si_model_info *c = si_model_config(m);
    src_path(npy, sizeof npy, REF_NPY), src_path(txt, sizeof txt, REF_TXT);

#if defined(__x86_64__)
    const char *write = getenv("SI_WRITE_X86_REF");
    if (write && strcmp(write, "1") == 0) {
        const int64_t shape[2] = {H, W};
        assert_int_equal(si_npy_write(npy, 2, shape, v), SI_OK);
        FILE *f = fopen(txt, "w");
        assert_non_null(f);
        fprintf(f, "weights_fnv1a64 %016" PRIx64 "\nsurvey_fnv1a64 %016" PRIx64 "\nisa %s\n", hw,
                hx, c->isa);
        fclose(f);
        print_message("wrote %s and %s (%s kernels)\n", npy, txt, c->isa);
    }
#endif

    /* the inputs are the ones the x86 build used */
    FILE *f = fopen(txt, "r");
    if (!f) fail_msg("%s: missing", txt);
    uint64_t want_w = 0, want_x = 0;
    char isa[32] = "";
    const int got = fscanf(f, "weights_fnv1a64 %" SCNx64 " survey_fnv1a64 %" SCNx64 " isa %31s",
                           &want_w, &want_x, isa);
    fclose(f);
    assert_int_equal(got, 3);
    if (hw != want_w || hx != want_x)
        fail_msg("inputs differ from x86's: weights %016" PRIx64 " (x86 %016" PRIx64
                 "), survey %016" PRIx64 " (x86 %016" PRIx64 ")",
                 hw, want_w, hx, want_x);

    si_array ref;
    if (si_npy_read(npy, &ref) != SI_OK) fail_msg("%s", si_last_error());
    assert_true(ref.ndim == 2 && ref.shape[0] == H && ref.shape[1] == W);
    double worst = 0, sum = 0;
    for (int i = 0; i < H * W; i++) {
        const double e = fabs((double)v[i] - ref.data[i]) / (c->v_max - c->v_min);
        worst = fmax(worst, e), sum += e;
    }
    print_message("%s kernels here vs x86-64 (%s kernels): max abs difference %.3e, mean %.3e "
                  "(normalised velocity)\n",
                  c->isa, isa, worst, sum / (H * W));
    assert_true(worst <= 1e-4);
    si_array_free(&ref);
    si_model_free(m);
    free(x);
    unlink(w);
    rmdir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_matches_x86)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
