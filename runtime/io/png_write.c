/* libpng encoder behind the picture writers, on top of the atomic file. */
#include <png.h>
#include <stdio.h>

#include "../core/error_internal.h"
#include "atomic_file.h"
#include "png_internal.h"

typedef struct png_errctx {
    char msg[256];
} png_errctx;

/* libpng's default handlers print to stderr; the library must not, so the
 * message is kept and reported through si_last_error(). */
static void on_png_error(png_structp png, png_const_charp msg) {
    png_errctx *e = png_get_error_ptr(png);
    snprintf(e->msg, sizeof e->msg, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg) {
    (void)png, (void)msg;
}

si_err si_png_write_canvas(const char *path, const si_canvas *c) {
    si_afile f;
    si_err st = si_afile_open(&f, path);
    if (st != SI_OK) return st;
    png_errctx err = {{0}};
    png_structp png =
        png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        si_afile_abort(&f);
        return si_fail(SI_ENOMEM, "out of memory starting the PNG encoder for %s", path);
    }
    /* Nothing set after this point is read on the error path, so no
     * local needs to be volatile. */
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        si_afile_abort(&f);
        return si_fail(SI_EIO, "cannot write %s: libpng: %s", path, err.msg);
    }
    png_init_io(png, f.fp);
    png_set_IHDR(png, info, (png_uint_32)c->w, (png_uint_32)c->h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_text text = {.compression = PNG_TEXT_COMPRESSION_NONE,
                     .key = "Software",
                     .text = "seisinv " SEISINV_VERSION_STRING};
    png_set_text(png, info, &text, 1);
    png_write_info(png, info);
    for (int y = 0; y < c->h; y++)
        png_write_row(png, c->px + (size_t)y * (size_t)c->w * 3);
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return si_afile_commit(&f);
}
