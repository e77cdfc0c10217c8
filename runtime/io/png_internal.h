/* Internal: encoding a finished canvas as an 8-bit RGB PNG file. */
#ifndef SI_PNG_INTERNAL_H
#define SI_PNG_INTERNAL_H

#include "canvas.h"

/* Writes the canvas to `path` atomically: the file appears complete or not
 * at all, and an existing file is replaced only on success. */
si_err si_png_write_canvas(const char *path, const si_canvas *c);

/* Largest picture side we produce; keeps memory and viewers reasonable. */
#define SI_PNG_MAX_SIDE 16384

#endif
