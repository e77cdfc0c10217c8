/* Conv kernel family (kernels/conv): the scalar references against naive
 * direct convolutions written in conv_test_util.h, every other table this
 * machine runs against the scalar one, on odd sizes and tails; im2col + GEMM
 * and the ConvTranspose phase decomposition against direct loops. */
#include "conv_test_util.h"

/* Distinct conv tables this CPU runs (fallbacks repeat a table), and for
 * the composite tests the distinct (conv, GEMM) pairs an ISA runs together
 * (AVX-512: AVX2 im2col feeding the AVX-512 GEMM's wider panels). */
static const si_conv_kernels *tables[SI_ISA_COUNT];
static int ntables;
static const si_conv_kernels *pair_conv[SI_ISA_COUNT];
static const si_gemm_kernels *pair_gemm[SI_ISA_COUNT];
static int npairs;
static const si_conv_kernels *scalar;

static int setup(void **state) {
    (void)state;
    scalar = si_conv_kernels_for(SI_ISA_SCALAR);
    for (int i = 0; i < SI_ISA_COUNT; i++) {
        if (!si_isa_supported((si_isa)i)) continue;
        const si_conv_kernels *k = si_conv_kernels_for((si_isa)i);
        const si_gemm_kernels *g = si_gemm_kernels_for((si_isa)i);
        int seen = 0;
        for (int t = 0; t < ntables; t++)
            seen |= tables[t] == k;
        if (!seen) tables[ntables++] = k;
        seen = 0;
        for (int t = 0; t < npairs; t++)
            seen |= pair_conv[t] == k && pair_gemm[t] == g;
        if (!seen) pair_conv[npairs] = k, pair_gemm[npairs++] = g;
    }
    return 0;
}

/* ---- geometry ----------------------------------------------------------- */

static void test_geometry(void **state) {
    (void)state;
    si_conv_geom g;
    /* The SeisInvNet layers (SPEC §1, paper sizes). */
    assert_int_equal(si_conv_g1_out_len(1000), 250);
    assert_int_equal(si_conv_g1_out_len(769), 193);
    assert_int_equal(si_conv_g1_out_len(1), 1);
    assert_int_equal(si_conv_geom_init(&g, 64, 32, 250, 1, 3, 1, 2, 0, 1, 1, 1), 0);
    assert_int_equal(g.hout, 32), assert_int_equal(g.wout, 125);
    assert_int_equal(si_conv_geom_init(&g, 128, 32, 32, 3, 3, 2, 2, 1, 1, 1, 1), 0);
    assert_int_equal(g.hout, 16), assert_int_equal(g.wout, 16);
    assert_int_equal(si_conv_geom_init(&g, 512, 4, 4, 4, 4, 1, 1, 0, 0, 1, 1), 0);
    assert_int_equal(g.hout, 1), assert_int_equal(g.wout, 1);
    assert_int_equal(si_conv_geom_init(&g, 32, 128, 128, 3, 3, 1, 1, 7, 7, 7, 7), 0);
    assert_int_equal(g.hout, 128), assert_int_equal(g.wout, 128);
    assert_int_equal(si_conv_im2col_k(&g), 32 * 9);
    assert_int_equal(si_conv_im2col_floats(&g, 16, 17), 32 * 32 * 9);
    /* Bad or empty geometries are refused and leave g alone. */
    si_conv_geom keep = g;
    assert_int_equal(si_conv_geom_init(&g, 1, 3, 3, 5, 5, 1, 1, 0, 0, 1, 1), -1);
    assert_int_equal(si_conv_geom_init(&g, 0, 3, 3, 1, 1, 1, 1, 0, 0, 1, 1), -1);
    assert_int_equal(si_conv_geom_init(&g, 1, 3, 3, 1, 1, 0, 1, 0, 0, 1, 1), -1);
    assert_int_equal(si_conv_geom_init(&g, 1, 3, 3, 3, 3, 1, 1, 0, 0, 2, 2), -1);
    assert_memory_equal(&g, &keep, sizeof g);
    /* ConvT phases: 2×2, stride 1, top/left padding 1 - parity, h×w out. */
    si_convt_phase_geom(&g, 7, 5, 6, 1, 0);
    assert_int_equal(g.kh, 2), assert_int_equal(g.pad_h, 0), assert_int_equal(g.pad_w, 1);
    assert_int_equal(g.hout, 5), assert_int_equal(g.wout, 6);
}

/* ---- Global layer 1 ------------------------------------------------------ */

typedef struct g1_case {
    float *in, *w, *scale, *shift, *want;
    double *mag;
    int cout, rows, t, tout;
} g1_case;

