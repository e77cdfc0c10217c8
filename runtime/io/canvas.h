/* A plain RGB raster to draw pictures on before they are encoded: filled
 * rectangles and text in the built-in bitmap font. Everything is clipped to
 * the canvas, so callers may draw partly outside it. */
#ifndef SI_CANVAS_H
#define SI_CANVAS_H

#include <stddef.h>
#include <stdint.h>

#include "seisinv/error.h"

typedef struct si_canvas {
    unsigned char *px; /* [h, w, 3] RGB, rows top to bottom */
    int w, h;
} si_canvas;

#define SI_WHITE 0xffffffu
#define SI_BLACK 0x000000u

/* Allocates a w x h canvas filled with white. */
si_err si_canvas_init(si_canvas *c, int w, int h);
void si_canvas_free(si_canvas *c);

static inline void si_canvas_set(si_canvas *c, int x, int y, const unsigned char rgb[3]) {
    if (x < 0 || y < 0 || x >= c->w || y >= c->h) return;
    unsigned char *p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
    p[0] = rgb[0], p[1] = rgb[1], p[2] = rgb[2];
}

/* Fills the rectangle [x, x+w) x [y, y+h) with colour 0xRRGGBB. */
void si_canvas_fill(si_canvas *c, int x, int y, int w, int h, uint32_t rgb);

/* One-pixel outline just outside the rectangle [x, x+w) x [y, y+h). */
void si_canvas_frame(si_canvas *c, int x, int y, int w, int h, uint32_t rgb);

/* Width in pixels of `s` drawn at integer `scale`. Text boxes are
 * SI_FONT_H * scale tall; digits and capitals use the top SI_FONT_CAP rows. */
int si_text_width(const char *s, int scale);

/* Draws `s` with the top-left corner of its box at (x, y). With `upward`
 * the text is turned a quarter left so it reads bottom to top; its box is
 * then SI_FONT_H * scale wide and si_text_width() tall. */
void si_canvas_text(si_canvas *c, int x, int y, const char *s, int scale, uint32_t rgb, int upward);

#endif
