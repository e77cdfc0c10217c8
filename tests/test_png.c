/* PNG pictures: both kinds read back with libpng and checked pixel by pixel
 * (plot colours, colour-bar ends, grey levels, clipping, decimation); bad
 * arguments give errors and leave no file behind. */
#include "test_util.h"

#include <math.h>
#include <png.h>
#include <signal.h>
#include <sys/resource.h>

#include "seisinv/png.h"

typedef struct image {
    unsigned char *px; /* RGB */
    int w, h;
} image;

static void read_png(const char *path, image *im) {
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path)) fail_msg("%s: %s", path, pi.message);
    /* Written as plain 8-bit RGB, no alpha, no palette. */
    assert_int_equal(pi.format, PNG_FORMAT_RGB);
    im->px = malloc(PNG_IMAGE_SIZE(pi));
    assert_non_null(im->px);
    if (!png_image_finish_read(&pi, NULL, im->px, 0, NULL)) fail_msg("%s: %s", path, pi.message);
    im->w = (int)pi.width, im->h = (int)pi.height;
}

static const unsigned char *at(const image *im, int x, int y) {
    assert_true(x >= 0 && y >= 0 && x < im->w && y < im->h);
    return im->px + ((size_t)y * im->w + x) * 3;
}

static int is_rgb(const unsigned char *p, int r, int g, int b, int tol) {
    return abs(p[0] - r) <= tol && abs(p[1] - g) <= tol && abs(p[2] - b) <= tol;
}

static void expect_rgb(const image *im, int x, int y, int r, int g, int b, int tol) {
    const unsigned char *p = at(im, x, y);
    if (!is_rgb(p, r, g, b, tol))
        fail_msg("pixel (%d,%d) is (%d,%d,%d), want (%d,%d,%d) +- %d", x, y, p[0], p[1], p[2], r, g,
                 b, tol);
}

/* A pixel of a colour map, not grey, white or black text. */
static int colourful(const unsigned char *p) {
    int mx = p[0] > p[1] ? p[0] : p[1], mn = p[0] < p[1] ? p[0] : p[1];
    mx = p[2] > mx ? p[2] : mx, mn = p[2] < mn ? p[2] : mn;
    return mx - mn > 40;
}

static int count_black(const image *im, int x0, int y0, int x1, int y1) {
    int n = 0;
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < im->h; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < im->w; x++)
            n += is_rgb(at(im, x, y), 0, 0, 0, 0);
    return n;
}

/* Viridis ends and middle (matplotlib). */
#define PURPLE 68, 1, 84
#define YELLOW 253, 231, 37
#define MIDDLE 33, 145, 140

static char dir[256], path[512];

static int setup(void **state) {
    (void)state;
    const char *d = si_test_tmpdir();
    assert_non_null(d);
    snprintf(dir, sizeof dir, "%s", d);
    snprintf(path, sizeof path, "%s/pic.png", dir);
    return 0;
}

/* Left half below vmin, right half above vmax (so clamping is checked too):
 * the middle row of the plot is one purple run and one yellow run of equal
 * length; the colour bar runs from yellow at the top to purple at the bottom. */
