/* GEMM micro-kernel family: every kernel table this machine can run against
 * the plain reference (si_sgemm_ref), on random shapes with tails of every
 * tile and block dimension, strides, transposes, pre-packed operands, each
 * epilogue, ranges and thread splits. */
#include "test_util.h"

#include <float.h>
#include <math.h>
#include <pthread.h>

#include "gemm/gemm.h"

/* Deterministic generator (xorshift64*), so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void) {
    rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}
static size_t rnd_below(size_t n) {
    return n ? rnd() % n : 0;
}
static float rnd_unit(void) {
    return (float)rnd() / 4294967296.0f * 2.0f - 1.0f;
}
static float *rnd_buf(size_t n) {
    float *p = malloc((n ? n : 1) * sizeof *p);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        p[i] = rnd_unit();
    return p;
}

/* The distinct kernel tables this CPU runs (fallbacks repeat a table). */
static const si_gemm_kernels *tables[SI_ISA_COUNT];
static int ntables;
static int setup_tables(void **state) {
    (void)state;
    for (int i = 0; i < SI_ISA_COUNT; i++) {
        if (!si_isa_supported((si_isa)i)) continue;
        const si_gemm_kernels *k = si_gemm_kernels_for((si_isa)i);
        int seen = 0;
        for (int t = 0; t < ntables; t++)
            seen |= tables[t] == k;
        if (!seen) tables[ntables++] = k;
    }
    return 0;
}

/* One GEMM problem with its own buffers. */
typedef struct problem {
    si_sgemm_args g;
    float *a, *b, *c0, *scale, *shift, *bias, *apk, *bpk;
    size_t c_len;
} problem;

static problem make_problem(const si_gemm_kernels *kern, size_t m, size_t n, size_t k,
                            unsigned trans, unsigned flags, unsigned epi_mask, int pack_a,
                            int pack_b) {
    problem p;
    memset(&p, 0, sizeof p);
    si_sgemm_args *g = &p.g;
    g->m = m, g->n = n, g->k = k, g->trans = trans, g->flags = flags;
    /* Leading dimensions with random slack: strides are part of the contract. */
    g->lda = ((trans & SI_GEMM_TRANS_A) ? m : k) + rnd_below(3);
    g->ldb = ((trans & SI_GEMM_TRANS_B) ? k : n) + rnd_below(3);
    g->ldc = n + rnd_below(4);
    size_t a_rows = (trans & SI_GEMM_TRANS_A) ? k : m, b_rows = (trans & SI_GEMM_TRANS_B) ? n : k;
    p.a = rnd_buf(a_rows * g->lda);
    p.b = rnd_buf(b_rows * g->ldb);
    p.c_len = m * g->ldc;
    p.c0 = rnd_buf(p.c_len);
    g->a = p.a, g->b = p.b;
    size_t nv = (flags & SI_GEMM_PER_COL) ? n : m;
    if (epi_mask & 1) {
        p.scale = rnd_buf(nv);
        for (size_t i = 0; i < nv; i++)
            p.scale[i] = 0.5f + 1.5f * fabsf(p.scale[i]);
        g->scale = p.scale;
    }
    if (epi_mask & 2) g->shift = p.shift = rnd_buf(nv);
    if (epi_mask & 4) g->bias = p.bias = rnd_buf(n);
    if (pack_a) {
        p.apk = malloc((si_gemm_packed_a_floats(kern, m, k) + 1) * sizeof(float));
        si_gemm_pack_a(kern, m, k, p.a, g->lda, trans, p.apk);
        g->a_packed = p.apk;
    }
    if (pack_b) {
        p.bpk = malloc((si_gemm_packed_b_floats(kern, k, n) + 1) * sizeof(float));
        si_gemm_pack_b(kern, k, n, p.b, g->ldb, trans, p.bpk);
        g->b_packed = p.bpk;
    }
    return p;
}

static void free_problem(problem *p) {
    free(p->a), free(p->b), free(p->c0), free(p->scale), free(p->shift), free(p->bias);
    free(p->apk), free(p->bpk);
}

