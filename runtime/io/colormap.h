/* Colour maps for pictures: a value in [0, 1] to 8-bit RGB. */
#ifndef SI_COLORMAP_H
#define SI_COLORMAP_H

/* Viridis; t is clamped to [0, 1] (t = 0 dark purple, t = 1 yellow). */
void si_cmap_viridis(float t, unsigned char rgb[3]);

#endif