static void test_velocity_picture(void **state) {
    (void)state;
    enum { NZ = 100, NX = 100 };
    static float v[NZ * NX];
    for (int i = 0; i < NZ; i++)
        for (int j = 0; j < NX; j++)
            v[i * NX + j] = j < NX / 2 ? 1200.0f : 4500.0f;
    assert_int_equal(si_png_write_velocity(path, v, NZ, NX, 10.0f, 1500.0f, 4000.0f), SI_OK);
    assert_int_equal(si_test_count_files(dir, "tmp"), 0);
    image im;
    read_png(path, &im);
    assert_true(im.w >= 500 && im.w <= 1200);
    assert_true(im.h >= 400 && im.h <= 1200);
    expect_rgb(&im, 0, 0, 255, 255, 255, 0); /* white background */
    expect_rgb(&im, im.w - 1, im.h - 1, 255, 255, 255, 0);

    /* Find the plot along the row through the image middle. */
    int y = im.h / 2, x = 0;
    while (x < im.w && !is_rgb(at(&im, x, y), PURPLE, 0))
        x++;
    int purple0 = x;
    while (x < im.w && is_rgb(at(&im, x, y), PURPLE, 0))
        x++;
    int npurple = x - purple0, yellow0 = x;
    while (x < im.w && is_rgb(at(&im, x, y), YELLOW, 0))
        x++;
    int nyellow = x - yellow0;
    assert_true(npurple >= 200); /* zoomed: >= 400 px for 100 columns */
    assert_int_equal(npurple, nyellow);
    expect_rgb(&im, purple0 - 1, y, 0, 0, 0, 0); /* frame */
    expect_rgb(&im, x, y, 0, 0, 0, 0);
    int plot_right = x;

    /* The colour bar: the first colourful column right of the plot. */
    while (x < im.w && !colourful(at(&im, x, y)))
        x++;
    assert_true(x < im.w - 20);
    int bar_x = x + 3, top = y, bottom = y;
    while (!is_rgb(at(&im, bar_x, top - 1), 0, 0, 0, 0))
        top--;
    while (!is_rgb(at(&im, bar_x, bottom + 1), 0, 0, 0, 0))
        bottom++;
    expect_rgb(&im, bar_x, top, YELLOW, 2);
    expect_rgb(&im, bar_x, bottom, PURPLE, 2);
    assert_int_equal(bottom - top + 1, npurple + nyellow); /* as tall as the plot */
    for (int yy = top; yy < bottom; yy++)                  /* viridis green rises with velocity */
        assert_true(at(&im, bar_x, yy)[1] >= at(&im, bar_x, yy + 1)[1]);
    expect_rgb(&im, bar_x, (top + bottom) / 2, MIDDLE, 4);

    /* Text: tick labels right of the bar, x labels above the plot, z labels
     * and the depth title left of it, nothing below. */
    assert_true(count_black(&im, bar_x + 15, top - 10, im.w, bottom + 10) > 100);
    assert_true(count_black(&im, purple0, 0, plot_right, top - 8) > 100);
    assert_true(count_black(&im, 0, top, purple0 - 8, bottom) > 100);
    assert_int_equal(count_black(&im, purple0, bottom + 2, plot_right, im.h), 0);
    free(im.px);
}

/* A homogeneous model with vmin == vmax draws mid-scale, not an error. */
static void test_velocity_constant(void **state) {
    (void)state;
    float v[6 * 8];
    for (int i = 0; i < 48; i++)
        v[i] = 2500.0f;
    assert_int_equal(si_png_write_velocity(path, v, 6, 8, 25.0f, 2500.0f, 2500.0f), SI_OK);
    image im;
    read_png(path, &im);
    int n = 0;
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++)
            n += is_rgb(at(&im, x, y), MIDDLE, 4);
    assert_true(n >= 400 * 300); /* 8 x 6 cells zoomed to at least 400 px wide */
    free(im.px);
}

/* Odd shapes stay readable and bounded: tiny, flat, tall, huge. */
static void test_velocity_sizes(void **state) {
    (void)state;
    static const int shapes[][2] = {{1, 1}, {3, 500}, {1000, 10}, {1200, 5000}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        int nz = shapes[k][0], nx = shapes[k][1];
        float *v = malloc(sizeof(float) * nz * nx);
        assert_non_null(v);
        for (int i = 0; i < nz * nx; i++)
            v[i] = 1500.0f + (float)(i % 7) * 300.0f;
        if (si_png_write_velocity(path, v, nz, nx, 0.5f, 1500.0f, 4000.0f) != SI_OK)
            fail_msg("%d x %d: %s", nz, nx, si_last_error());
        free(v);
        image im;
        read_png(path, &im);
        if (im.w > 2400 || im.h > 2400 || im.w < (nx >= 100 ? 400 : 150) || im.h < 60)
            fail_msg("%d x %d model gave a %d x %d picture", nz, nx, im.w, im.h);
        free(im.px);
    }
}

/* Bounding box of the first run of exactly-grey-128 pixels: panel 0 of a
 * zero gathers picture. */
static void find_panel(const image *im, int *x0, int *y0, int *w, int *h) {
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++)
            if (is_rgb(at(im, x, y), 128, 128, 128, 0)) {
                *x0 = x, *y0 = y;
                int xx = x, yy = y;
                while (xx < im->w && is_rgb(at(im, xx, y), 128, 128, 128, 0))
                    xx++;
                while (yy < im->h && is_rgb(at(im, x, yy), 128, 128, 128, 0))
                    yy++;
                *w = xx - x, *h = yy - y;
                return;
            }
    fail_msg("no mid-grey panel found");
}

static void zero_gathers_panel(int ns, int nt, int nr, int *x0, int *y0, int *w, int *h) {
    float *z = calloc((size_t)ns * nt * nr, sizeof *z);
    assert_non_null(z);
    assert_int_equal(si_png_write_gathers(path, z, ns, nt, nr), SI_OK);
    free(z);
    image im;
    read_png(path, &im);
    find_panel(&im, x0, y0, w, h);
    /* All-zero data is mid-grey everywhere: each panel fully, nothing else. */
    int n = 0;
    for (int y = 0; y < im.h; y++)
        for (int x = 0; x < im.w; x++)
            n += is_rgb(at(&im, x, y), 128, 128, 128, 0);
    assert_int_equal(n, ns * *w * *h);
    assert_true(*w >= nr && *w % nr == 0);
    expect_rgb(&im, *x0 - 1, *y0 + 1, 0, 0, 0, 0);            /* panel frame */
    expect_rgb(&im, *x0 + *w + 3, *y0 + 1, 255, 255, 255, 0); /* gap to the next shot */
    free(im.px);
}

