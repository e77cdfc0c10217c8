/* RGB raster primitives and bitmap text. */
#include "canvas.h"

#include <stdlib.h>
#include <string.h>

#include "../core/error_internal.h"
#include "font5x7.h"

si_err si_canvas_init(si_canvas *c, int w, int h) {
    c->px = NULL, c->w = w, c->h = h;
    if (w <= 0 || h <= 0) return si_fail(SI_EINVAL, "picture size %d x %d is empty", w, h);
    c->px = malloc((size_t)w * (size_t)h * 3);
    if (!c->px) return si_fail(SI_ENOMEM, "out of memory for a %d x %d picture", w, h);
    memset(c->px, 0xff, (size_t)w * (size_t)h * 3);
    return SI_OK;
}

void si_canvas_free(si_canvas *c) {
    free(c->px);
    c->px = NULL, c->w = c->h = 0;
}

static void unpack(uint32_t rgb, unsigned char out[3]) {
    out[0] = (unsigned char)(rgb >> 16), out[1] = (unsigned char)(rgb >> 8),
    out[2] = (unsigned char)rgb;
}

void si_canvas_fill(si_canvas *c, int x, int y, int w, int h, uint32_t rgb) {
    unsigned char col[3];
    unpack(rgb, col);
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + w > c->w ? c->w : x + w, y1 = y + h > c->h ? c->h : y + h;
    for (int yy = y0; yy < y1; yy++)
        for (int xx = x0; xx < x1; xx++)
            si_canvas_set(c, xx, yy, col);
}

void si_canvas_frame(si_canvas *c, int x, int y, int w, int h, uint32_t rgb) {
    si_canvas_fill(c, x - 1, y - 1, w + 2, 1, rgb);
    si_canvas_fill(c, x - 1, y + h, w + 2, 1, rgb);
    si_canvas_fill(c, x - 1, y, 1, h, rgb);
    si_canvas_fill(c, x + w, y, 1, h, rgb);
}

/* Ink columns of a glyph, so letters are spaced by their own width (a
 * proportional font reads better) while digits keep the full cell and line
 * up in tick labels. */
static void glyph_span(int ch, const char *g, int *first, int *width) {
    if (ch == ' ') {
        *first = 0, *width = 3;
        return;
    }
    if (ch >= '0' && ch <= '9') {
        *first = 0, *width = SI_FONT_W;
        return;
    }
    int lo = SI_FONT_W, hi = -1;
    for (int i = 0; g[i]; i++)
        if (g[i] == '#') {
            int col = i % SI_FONT_W;
            if (col < lo) lo = col;
            if (col > hi) hi = col;
        }
    if (hi < 0) lo = 0, hi = SI_FONT_W - 1;
    *first = lo, *width = hi - lo + 1;
}

int si_text_width(const char *s, int scale) {
    int w = 0;
    for (const char *p = s; *p; p++) {
        int first, width;
        glyph_span((unsigned char)*p, si_font_glyph((unsigned char)*p), &first, &width);
        w += width + (p[1] ? 1 : 0);
    }
    return w * scale;
}

void si_canvas_text(si_canvas *c, int x, int y, const char *s, int scale, uint32_t rgb,
                    int upward) {
    unsigned char col[3];
    unpack(rgb, col);
    int len = si_text_width(s, scale);
    int u0 = 0; /* position along the text, in pixels */
    for (const char *p = s; *p; p++) {
        const char *g = si_font_glyph((unsigned char)*p);
        int first, width;
        glyph_span((unsigned char)*p, g, &first, &width);
        for (int i = 0; g[i]; i++) {
            if (g[i] != '#') continue;
            int gu = (i % SI_FONT_W - first) * scale, gv = (i / SI_FONT_W) * scale;
            for (int dv = 0; dv < scale; dv++)
                for (int du = 0; du < scale; du++) {
                    int u = u0 + gu + du, v = gv + dv;
                    if (upward)
                        si_canvas_set(c, x + v, y + len - 1 - u, col);
                    else
                        si_canvas_set(c, x + u, y + v, col);
                }
        }
        u0 += (width + 1) * scale;
    }
}
