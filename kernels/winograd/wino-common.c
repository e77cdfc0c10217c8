/* Set-up parts of the Winograd family, run at plan / load time: tile
 * origins and the weight transform (in double, rounded once). */
#include "winograd.h"

int si_wino_tile_origins(int n, int d, int *t0) {
    int k = 0;
    for (int r = 0; r < d && r < n; r++)
        for (int y = r; y < n; y += 2 * d)
            t0[k++] = y;
    return k;
}

void si_wino_weights(float *u, const float *w, int cout, int cin) {
    const size_t plane = (size_t)cout * (size_t)cin;
    for (int co = 0; co < cout; co++)
        for (int ci = 0; ci < cin; ci++) {
            const float *g = w + ((size_t)co * cin + ci) * 9;
            double t[4][3], v[4][4];
            for (int j = 0; j < 3; j++) { /* G g: rows */
                t[0][j] = g[j];
                t[1][j] = 0.5 * ((double)g[j] + g[3 + j] + g[6 + j]);
                t[2][j] = 0.5 * ((double)g[j] - g[3 + j] + g[6 + j]);
                t[3][j] = g[6 + j];
            }
            for (int i = 0; i < 4; i++) { /* (G g) Gᵀ: columns */
                v[i][0] = t[i][0];
                v[i][1] = 0.5 * (t[i][0] + t[i][1] + t[i][2]);
                v[i][2] = 0.5 * (t[i][0] - t[i][1] + t[i][2]);
                v[i][3] = t[i][2];
            }
            for (int x = 0; x < SI_WINO_POS; x++)
                u[(size_t)x * plane + (size_t)co * cin + ci] = (float)v[x / 4][x % 4];
        }
}