/* Runs `kern` (with a workspace of exactly the advertised size followed by a
 * guard zone) and returns a fresh C. */
static float *run_kernel(const si_gemm_kernels *kern, const si_sgemm_args *g, const float *c0,
                         size_t c_len) {
    float *c = malloc((c_len ? c_len : 1) * sizeof *c);
    assert_non_null(c);
    memcpy(c, c0, c_len * sizeof *c);
    si_sgemm_args run = *g;
    run.c = c;
    size_t ws = si_sgemm_workspace_bytes(kern, &run);
    unsigned char *work = malloc(ws + 256);
    assert_non_null(work);
    memset(work + ws, 0xA5, 256);
    const char *err = si_sgemm(kern, &run, work);
    if (err) fail_msg("%s: unexpected error: %s", kern->name, err);
    for (int i = 0; i < 256; i++)
        if (work[ws + i] != 0xA5) fail_msg("%s: wrote past its workspace", kern->name);
    free(work);
    return c;
}

/* Compares `c` with the reference on the same problem; tolerance grows with
 * sqrt(K) times the magnitude of the terms (float sums vs a double oracle). */
static double worst_ratio; /* largest error/tolerance seen, reported */
static void check_against_ref(const si_gemm_kernels *kern, const problem *p, const float *c,
                              const char *what) {
    const si_sgemm_args *g = &p->g;
    float *want = malloc((p->c_len ? p->c_len : 1) * sizeof *want);
    memcpy(want, p->c0, p->c_len * sizeof *want);
    si_sgemm_args ref = *g;
    ref.c = want;
    si_sgemm_ref(&ref);
    const int ta = (g->trans & SI_GEMM_TRANS_A) != 0, tb = (g->trans & SI_GEMM_TRANS_B) != 0;
    for (size_t i = 0; i < g->m; i++) {
        for (size_t j = 0; j < g->ldc; j++) {
            size_t at = i * g->ldc + j;
            int inside = j < g->n && (!g->range || (i >= g->range->m_begin && i < g->range->m_end &&
                                                    j >= g->range->n_begin && j < g->range->n_end));
            if (!inside) { /* outside the target: untouched, bit for bit */
                if (memcmp(&c[at], &p->c0[at], sizeof(float)))
                    fail_msg("%s %s: wrote outside C's target at (%zu,%zu)", kern->name, what, i,
                             j);
                continue;
            }
            double s = 0;
            for (size_t q = 0; q < g->k; q++)
                s += fabs((double)(ta ? g->a[q * g->lda + i] : g->a[i * g->lda + q]) *
                          (tb ? g->b[j * g->ldb + q] : g->b[q * g->ldb + j]));
            size_t o = (g->flags & SI_GEMM_PER_COL) ? j : i;
            double mag = s + ((g->flags & SI_GEMM_ACCUMULATE) ? fabs(p->c0[at]) : 0) +
                         (g->bias ? fabs(g->bias[j]) : 0);
            mag = mag * (g->scale ? g->scale[o] : 1) + (g->shift ? fabs(g->shift[o]) : 0);
            double tol = 4 * FLT_EPSILON * (sqrt((double)g->k) + 1) * mag + 1e-30;
            double err = fabs((double)c[at] - want[at]);
            if (!(err <= tol))
                fail_msg("%s %s: M=%zu N=%zu K=%zu trans=%u flags=%u: C(%zu,%zu) = %.9g, "
                         "reference %.9g (error %.3g > tolerance %.3g)",
                         kern->name, what, g->m, g->n, g->k, g->trans, g->flags, i, j, c[at],
                         want[at], err, tol);
            if (err / tol > worst_ratio) worst_ratio = err / tol;
        }
    }
    free(want);
}

