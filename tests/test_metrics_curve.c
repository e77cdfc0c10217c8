/* The loss-curve picture (runtime/io/loss_curve.h): a valid PNG (read back
 * with libpng) of the expected size showing both curves' colours, the
 * descending train curve from upper left to lower right on the log axis;
 * bad arguments refused with nothing written. */
#include <math.h>
#include <png.h>

#include "test_util.h"

#include "io/loss_curve.h"

static unsigned char *read_png(const char *path, int *w, int *h) {
    png_image pi;
    memset(&pi, 0, sizeof pi);
    pi.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&pi, path)) fail_msg("%s: %s", path, pi.message);
    pi.format = PNG_FORMAT_RGB;
    unsigned char *px = malloc(PNG_IMAGE_SIZE(pi));
    if (!png_image_finish_read(&pi, NULL, px, 0, NULL)) fail_msg("%s: %s", path, pi.message);
    *w = (int)pi.width, *h = (int)pi.height;
    return px;
}

/* Mean column and row of the pixels of colour rgb in the left or right
 * half of the picture; count returned. */
static int find_colour(const unsigned char *px, int w, int h, uint32_t rgb, int right, double *mx,
                       double *my) {
    int n = 0;
    double sx = 0, sy = 0;
    for (int y = 0; y < h; y++)
        for (int x = right ? w / 2 : 0; x < (right ? w : w / 2); x++) {
            const unsigned char *p = px + ((size_t)y * w + x) * 3;
            if (p[0] == (rgb >> 16 & 255) && p[1] == (rgb >> 8 & 255) && p[2] == (rgb & 255))
                n++, sx += x, sy += y;
        }
    *mx = n ? sx / n : 0, *my = n ? sy / n : 0;
    return n;
}

static void test_curve_png(void **state) {
    (void)state;
    const char *dir = si_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/loss.png", dir);
    enum { N = 500, NV = 10 };
    double x[N], y[N], xv[NV], yv[NV];
    for (int i = 0; i < N; i++)
        x[i] = i + 1, y[i] = 0.5 * exp(-i / 80.0) + 1e-3 * (1 + (i % 7) / 7.0);
    for (int i = 0; i < NV; i++)
        xv[i] = (i + 1) * 50, yv[i] = 0.7 * exp(-i / 2.0) + 2e-3;
    y[100] = NAN, y[200] = 0.0; /* gaps, not errors */
    const si_curve c[2] = {{"train", x, y, N, 0x1f77b4u}, {"val", xv, yv, NV, 0xff7f0eu}};
    assert_int_equal(si_png_write_loss_curve(path, c, 2, "step", "loss (l1)"), SI_OK);
    int w, h;
    unsigned char *px = read_png(path, &w, &h);
    assert_int_equal(w, 900);
    assert_int_equal(h, 560);
    double lx, ly, rx, ry;
    int nl = find_colour(px, w, h, 0x1f77b4u, 0, &lx, &ly);
    int nr = find_colour(px, w, h, 0x1f77b4u, 1, &rx, &ry);
    assert_true(nl > 300 && nr > 300);
    assert_true(ly < ry); /* the loss falls: higher on the left (rows grow down) */
    assert_true(find_colour(px, w, h, 0xff7f0eu, 0, &lx, &ly) > 50);
    /* Axis and labels: plenty of black. */
    int black = 0;
    for (size_t i = 0; i < (size_t)w * h; i++)
        black += px[3 * i] == 0 && px[3 * i + 1] == 0 && px[3 * i + 2] == 0;
    assert_true(black > 2000);
    free(px);

    /* One point is a picture too. */
    const si_curve one = {"train", x, y, 1, 0x1f77b4u};
    snprintf(path, sizeof path, "%s/one.png", dir);
    assert_int_equal(si_png_write_loss_curve(path, &one, 1, "step", "loss"), SI_OK);
}

static void test_bad_arguments(void **state) {
    (void)state;
    const char *dir = si_test_tmpdir();
    char path[512];
    snprintf(path, sizeof path, "%s/none.png", dir);
    double x[2] = {1, 2}, y[2] = {0, NAN};
    const si_curve c = {"train", x, y, 2, 0};
    assert_int_equal(si_png_write_loss_curve(path, &c, 1, "step", "loss"), SI_EINVAL);
    assert_non_null(strstr(si_last_error(), "no positive finite loss"));
    assert_int_equal(si_png_write_loss_curve(path, &c, 0, "step", "loss"), SI_EINVAL);
    assert_false(si_test_file_exists(path));
    assert_int_equal(si_test_count_files(dir, "png"), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_curve_png),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
