/* Training kernels: col2im (kernels/col2im) and the training-norm passes
 * (kernels/bntrain). Every table this CPU runs against the scalar reference
 * (bit for bit where the sums are formed in the same order, to double
 * rounding for reductions); the scalar col2im against im2col by the adjoint
 * identity <im2col(x), c> = <x, col2im(c)>, on odd sizes, strides,
 * dilations, padding, chunks inside and across images. */
#include "test_util.h"

#include <math.h>

#include "bntrain/bntrain.h"
#include "col2im/col2im.h"
#include "conv/conv.h"

static uint64_t rng = 12345;
static float frand(void) { /* [-1, 1) */
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (float)((double)(rng >> 11) / 4503599627370496.0 - 1.0);
}

typedef struct geo {
    int cin, h, w, k, s, p, d;
} geo;

static const geo geos[] = {
    {3, 7, 11, 3, 1, 1, 1},  {2, 9, 13, 3, 2, 1, 1}, {4, 16, 16, 4, 2, 1, 1}, /* convT adjoint */
    {3, 12, 17, 3, 1, 3, 3}, {1, 5, 40, 5, 1, 2, 1}, {2, 6, 29, 3, 1, 7, 7},
    {5, 4, 4, 4, 1, 0, 1},   {1, 3, 31, 1, 1, 0, 1},
};

static void test_col2im(void **state) {
    (void)state;
    const si_col2im_kernels *ref = si_col2im_kernels_for(SI_ISA_SCALAR);
    const si_conv_kernels *cv = si_conv_kernels_for(SI_ISA_SCALAR);
    for (size_t gi = 0; gi < sizeof geos / sizeof *geos; gi++) {
        const geo *q = &geos[gi];
        si_conv_geom g;
        assert_int_equal(si_conv_geom_init(&g, q->cin, q->h, q->w, q->k, q->k, q->s, q->s, q->p,
                                           q->p, q->d, q->d),
                         0);
        const int images = 3;
        const size_t npix = (size_t)g.hout * g.wout, K = si_conv_im2col_k(&g);
        const size_t stride = (size_t)q->cin * q->h * q->w + 5; /* padded image stride */
        const size_t total = images * npix;
        /* chunks: all, one inside an image, one across images, one column */
        const size_t chunks[4][2] = {{0, total},
                                     {1, npix > 2 ? npix - 2 : 1},
                                     {npix - 1, npix + 2 < total - npix + 1 ? npix + 2 : 2},
                                     {total - 1, 1}};
        float *x = malloc(images * stride * sizeof(float));
        float *col = malloc(K * total * sizeof(float)), *c = malloc(K * total * sizeof(float));
        float *a = malloc(images * stride * sizeof(float)),
              *b = malloc(images * stride * sizeof(float));
        for (size_t i = 0; i < images * stride; i++)
            x[i] = frand();
        for (int ch = 0; ch < 4; ch++) {
            const size_t j0 = chunks[ch][0], n = chunks[ch][1];
            for (size_t i = 0; i < K * n; i++)
                c[i] = frand();
            cv->im2col(col, x, &g, stride, n, j0, n); /* plain K × n */
            for (size_t i = 0; i < images * stride; i++)
                a[i] = 0;
            ref->col2im(a, c, n, &g, stride, j0, n);
            double lhs = 0, rhs = 0, mag = 0; /* col2im sums in float: scale by Σ|terms| */
            for (size_t i = 0; i < K * n; i++)
                lhs += (double)col[i] * c[i], mag += fabs((double)col[i] * c[i]);
            for (size_t i = 0; i < images * stride; i++)
                rhs += (double)x[i] * a[i];
            if (!(fabs(lhs - rhs) <= 1e-6 * (1 + mag)))
                fail_msg("geometry %zu chunk %d: %.9g vs %.9g", gi, ch, lhs, rhs);
            for (int isa = 0; isa < SI_ISA_COUNT; isa++) {
                if (!si_isa_supported((si_isa)isa)) continue;
                const si_col2im_kernels *k = si_col2im_kernels_for((si_isa)isa);
                for (size_t i = 0; i < images * stride; i++)
                    b[i] = 0;
                k->col2im(b, c, n, &g, stride, j0, n);
                assert_memory_equal(a, b, images * stride * sizeof(float));
            }
        }
        free(x), free(col), free(c), free(a), free(b);
    }
}

static void test_bntrain(void **state) {
    (void)state;
    const si_bntrain_kernels *ref = si_bntrain_kernels_for(SI_ISA_SCALAR);
    const size_t sizes[] = {1, 7, 8, 9, 31, 64, 1001};
    for (int isa = 0; isa < SI_ISA_COUNT; isa++) {
        if (!si_isa_supported((si_isa)isa)) continue;
        const si_bntrain_kernels *k = si_bntrain_kernels_for((si_isa)isa);
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++) {
            const size_t n = sizes[si];
            float *x = malloc(n * sizeof(float)), *da = malloc(n * sizeof(float));
            float *a = malloc(n * sizeof(float)), *y0 = malloc(n * sizeof(float));
            float *y1 = malloc(n * sizeof(float));
            for (size_t i = 0; i < n; i++)
                x[i] = 3 * frand() + 0.5f, da[i] = frand(), a[i] = frand();
            double s0 = ref->sum(x, n), s1 = k->sum(x, n);
            assert_true(fabs(s0 - s1) <= 1e-12 * (1 + fabs(s0)));
            const float mean = (float)(s0 / (double)n);
            s0 = ref->sumsq_dev(x, n, mean), s1 = k->sumsq_dev(x, n, mean);
            assert_true(fabs(s0 - s1) <= 1e-12 * (1 + fabs(s0)));
            for (int relu = 0; relu < 2; relu++) {
                ref->apply(y0, x, n, 1.3f, -0.2f, relu), k->apply(y1, x, n, 1.3f, -0.2f, relu);
                assert_memory_equal(y0, y1, n * sizeof(float));
                const float *mask = relu ? a : NULL;
                double r0[2] = {0.5, 0.25}, r1[2] = {0.5, 0.25};
                ref->bwd_reduce(da, mask, x, n, mean, 0.7f, r0);
                k->bwd_reduce(da, mask, x, n, mean, 0.7f, r1);
                for (int j = 0; j < 2; j++)
                    assert_true(fabs(r0[j] - r1[j]) <= 1e-12 * (1 + fabs(r0[j])));
                ref->bwd_apply(y0, da, mask, x, n, mean, 0.9f, 0.01f, 0.3f);
                k->bwd_apply(y1, da, mask, x, n, mean, 0.9f, 0.01f, 0.3f);
                assert_memory_equal(y0, y1, n * sizeof(float));
                /* in place (dx = da) gives the same */
                memcpy(y1, da, n * sizeof(float));
                k->bwd_apply(y1, y1, mask, x, n, mean, 0.9f, 0.01f, 0.3f);
                assert_memory_equal(y0, y1, n * sizeof(float));
            }
            /* the scalar reference itself, against the formulas in double */
            double want = 0;
            for (size_t i = 0; i < n; i++)
                want += (a[i] > 0 ? da[i] : 0.0) * ((double)x[i] - mean) * 0.7f;
            double got[2] = {0, 0};
            ref->bwd_reduce(da, a, x, n, mean, 0.7f, got);
            assert_true(fabs(got[1] - want) <= 1e-5 * (1 + fabs(want)));
            free(x), free(da), free(a), free(y0), free(y1);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_col2im),
        cmocka_unit_test(test_bntrain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
