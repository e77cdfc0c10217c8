/* A tiny built-in bitmap font for picture labels: 5 px wide, 7 px cap
 * height, 2 more rows below the baseline for descenders (g, p, y, ...). */
#ifndef SI_FONT5X7_H
#define SI_FONT5X7_H

#define SI_FONT_W 5   /* glyph cell width */
#define SI_FONT_CAP 7 /* rows above the baseline */
#define SI_FONT_H 9   /* rows including the descender */

/* Rows of the glyph for c as '#'/'.' characters, SI_FONT_W per row, top row
 * first; rows past the string's end are blank. The font covers printable
 * ASCII letters, digits and ( ) - + . , / : = % _ ' ? and space; other
 * characters get the '?' glyph. */
const char *si_font_glyph(int c);

#endif