/* Random case; want = naive conv (1→cout, [1,7], s [1,4], p [0,3]) + BN + ReLU. */
static g1_case g1_make(int cout, int rows, int t) {
    g1_case c = {.cout = cout, .rows = rows, .t = t, .tout = si_conv_g1_out_len(t)};
    c.in = ct_buf((size_t)rows * t), c.w = ct_buf((size_t)cout * 7);
    c.scale = ct_buf((size_t)cout), c.shift = ct_buf((size_t)cout);
    size_t n = (size_t)cout * rows * c.tout;
    c.want = malloc(n * sizeof *c.want), c.mag = malloc(n * sizeof *c.mag);
    si_conv_geom g;
    assert_int_equal(si_conv_geom_init(&g, 1, rows, t, 1, 7, 1, 4, 0, 3, 1, 1), 0);
    assert_int_equal(g.wout, c.tout);
    ct_naive_conv(c.want, c.mag, c.in, c.w, NULL, &g, cout);
    for (size_t i = 0; i < n; i++) {
        int co = (int)(i / ((size_t)rows * c.tout));
        double v = (double)c.want[i] * c.scale[co] + c.shift[co];
        c.want[i] = v > 0 ? (float)v : 0.0f;
        c.mag[i] = c.mag[i] * fabs(c.scale[co]) + fabs(c.shift[co]);
    }
    return c;
}

static void g1_free(g1_case *c) {
    free(c->in), free(c->w), free(c->scale), free(c->shift), free(c->want), free(c->mag);
}

static float *g1_run(const si_conv_kernels *k, const g1_case *c) {
    size_t n = (size_t)c->cout * c->rows * c->tout;
    float *out = ct_guarded(n, 64);
    k->g1(out, c->in, c->w, c->scale, c->shift, c->cout, c->rows, c->t);
    ct_check_guard(out, n, 64, k->name);
    return out;
}

static void test_g1(void **state) {
    (void)state;
    /* Every short length (all tap clippings), and lengths around the vector
     * width, the AVX2 chunk of 256 outputs, and the paper's T. */
    static const int ts[] = {1,   2,   3,    4,    5,    6,    7,    8,    9,    11,
                             13,  29,  31,   32,   33,   35,   37,   61,   64,   65,
                             100, 999, 1000, 1001, 1021, 1024, 1025, 1028, 1029, 2049};
    double worst[SI_ISA_COUNT] = {0};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) {
        int cout = i % 3 == 0 ? 64 : 1 + ct_below(9), rows = 1 + ct_below(7);
        g1_case c = g1_make(cout, rows, ts[i]);
        size_t n = (size_t)cout * rows * c.tout;
        float *ref = g1_run(scalar, &c);
        for (int t = 0; t < ntables; t++) {
            float *out = g1_run(tables[t], &c);
            char what[96];
            snprintf(what, sizeof what, "g1 %s cout=%d rows=%d t=%d", tables[t]->name, cout, rows,
                     ts[i]);
            double r = ct_compare(out, c.want, c.mag, n, 7, what);
            if (r > worst[t]) worst[t] = r;
            ct_compare(out, ref, c.mag, n, 4 * 7, what); /* and next to the scalar reference */
            free(out);
        }
        free(ref);
        g1_free(&c);
    }
    for (int t = 0; t < ntables; t++)
        print_message("g1 %s: worst error %.3f of the tolerance\n", tables[t]->name, worst[t]);
}

/* The paper shape: every table against the scalar reference. */
static void test_g1_paper_shape(void **state) {
    (void)state;
    g1_case c = g1_make(64, 32, 1000);
    size_t n = (size_t)64 * 32 * 250;
    for (int t = 0; t < ntables; t++) {
        float *out = g1_run(tables[t], &c);
        ct_compare(out, c.want, c.mag, n, 7, tables[t]->name);
        free(out);
    }
    g1_free(&c);
}

/* ---- Neighbour 5×5 ------------------------------------------------------- */