/* Sizes around every multiple that matters: 1, tile edges, block edges. */
static size_t pick_dim(size_t tile) {
    static const size_t fixed[] = {1, 2, 3, 5, 7, 13, 31, 64, 97};
    switch (rnd_below(4)) {
    case 0:
        return fixed[rnd_below(sizeof fixed / sizeof *fixed)];
    case 1:
        return tile * (1 + rnd_below(4)) + rnd_below(3) - 1; /* tile ±1 */
    case 2:
        return 1 + rnd_below(tile - 1 ? tile - 1 : 1); /* a lone tail */
    default:
        return 1 + rnd_below(150);
    }
}

static void test_random_shapes(void **state) {
    (void)state;
    assert_true(ntables >= 1);
    static const size_t ks[] = {1, 2, 3, 4, 7, 8, 9, 16, 17, 63, 255, 256, 257, 300, 513};
    for (int t = 0; t < ntables; t++) {
        const si_gemm_kernels *kern = tables[t];
        worst_ratio = 0;
        for (int iter = 0; iter < 250; iter++) {
            size_t m = pick_dim(kern->mr), n = pick_dim(kern->nr);
            size_t k = rnd_below(2) ? ks[rnd_below(sizeof ks / sizeof *ks)] : 1 + rnd_below(400);
            unsigned trans = (unsigned)rnd_below(4);
            unsigned flags = (unsigned)rnd_below(8);
            problem p = make_problem(kern, m, n, k, trans, flags, (unsigned)rnd_below(8),
                                     rnd_below(3) == 0, rnd_below(3) == 0);
            /* Small blocking half the time, so every block loop has tails too. */
            if (rnd_below(2)) {
                p.g.mc = kern->mr * (1 + rnd_below(3));
                p.g.nc = kern->nr * (1 + rnd_below(3));
                p.g.kc = 1 + rnd_below(40);
            }
            float *c = run_kernel(kern, &p.g, p.c0, p.c_len);
            check_against_ref(kern, &p, c, "random");
            free(c);
            free_problem(&p);
        }
        print_message("%s: worst error is %.3f of the tolerance\n", kern->name, worst_ratio);
    }
}

/* Every epilogue combination on one awkward shape, with and without K split
 * into several depth slices (which must not apply the epilogue early). */
static void test_each_epilogue(void **state) {
    (void)state;
    for (int t = 0; t < ntables; t++) {
        const si_gemm_kernels *kern = tables[t];
        for (unsigned flags = 0; flags < 8; flags++) {
            for (unsigned epi = 0; epi < 8; epi++) {
                for (int split_k = 0; split_k < 2; split_k++) {
                    problem p = make_problem(kern, 2 * kern->mr + 1, 2 * kern->nr + 3, 37, 0, flags,
                                             epi, 0, 0);
                    if (split_k) p.g.kc = 10;
                    float *c = run_kernel(kern, &p.g, p.c0, p.c_len);
                    check_against_ref(kern, &p, c, "epilogue");
                    free(c);
                    free_problem(&p);
                }
            }
        }
    }
}