/* Receiver r has amplitude (r - 49.5) / 49.5 at every sample, plus one huge
 * spike: the 99th-percentile clip ignores the spike, so the ramp spans the
 * full grey range, positive dark. Scaling by the maximum would leave it flat. */
static void test_gathers_grey_and_clip(void **state) {
    (void)state;
    enum { NS = 2, NT = 50, NR = 100 };
    int x0, y0, w, h;
    zero_gathers_panel(NS, NT, NR, &x0, &y0, &w, &h);
    assert_true(h >= NT);
    static float d[NS * NT * NR];
    for (int s = 0; s < NS; s++)
        for (int t = 0; t < NT; t++)
            for (int r = 0; r < NR; r++)
                d[(s * NT + t) * NR + r] = ((float)r - 49.5f) / 49.5f;
    d[0] = 1000.0f; /* shot 0, t 0, receiver 0 */
    assert_int_equal(si_png_write_gathers(path, d, NS, NT, NR), SI_OK);
    image im;
    read_png(path, &im);
    int zx = w / NR, y = y0 + h / 2;
    for (int r = 0; r < NR; r += 7) {
        int want = (int)lrint(128.0 - 127.0 * (r - 49.5) / 49.5);
        expect_rgb(&im, x0 + r * zx + zx / 2, y, want, want, want, 1);
    }
    expect_rgb(&im, x0, y0, 1, 1, 1, 0);                 /* the spike, clipped black */
    expect_rgb(&im, x0 + w - 1, y0 + h - 1, 1, 1, 1, 1); /* +1 is the clip level */
    free(im.px);
}

/* 6000 samples are drawn in at most 2000 rows, and a one-sample event that
 * plain subsampling would skip still shows, with its sign, at its time. */
static void test_gathers_decimation(void **state) {
    (void)state;
    enum { NS = 1, NT = 6000, NR = 10 };
    int x0, y0, w, h;
    zero_gathers_panel(NS, NT, NR, &x0, &y0, &w, &h);
    assert_true(h <= 2000 && h >= 1000);
    static float d[NS * NT * NR];
    for (int t = 0; t < NT; t++) /* receivers 0, 1 set the clip level, 0.5 */
        d[t * NR] = d[t * NR + 1] = 0.5f * sinf(0.05f * (float)t);
    d[3001 * NR + 5] = 1.0f;
    d[4501 * NR + 2] = -1.0f;
    assert_int_equal(si_png_write_gathers(path, d, NS, NT, NR), SI_OK);
    image im;
    read_png(path, &im);
    int zx = w / NR;
    for (int y = y0; y < y0 + h; y++) {
        int g5 = at(&im, x0 + 5 * zx, y)[0], g2 = at(&im, x0 + 2 * zx, y)[0];
        int row = y - y0, dark = (int)(3001.0 / NT * h), light = (int)(4501.0 / NT * h);
        assert_int_equal(g5, row == dark ? 1 : 128);
        assert_int_equal(g2, row == light ? 255 : 128);
    }
    free(im.px);
}

/* Writes `keep` to the output, then expects the call to fail with `want`,
 * a message containing `needle`, the old file untouched, no temporaries. */
#define EXPECT_FAIL(call, want, needle)                                                            \
    do {                                                                                           \
        si_test_write_file(path, "keep me", 7);                                                    \
        si_err st_ = (call);                                                                       \
        if (st_ != (want) || !strstr(si_last_error(), (needle)))                                   \
            fail_msg("%s: got %s '%s', want %s with '%s'", #call, si_err_name(st_),                \
                     si_last_error(), si_err_name(want), needle);                                  \
        size_t len_;                                                                               \
        char *s_ = si_test_slurp(path, &len_);                                                     \
        assert_non_null(s_);                                                                       \
        assert_string_equal(s_, "keep me");                                                        \
        free(s_);                                                                                  \
        assert_int_equal(si_test_count_files(dir, "tmp"), 0);                                      \
    } while (0)