static void nb5_check(int cin, int cout, int rows, int t, int with_bias, double *worst) {
    si_conv_geom g;
    assert_int_equal(si_conv_geom_init(&g, cin, rows, t, 5, 5, 1, 1, 2, 2, 1, 1), 0);
    size_t n = (size_t)cout * rows * t;
    float *in = ct_buf((size_t)cin * rows * t), *w = ct_buf((size_t)cout * cin * 25);
    float *bias = with_bias ? ct_buf((size_t)cout) : NULL;
    float *want = malloc(n * sizeof *want);
    double *mag = malloc(n * sizeof *mag);
    ct_naive_conv(want, mag, in, w, bias, &g, cout);
    float *ref = malloc(n * sizeof *ref);
    scalar->nb5(ref, in, w, bias, cin, cout, rows, t);
    for (int k = 0; k < ntables; k++) {
        float *out = ct_guarded(n, 64);
        tables[k]->nb5(out, in, w, bias, cin, cout, rows, t);
        char what[128];
        snprintf(what, sizeof what, "nb5 %s cin=%d cout=%d rows=%d t=%d bias=%d", tables[k]->name,
                 cin, cout, rows, t, with_bias);
        ct_check_guard(out, n, 64, what);
        double r = ct_compare(out, want, mag, n, 25.0 * cin, what);
        if (r > worst[k]) worst[k] = r;
        ct_compare(out, ref, mag, n, 4 * 25.0 * cin, what); /* and next to the scalar one */
        free(out);
    }
    free(in), free(w), free(bias), free(want), free(mag), free(ref);
}

static void test_nb5(void **state) {
    (void)state;
    double worst[SI_ISA_COUNT] = {0};
    /* The network's channel pairs, then odd ones (every register block). */
    static const int pairs[][2] = {{1, 4}, {4, 4}, {4, 1}, {3, 5}, {2, 3}, {1, 2}, {5, 7}};
    static const int ts[] = {1,  2,  3,  4,  5,  7,  8,  9,  10, 11, 17, 18,
                             19, 25, 26, 27, 33, 34, 37, 41, 42, 43, 50};
    for (size_t p = 0; p < sizeof pairs / sizeof *pairs; p++)
        for (size_t i = 0; i < sizeof ts / sizeof *ts; i++)
            nb5_check(pairs[p][0], pairs[p][1], 1 + ct_below(7), ts[i], ct_below(4) != 0, worst);
    /* Paper rows, long rows with tails. */
    nb5_check(1, 4, 32, 1000, 1, worst);
    nb5_check(4, 4, 7, 1001, 1, worst);
    nb5_check(4, 1, 32, 1001, 1, worst);
    nb5_check(4, 1, 3, 1003, 0, worst);
    for (int t = 0; t < ntables; t++)
        print_message("nb5 %s: worst error %.3f of the tolerance\n", tables[t]->name, worst[t]);
}

/* ---- im2col panels ------------------------------------------------------- */

/* A random geometry: strides, dilations, paddings, tiny and odd images. */
static si_conv_geom random_geom(void) {
    si_conv_geom g;
    for (;;) {
        int cin = 1 + ct_below(5), h = 1 + ct_below(13), w = 1 + ct_below(40);
        int kh = 1 + ct_below(4), kw = 1 + ct_below(4);
        int sh = 1 + ct_below(3), sw = 1 + ct_below(3), dh = 1 + ct_below(3), dw = 1 + ct_below(3);
        int ph = ct_below(4), pw = ct_below(4);
        if (si_conv_geom_init(&g, cin, h, w, kh, kw, sh, sw, ph, pw, dh, dw) == 0) return g;
    }
}

/* Every table's panels against the scalar reference, bit for bit (they are
 * copies), with every panel width and column range, and nothing written past
 * si_conv_im2col_floats. */
static void test_im2col_tables_agree(void **state) {
    (void)state;
    static const size_t nrs[] = {1, 3, 4, 8, 16, 24, 32};
    for (int iter = 0; iter < 600; iter++) {
        si_conv_geom g = random_geom();
        int nimg = 1 + ct_below(3);
        size_t img_stride = (size_t)g.cin * g.h * g.w + (size_t)ct_below(5);
        float *in = ct_buf(img_stride * nimg);
        size_t ncols = (size_t)nimg * g.hout * g.wout, nr = nrs[ct_below(7)];
        size_t j0 = (size_t)ct_below((int)ncols), n = 1 + (size_t)ct_below((int)(ncols - j0));
        size_t len = si_conv_im2col_floats(&g, nr, n);
        float *want = ct_guarded(len, 32);
        scalar->im2col(want, in, &g, img_stride, nr, j0, n);
        ct_check_guard(want, len, 32, "im2col scalar");
        for (int t = 0; t < ntables; t++) {
            float *got = ct_guarded(len, 32);
            tables[t]->im2col(got, in, &g, img_stride, nr, j0, n);
            ct_check_guard(got, len, 32, tables[t]->name);
            if (memcmp(got, want, len * sizeof *got))
                fail_msg("im2col %s differs from scalar: cin=%d %dx%d k=%dx%d s=%d,%d p=%d,%d "
                         "d=%d,%d nr=%zu j0=%zu n=%zu",
                         tables[t]->name, g.cin, g.h, g.w, g.kh, g.kw, g.stride_h, g.stride_w,
                         g.pad_h, g.pad_w, g.dil_h, g.dil_w, nr, j0, n);
            free(got);
        }
        free(in), free(want);
    }
}