/* The oracle itself, on numbers worked by hand. */
static void test_reference_by_hand(void **state) {
    (void)state;
    /* A = [1 2; 3 4; -5 6], B = [1 0 -1; 2 1 0] -> A·B = [5 2 -1; 11 4 -3; 7 6 5] */
    const float a[6] = {1, 2, 3, 4, -5, 6}, b[6] = {1, 0, -1, 2, 1, 0};
    const float scale[3] = {2, 1, -1}, shift[3] = {0, -4, 1}, bias[3] = {1, 0, 0};
    float c[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    si_sgemm_args g = {.m = 3,
                       .n = 3,
                       .k = 2,
                       .a = a,
                       .lda = 2,
                       .b = b,
                       .ldb = 3,
                       .c = c,
                       .ldc = 3,
                       .scale = scale,
                       .shift = shift,
                       .bias = bias,
                       .flags = SI_GEMM_ACCUMULATE | SI_GEMM_RELU};
    si_sgemm_ref(&g);
    /* row i: max(0, (AB + 1 + bias_j) * scale_i + shift_i) */
    const float want[9] = {14, 6, 0, 9, 1, 0, 0, 0, 0};
    for (int i = 0; i < 9; i++)
        assert_float_equal(c[i], want[i], 0);
    /* per column, transposed B (stored N×K), no accumulate */
    const float bt[6] = {1, 2, 0, 1, -1, 0};
    float c2[9];
    si_sgemm_args h = {.m = 3,
                       .n = 3,
                       .k = 2,
                       .a = a,
                       .lda = 2,
                       .b = bt,
                       .ldb = 2,
                       .c = c2,
                       .ldc = 3,
                       .scale = scale,
                       .shift = shift,
                       .trans = SI_GEMM_TRANS_B,
                       .flags = SI_GEMM_PER_COL};
    si_sgemm_ref(&h);
    const float want2[9] = {10, -2, 2, 22, 0, 4, 14, 2, -4};
    for (int i = 0; i < 9; i++)
        assert_float_equal(c2[i], want2[i], 0);
}

typedef struct part_job {
    const si_gemm_kernels *kern;
    si_sgemm_args g;
    si_gemm_range r;
    const char *err;
} part_job;

static void *run_part(void *arg) {
    part_job *j = arg;
    j->err = si_sgemm(j->kern, &j->g, NULL);
    return NULL;
}

/* Pre-packed operands give the same bits as driver-packed ones, and the
 * parts of a thread split together give the same bits as one call. */
static void test_packed_and_split_identical(void **state) {
    (void)state;
    for (int t = 0; t < ntables; t++) {
        const si_gemm_kernels *kern = tables[t];
        for (int trans = 0; trans < 4; trans++) {
            size_t m = 5 * kern->mr + 2, n = 4 * kern->nr + 5, k = 301;
            problem p = make_problem(kern, m, n, k, (unsigned)trans,
                                     SI_GEMM_RELU | SI_GEMM_ACCUMULATE, 7, 0, 0);
            p.g.kc = 128; /* several depth slices */
            float *full = run_kernel(kern, &p.g, p.c0, p.c_len);
            check_against_ref(kern, &p, full, "full");
            problem q = p;
            q.apk = malloc(si_gemm_packed_a_floats(kern, m, k) * sizeof(float));
            q.bpk = malloc(si_gemm_packed_b_floats(kern, k, n) * sizeof(float));
            si_gemm_pack_a(kern, m, k, p.a, p.g.lda, (unsigned)trans, q.apk);
            si_gemm_pack_b(kern, k, n, p.b, p.g.ldb, (unsigned)trans, q.bpk);
            q.g.a_packed = q.apk, q.g.b_packed = q.bpk;
            float *packed = run_kernel(kern, &q.g, p.c0, p.c_len);
            assert_memory_equal(packed, full, p.c_len * sizeof(float));
            for (size_t parts = 2; parts <= 7; parts += 5) {
                for (int by = 0; by < 2; by++) {
                    /* by=1: a tall problem, so the split goes along rows */
                    size_t mm = by ? m : 3, nn = by ? 3 : n;
                    si_sgemm_args g = q.g;
                    g.m = mm, g.n = nn;
                    if (by) /* one packed operand each way; the sub-shape still fits it */
                        g.b_packed = NULL;
                    else
                        g.a_packed = NULL;
                    float *one = run_kernel(kern, &g, p.c0, p.c_len);
                    float *c = malloc(p.c_len * sizeof(float));
                    memcpy(c, p.c0, p.c_len * sizeof(float));
                    g.c = c;
                    /* Each part on its own thread, as the runtime will run them. */
                    part_job jobs[8];
                    pthread_t th[8];
                    for (size_t part = 0; part < parts; part++) {
                        si_gemm_range r = si_gemm_split(kern, mm, nn, parts, part);
                        if (by)
                            assert_true(r.n_begin == 0 && r.n_end == nn &&
                                        r.m_begin % kern->mr == 0);
                        else
                            assert_true(r.m_begin == 0 && r.m_end == mm &&
                                        r.n_begin % kern->nr == 0);
                        jobs[part] = (part_job){kern, g, r, NULL};
                        jobs[part].g.range = &jobs[part].r;
                        assert_int_equal(pthread_create(&th[part], NULL, run_part, &jobs[part]), 0);
                    }
                    for (size_t part = 0; part < parts; part++) {
                        pthread_join(th[part], NULL);
                        assert_null(jobs[part].err);
                    }
                    assert_memory_equal(c, one, p.c_len * sizeof(float));
                    free(c);
                    free(one);
                }
            }
            free(packed);
            free(full);
            free(q.apk), free(q.bpk);
            free_problem(&p);
        }
    }
}

/* The packed layout is the one gemm.h documents, zero padding included
 * (padding never reaches C, so only this test sees it). */
static void test_packed_layout(void **state) {
    (void)state;
    for (int t = 0; t < ntables; t++) {
        const si_gemm_kernels *kern = tables[t];
        const size_t m = 2 * kern->mr + 1, n = kern->nr + 3, k = 11, ld = 40;
        float *src = rnd_buf(40 * ld);
        for (unsigned tr = 0; tr < 2; tr++) {
            size_t na = si_gemm_packed_a_floats(kern, m, k),
                   nb = si_gemm_packed_b_floats(kern, k, n);
            assert_int_equal(na, 3 * kern->mr * k);
            assert_int_equal(nb, 2 * kern->nr * k);
            float *pa = malloc(na * sizeof(float)), *pb = malloc(nb * sizeof(float));
            memset(pa, 0xFF, na * sizeof(float)); /* NaN: stale padding would show */
            memset(pb, 0xFF, nb * sizeof(float));
            si_gemm_pack_a(kern, m, k, src, ld, tr ? SI_GEMM_TRANS_A : 0, pa);
            si_gemm_pack_b(kern, k, n, src, ld, tr ? SI_GEMM_TRANS_B : 0, pb);
            for (size_t i = 0; i < na / k; i++)
                for (size_t p = 0; p < k; p++) {
                    float want = i >= m ? 0.0f : tr ? src[p * ld + i] : src[i * ld + p];
                    float got = pa[i / kern->mr * kern->mr * k + p * kern->mr + i % kern->mr];
                    assert_memory_equal(&got, &want, sizeof got);
                }
            for (size_t j = 0; j < nb / k; j++)
                for (size_t p = 0; p < k; p++) {
                    float want = j >= n ? 0.0f : tr ? src[j * ld + p] : src[p * ld + j];
                    float got = pb[j / kern->nr * kern->nr * k + p * kern->nr + j % kern->nr];
                    assert_memory_equal(&got, &want, sizeof got);
                }
            free(pa), free(pb);
        }
        free(src);
    }
}

/* A range that is a sub-rectangle (not from split) writes only there. */
static void test_range(void **state) {
    (void)state;
    for (int t = 0; t < ntables; t++) {
        const si_gemm_kernels *kern = tables[t];
        problem p = make_problem(kern, 3 * kern->mr + 4, 3 * kern->nr + 1, 45, 0,
                                 SI_GEMM_PER_COL | SI_GEMM_RELU, 3, 0, 1);
        si_gemm_range r = {kern->mr - 1, 2 * kern->mr + 3, kern->nr, 2 * kern->nr + 5};
        p.g.range = &r;
        float *c = run_kernel(kern, &p.g, p.c0, p.c_len);
        check_against_ref(kern, &p, c, "range");
        free(c);
        free_problem(&p);
    }
}

/* K = 0: the product is empty, the epilogue still runs. */
static void test_empty_k(void **state) {
    (void)state;
    for (int t = 0; t < ntables; t++) {
        const si_gemm_kernels *kern = tables[t];
        problem p = make_problem(kern, 7, 19, 0, 0, SI_GEMM_ACCUMULATE, 7, 0, 1);
        float *c = run_kernel(kern, &p.g, p.c0, p.c_len);
        check_against_ref(kern, &p, c, "K=0");
        free(c);
        free_problem(&p);
    }
}

/* Bad arguments: a message, and C untouched. */
static void test_bad_arguments(void **state) {
    (void)state;
    const si_gemm_kernels *kern = si_gemm_kernels_for(si_isa_active());
    problem p = make_problem(kern, 9, 40, 12, 0, 0, 0, 1, 1);
    float *c = malloc(p.c_len * sizeof(float));
    memcpy(c, p.c0, p.c_len * sizeof(float));
    si_sgemm_args g = p.g;
    g.c = c;
    const char *err;
    si_gemm_range r = {1, 9, 0, 40};
    g.range = &r;
    err = si_sgemm(kern, &g, NULL); /* packed A, row range not on a panel edge */
    assert_non_null(err);
    assert_non_null(strstr(err, "MR"));
    r = (si_gemm_range){0, 9, 3, 40};
    err = si_sgemm(kern, &g, NULL);
    assert_non_null(strstr(err, "NR"));
    r = (si_gemm_range){0, 10, 0, 40};
    assert_non_null(strstr(si_sgemm(kern, &g, NULL), "range"));
    g = p.g, g.c = c, g.a_packed = NULL, g.lda = 11;
    assert_non_null(strstr(si_sgemm(kern, &g, NULL), "lda"));
    g = p.g, g.c = c, g.b_packed = NULL, g.trans = SI_GEMM_TRANS_B, g.ldb = 11;
    assert_non_null(strstr(si_sgemm(kern, &g, NULL), "ldb"));
    g = p.g, g.c = c, g.ldc = 39;
    assert_non_null(strstr(si_sgemm(kern, &g, NULL), "ldc"));
    g = p.g, g.c = c, g.flags = 1u << 7;
    assert_non_null(strstr(si_sgemm(kern, &g, NULL), "flag"));
    assert_non_null(si_sgemm(NULL, &p.g, NULL));
    assert_memory_equal(c, p.c0, p.c_len * sizeof(float));
    /* M = 0 or an empty range is a no-op, not an error. */
    g = p.g, g.c = c, g.m = 0;
    assert_null(si_sgemm(kern, &g, NULL));
    r = (si_gemm_range){4, 4, 0, 40};
    g = p.g, g.c = c, g.range = &r;
    assert_null(si_sgemm(kern, &g, NULL));
    assert_memory_equal(c, p.c0, p.c_len * sizeof(float));
    free(c);
    free_problem(&p);
}

/* Dispatch: the tables are sane and each ISA gets one at or below it. */
static void test_dispatch(void **state) {
    (void)state;
    for (int i = 0; i < SI_ISA_COUNT; i++) {
        const si_gemm_kernels *k = si_gemm_kernels_for((si_isa)i);
        assert_non_null(k);
        assert_non_null(k->ukernel);
        assert_true(k->isa == (si_isa)i || k->isa == SI_ISA_SCALAR ||
                    (i == SI_ISA_AVX512 && k->isa == SI_ISA_AVX2));
        assert_true(k->mc % k->mr == 0 && k->nc % k->nr == 0 && k->kc > 0);
        char want[32];
        snprintf(want, sizeof want, "%zux%zu-%s", k->mr, k->nr, si_isa_name(k->isa));
        assert_string_equal(k->name, want);
    }
    assert_int_equal(si_gemm_kernels_for(SI_ISA_SCALAR)->isa, SI_ISA_SCALAR);
#ifdef SEISINV_HAVE_AVX2
    if (si_isa_supported(SI_ISA_AVX2))
        assert_int_equal(si_gemm_kernels_for(SI_ISA_AVX2)->isa, SI_ISA_AVX2);
#endif
    print_message("gemm tables tested here:");
    for (int t = 0; t < ntables; t++)
        print_message(" %s", tables[t]->name);
    print_message("\n");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_reference_by_hand),
        cmocka_unit_test(test_random_shapes),
        cmocka_unit_test(test_each_epilogue),
        cmocka_unit_test(test_packed_and_split_identical),
        cmocka_unit_test(test_packed_layout),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_empty_k),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, setup_tables, NULL);
}