static void test_bad_arguments(void **state) {
    (void)state;
    float v[4 * 5];
    for (int i = 0; i < 20; i++)
        v[i] = 2000.0f;
    EXPECT_FAIL(si_png_write_velocity(path, NULL, 4, 5, 10, 1500, 4000), SI_EINVAL, "NULL");
    EXPECT_FAIL(si_png_write_velocity(path, v, 0, 5, 10, 1500, 4000), SI_EINVAL, "0 x 5");
    EXPECT_FAIL(si_png_write_velocity(path, v, 4, -3, 10, 1500, 4000), SI_EINVAL, "4 x -3");
    EXPECT_FAIL(si_png_write_velocity(path, v, 4, 5, 0, 1500, 4000), SI_EINVAL, "spacing");
    EXPECT_FAIL(si_png_write_velocity(path, v, 4, 5, NAN, 1500, 4000), SI_EINVAL, "spacing");
    EXPECT_FAIL(si_png_write_velocity(path, v, 4, 5, 10, 4000, 1500), SI_EINVAL, "colour range");
    EXPECT_FAIL(si_png_write_velocity(path, v, 4, 5, 10, NAN, 1500), SI_EINVAL, "colour range");
    v[2 * 5 + 3] = INFINITY;
    EXPECT_FAIL(si_png_write_velocity(path, v, 4, 5, 10, 1500, 4000), SI_EDATA, "row 2 col 3");
    v[2 * 5 + 3] = 2000.0f;
    EXPECT_FAIL(si_png_write_velocity(NULL, v, 4, 5, 10, 1500, 4000), SI_EINVAL, "path");

    float g[2 * 3 * 4] = {0};
    EXPECT_FAIL(si_png_write_gathers(path, NULL, 2, 3, 4), SI_EINVAL, "NULL");
    EXPECT_FAIL(si_png_write_gathers(path, g, 0, 3, 4), SI_EINVAL, "0 shots");
    EXPECT_FAIL(si_png_write_gathers(path, g, 2, 3, -1), SI_EINVAL, "-1 receivers");
    EXPECT_FAIL(si_png_write_gathers("", g, 2, 3, 4), SI_EINVAL, "path");
    g[(1 * 3 + 2) * 4 + 1] = NAN;
    EXPECT_FAIL(si_png_write_gathers(path, g, 2, 3, 4), SI_EDATA, "shot 1 sample 2 receiver 1");
    /* 2000 shots x 100 receivers cannot be one picture: said, not attempted. */
    float *big = calloc((size_t)2000 * 2 * 100, sizeof *big);
    assert_non_null(big);
    EXPECT_FAIL(si_png_write_gathers(path, big, 2000, 2, 100), SI_EINVAL, "px wide");
    free(big);
}

/* The file system says no: a missing folder, or a folder in the way. */
static void test_unwritable(void **state) {
    (void)state;
    float v[4] = {2000, 2100, 2200, 2300};
    char bad[600];
    snprintf(bad, sizeof bad, "%s/no/such/dir/v.png", dir);
    assert_int_equal(si_png_write_velocity(bad, v, 2, 2, 10, 1500, 4000), SI_EIO);
    assert_non_null(strstr(si_last_error(), "no/such/dir"));
    snprintf(bad, sizeof bad, "%s/sub", dir);
    assert_int_equal(mkdir(bad, 0755), 0);
    assert_int_equal(si_png_write_gathers(bad, v, 1, 2, 2), SI_EIO);
    assert_int_equal(si_test_count_files(dir, "tmp"), 0);
    /* A successful write over an existing file replaces it completely. */
    si_test_write_file(path, "old", 3);
    assert_int_equal(si_png_write_velocity(path, v, 2, 2, 10, 1500, 4000), SI_OK);
    image im;
    read_png(path, &im);
    free(im.px);
    assert_int_equal(si_test_count_files(dir, "tmp"), 0);
}

/* The disk fills up mid-picture (a 4 kB file-size limit): libpng's error
 * path reports it, the partial temporary is removed and the old file stays. */
static void test_write_failure(void **state) {
    (void)state;
    enum { NZ = 200, NX = 300 };
    static float v[NZ * NX];
    for (int i = 0; i < NZ * NX; i++)
        v[i] = 1500.0f + (float)((i * 7919) % 2500);
    struct rlimit old, small = {4096, 4096};
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small.rlim_max = old.rlim_max;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    EXPECT_FAIL(si_png_write_velocity(path, v, NZ, NX, 10, 1500, 4000), SI_EIO, "pic.png");
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_velocity_picture, setup),
        cmocka_unit_test_setup(test_velocity_constant, setup),
        cmocka_unit_test_setup(test_velocity_sizes, setup),
        cmocka_unit_test_setup(test_gathers_grey_and_clip, setup),
        cmocka_unit_test_setup(test_gathers_decimation, setup),
        cmocka_unit_test_setup(test_bad_arguments, setup),
        cmocka_unit_test_setup(test_unwritable, setup),
        cmocka_unit_test_setup(test_write_failure, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