/* im2col + GEMM = the direct convolution, for random geometries and the
 * network's own conv shapes, batched images, columns in chunks. */
static void conv_by_gemm_check(const si_conv_geom *g, int cout, int nimg, double *worst) {
    const size_t img = (size_t)g->cin * g->h * g->w, pix = (size_t)g->hout * g->wout;
    float *in = ct_buf(img * nimg), *w = ct_buf((size_t)cout * si_conv_im2col_k(g));
    float *bias = ct_buf((size_t)cout), *scale = ct_buf((size_t)cout),
          *shift = ct_buf((size_t)cout);
    float *want = malloc((size_t)cout * pix * nimg * sizeof *want);
    double *mag = malloc((size_t)cout * pix * nimg * sizeof *mag);
    float *one = malloc((size_t)cout * pix * sizeof *one);
    double *one_mag = malloc((size_t)cout * pix * sizeof *one_mag);
    for (int b = 0; b < nimg; b++) { /* [cout, nimg·pix] from per-image [cout, pix] */
        ct_naive_conv(one, one_mag, in + b * img, w, bias, g, cout);
        for (int co = 0; co < cout; co++)
            for (size_t p = 0; p < pix; p++) {
                size_t at = ((size_t)co * nimg + b) * pix + p;
                want[at] = (float)((double)one[co * pix + p] * scale[co] + shift[co]);
                mag[at] = one_mag[co * pix + p] * fabs(scale[co]) + fabs(shift[co]);
            }
    }
    for (int t = 0; t < npairs; t++) {
        float *out = malloc((size_t)cout * pix * nimg * sizeof *out);
        size_t chunk = 1 + (size_t)ct_below((int)(pix * nimg) + 40);
        ct_conv_by_gemm(pair_conv[t], pair_gemm[t], out, in, img, nimg, w, bias, scale, shift, g,
                        cout, chunk);
        char what[160];
        snprintf(what, sizeof what,
                 "im2col+gemm %s+%s cin=%d %dx%d k=%dx%d s=%d,%d p=%d,%d d=%d,%d",
                 pair_conv[t]->name, pair_gemm[t]->name, g->cin, g->h, g->w, g->kh, g->kw,
                 g->stride_h, g->stride_w, g->pad_h, g->pad_w, g->dil_h, g->dil_w);
        double r = ct_compare(out, want, mag, (size_t)cout * pix * nimg,
                              (double)si_conv_im2col_k(g) + 1, what);
        if (r > worst[t]) worst[t] = r;
        free(out);
    }
    free(in), free(w), free(bias), free(scale), free(shift), free(want), free(mag), free(one),
        free(one_mag);
}

static void test_im2col_gemm_is_conv(void **state) {
    (void)state;
    double worst[SI_ISA_COUNT] = {0};
    for (int iter = 0; iter < 150; iter++) {
        si_conv_geom g = random_geom();
        conv_by_gemm_check(&g, 1 + ct_below(9), 1 + ct_below(3), worst);
    }
    /* SeisInvNet's own kinds (smaller channel counts, same geometry). */
    si_conv_geom g;
    assert_int_equal(si_conv_geom_init(&g, 8, 7, 37, 1, 3, 1, 2, 0, 1, 1, 1), 0); /* [1,3] s[1,2] */
    conv_by_gemm_check(&g, 8, 2, worst);
    assert_int_equal(si_conv_geom_init(&g, 6, 9, 9, 3, 3, 2, 2, 1, 1, 1, 1), 0); /* 3×3 s2 */
    conv_by_gemm_check(&g, 7, 3, worst);
    assert_int_equal(si_conv_geom_init(&g, 5, 4, 4, 4, 4, 1, 1, 0, 0, 1, 1), 0); /* 4×4 → 1×1 */
    conv_by_gemm_check(&g, 9, 20, worst);
    for (int d = 1; d <= 7; d += 2) { /* the four dilated branches */
        assert_int_equal(si_conv_geom_init(&g, 4, 19, 21, 3, 3, 1, 1, d, d, d, d), 0);
        conv_by_gemm_check(&g, 5, 1, worst);
    }
    for (int t = 0; t < npairs; t++)
        print_message("im2col+gemm %s+%s: worst error %.3f of the tolerance\n", pair_conv[t]->name,
                      pair_gemm[t]->name, worst[t]);
}

/* ---- ConvTranspose2d(k4, s2, p1) as four phases ------------------------ */

