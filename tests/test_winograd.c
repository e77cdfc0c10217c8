/* Winograd F(2×2, 3×3) family: for every table this CPU runs, the input
 * transform → 16 GEMMs (plain loops here, over the packed panels) → output
 * transform chain against a direct 3×3 conv in double, on odd sizes,
 * batches, dilations 1..7, chunks of tiles with tails, panel widths 8/16/32;
 * every output pixel written exactly once; panels zero past the last tile. */
#include "test_util.h"

#include <math.h>

#include "winograd/winograd.h"

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static float rnd(void) {
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return (float)((rng * 2685821657736338717ull) >> 40) / 16777216.0f * 2.0f - 1.0f;
}

typedef struct shape {
    int cin, cout, h, w, dil, images;
} shape;

static void check(const si_wino_kernels *k, const shape *s, size_t nr, size_t chunk) {
    const int cin = s->cin, cout = s->cout, h = s->h, w = s->w, d = s->dil;
    const size_t plane = (size_t)h * w, img_in = (size_t)cin * plane + 5; /* padded stride */
    const size_t img_out = (size_t)cout * plane + 3;
    float *in = malloc(sizeof(float) * img_in * s->images);
    float *wt = malloc(sizeof(float) * cout * cin * 9), *shift = malloc(sizeof(float) * cout);
    float *u = malloc(sizeof(float) * 16 * cout * cin);
    float *out = malloc(sizeof(float) * img_out * s->images);
    for (size_t i = 0; i < img_in * s->images; i++)
        in[i] = rnd();
    for (int i = 0; i < cout * cin * 9; i++)
        wt[i] = rnd();
    for (int i = 0; i < cout; i++)
        shift[i] = 0.3f * rnd();
    for (size_t i = 0; i < img_out * s->images; i++)
        out[i] = NAN;
    si_wino_weights(u, wt, cout, cin);
    int ty0[256], tx0[256];
    const int nty = si_wino_tile_origins(h, d, ty0), ntx = si_wino_tile_origins(w, d, tx0);
    si_wino_geom g = {cin, h, w, d, nty, ntx, ty0, tx0};
    const size_t tiles = (size_t)s->images * nty * ntx;
    const size_t vstride = (chunk + nr - 1) / nr * nr * cin + 7;
    float *v = malloc(sizeof(float) * 16 * vstride),
          *mm = malloc(sizeof(float) * 16 * cout * chunk);
    for (size_t t0 = 0; t0 < tiles; t0 += chunk) {
        const size_t n = tiles - t0 < chunk ? tiles - t0 : chunk;
        for (size_t i = 0; i < 16 * vstride; i++)
            v[i] = NAN;
        k->input(v, vstride, in, img_in, &g, nr, t0, n);
        for (int x = 0; x < 16; x++)
            for (int co = 0; co < cout; co++)
                for (size_t q = 0; q < (n + nr - 1) / nr * nr; q++) {
                    double acc = 0;
                    for (int ci = 0; ci < cin; ci++) {
                        const float vv = v[x * vstride + q / nr * cin * nr + ci * nr + q % nr];
                        if (q >= n) assert_true(vv == 0.0f); /* tail of the last panel */
                        acc += (double)u[(x * cout + co) * cin + ci] * vv;
                    }
                    if (q < n) mm[(size_t)x * cout * chunk + co * chunk + q] = (float)acc;
                }
        k->output(out, img_out, plane, mm, cout * chunk, chunk, &g, 0, cout, shift, 1, t0, n);
    }
    double worst = 0;
    for (int im = 0; im < s->images; im++)
        for (int co = 0; co < cout; co++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    double acc = shift[co];
                    for (int ci = 0; ci < cin; ci++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++) {
                                const int yy = y + d * (ky - 1), xx = x + d * (kx - 1);
                                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                                acc += (double)wt[((co * cin + ci) * 3 + ky) * 3 + kx] *
                                       in[im * img_in + ci * plane + yy * w + xx];
                            }
                    if (acc < 0) acc = 0;
                    const float got = out[im * img_out + co * plane + y * w + x];
                    if (isnan(got))
                        fail_msg("%s: pixel (%d,%d,%d,%d) not written", k->name, im, co, y, x);
                    worst = fmax(worst, fabs(got - acc) / (1 + fabs(acc)));
                }
    if (worst > 1e-5)
        fail_msg("%s cin=%d cout=%d %dx%d d=%d x%d nr=%zu chunk=%zu: error %.2e", k->name, cin,
                 cout, h, w, d, s->images, nr, chunk, worst);
    free(in), free(wt), free(shift), free(u), free(out), free(v), free(mm);
}

static void test_tiles_cover_once(void **state) {
    (void)state;
    for (int n = 1; n <= 40; n++)
        for (int d = 1; d <= 7; d++) {
            int t0[64], hits[64] = {0};
            const int k = si_wino_tile_origins(n, d, t0);
            assert_true(k <= (n + 1) / 2 + d);
            for (int i = 0; i < k; i++)
                for (int a = 0; a < 2; a++)
                    if (t0[i] + d * a < n) hits[t0[i] + d * a]++;
            for (int y = 0; y < n; y++)
                assert_int_equal(hits[y], 1);
        }
}

static void test_transforms(void **state) {
    (void)state;
    static const shape shapes[] = {
        {3, 5, 7, 9, 1, 2},   {8, 4, 8, 8, 1, 1},    {5, 6, 13, 11, 3, 2}, {4, 4, 16, 16, 5, 1},
        {7, 3, 10, 10, 7, 1}, {16, 8, 32, 17, 1, 3}, {2, 2, 1, 1, 1, 4},   {6, 7, 5, 34, 2, 2},
        /* wide enough for runs of whole tiles inside at the decoder's dilations */
        {3, 2, 21, 53, 3, 1}, {2, 3, 17, 75, 5, 1},  {3, 2, 19, 90, 7, 1},  {4, 3, 9, 41, 1, 2},
        /* runs of 16 tiles along a row at dilation 1, ending inside and past the edge */
        {5, 4, 7, 70, 1, 2},  {3, 4, 6, 67, 1, 2},   {2, 3, 4, 64, 1, 3},
        /* and at dilations 3, 5, 7 (16 tiles of one residue need 32·d columns) */
        {3, 2, 8, 101, 3, 1}, {2, 3, 11, 166, 5, 1}, {2, 2, 15, 230, 7, 1},
    };
    static const size_t nrs[] = {8, 16, 32}, chunks[] = {1, 7, 8, 33, 64, 1000};
    const si_wino_kernels *seen[SI_ISA_COUNT];
    int nseen = 0;
    for (int isa = 0; isa < SI_ISA_COUNT; isa++) {
        if (!si_isa_supported((si_isa)isa)) continue;
        const si_wino_kernels *k = si_wino_kernels_for((si_isa)isa);
        int dup = 0;
        for (int i = 0; i < nseen; i++)
            dup |= seen[i] == k;
        if (dup) continue;
        seen[nseen++] = k;
        for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
            for (size_t a = 0; a < 3; a++)
                for (size_t c = 0; c < 6; c++)
                    check(k, &shapes[s], nrs[a], chunks[c]);
        print_message("%s: %zu shapes x 3 panel widths x 6 chunk sizes agree with a direct conv\n",
                      k->name, sizeof shapes / sizeof *shapes);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiles_cover_once),
        cmocka_unit_test(test_transforms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