static void test_convt_phases(void **state) {
    (void)state;
    double worst[SI_ISA_COUNT] = {0};
    for (int iter = 0; iter < 60; iter++) {
        int cin = 1 + ct_below(6), cout = 1 + ct_below(7);
        int h = 1 + ct_below(9), w = 1 + ct_below(19);
        if (iter == 0) cin = 20, cout = 16, h = 16, w = 16; /* the decoder's first layer, scaled */
        size_t n = (size_t)cout * 4 * h * w;
        float *in = ct_buf((size_t)cin * h * w), *wt = ct_buf((size_t)cin * cout * 16);
        float *bias = ct_below(2) ? ct_buf((size_t)cout) : NULL;
        float *want = malloc(n * sizeof *want);
        double *mag = malloc(n * sizeof *mag);
        ct_naive_convt(want, mag, in, wt, bias, cin, cout, h, w);
        for (int t = 0; t < npairs; t++) {
            float *out = ct_guarded(n, 64);
            ct_convt_by_phases(pair_conv[t], pair_gemm[t], out, in, wt, bias, cin, cout, h, w);
            char what[96];
            snprintf(what, sizeof what, "convT %s+%s cin=%d cout=%d %dx%d", pair_conv[t]->name,
                     pair_gemm[t]->name, cin, cout, h, w);
            ct_check_guard(out, n, 64, what);
            double r = ct_compare(out, want, mag, n, 4.0 * cin + 1, what);
            if (r > worst[t]) worst[t] = r;
            free(out);
        }
        free(in), free(wt), free(bias), free(want), free(mag);
    }
    for (int t = 0; t < npairs; t++)
        print_message("convT %s+%s: worst error %.3f of the tolerance\n", pair_conv[t]->name,
                      pair_gemm[t]->name, worst[t]);
}

/* The phase weights are a pure re-layout: every ConvTranspose weight lands
 * exactly once. */
static void test_convt_weights_permutation(void **state) {
    (void)state;
    const int cin = 3, cout = 5;
    const size_t n = (size_t)cin * cout * 16;
    float *w = malloc(n * sizeof *w), *wq = malloc(n * sizeof *wq);
    for (size_t i = 0; i < n; i++)
        w[i] = (float)i;
    si_convt_phase_weights(wq, w, cin, cout);
    int *seen = calloc(n, sizeof *seen);
    for (size_t i = 0; i < n; i++)
        seen[(size_t)wq[i]]++;
    for (size_t i = 0; i < n; i++)
        assert_int_equal(seen[i], 1);
    /* Phase (1, 0), co = 2, ci = 1, dy = 1, dx = 0 is W[1][2][3-1-2][3-0-0]. */
    size_t k = (size_t)cin * 4;
    assert_true(wq[(size_t)2 * cout * k + 2 * k + 1 * 4 + 2] ==
                w[((1 * cout + 2) * 4 + 0) * 4 + 3]);
    free(w), free(wq), free(seen);
}

static void test_interleave_tables_agree(void **state) {
    (void)state;
    for (int iter = 0; iter < 80; iter++) {
        int c = 1 + ct_below(5), h = 1 + ct_below(9), w = 1 + ct_below(40);
        size_t n = (size_t)4 * c * h * w;
        float *ph = ct_buf(n), *want = ct_guarded(n, 32);
        scalar->interleave(want, ph, c, h, w);
        ct_check_guard(want, n, 32, "interleave scalar");
        /* The scalar reference straight from the definition. */
        for (int q = 0; q < 4; q++)
            for (int ch = 0; ch < c; ch++)
                for (int m = 0; m < h; m++)
                    for (int x = 0; x < w; x++)
                        assert_true(
                            want[((size_t)ch * 2 * h + 2 * m + q / 2) * 2 * w + 2 * x + q % 2] ==
                            ph[(((size_t)q * c + ch) * h + m) * w + x]);
        for (int t = 0; t < ntables; t++) {
            float *got = ct_guarded(n, 32);
            tables[t]->interleave(got, ph, c, h, w);
            ct_check_guard(got, n, 32, tables[t]->name);
            assert_memory_equal(got, want, n * sizeof *got);
            free(got);
        }
        free(ph), free(want);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_geometry),
        cmocka_unit_test(test_g1),
        cmocka_unit_test(test_g1_paper_shape),
        cmocka_unit_test(test_nb5),
        cmocka_unit_test(test_im2col_tables_agree),
        cmocka_unit_test(test_im2col_gemm_is_conv),
        cmocka_unit_test(test_convt_phases),
        cmocka_unit_test(test_convt_weights_permutation),
        cmocka_unit_test(test_interleave_tables_agree),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
