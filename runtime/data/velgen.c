/* SeisInv layered velocity models (SPEC §3): type I..IV = 2..5 interfaces,
 * each a flat base depth plus a few low-wavenumber sines, constant velocity
 * per layer increasing with depth. */
#include "seisinv/velgen.h"

#include <math.h>
#include <stddef.h>

#include "../core/error_internal.h"
#include "rng.h"

#define SINES_PER_INTERFACE 3
#define MAX_INTERFACES 5
#define MAX_LAYERS (MAX_INTERFACES + 1)
#define SI_PI 3.14159265358979323846

int si_velgen_type_for_index(int type_lo, int type_hi, uint64_t index) {
    if (type_hi < type_lo) return 0; /* si_velgen rejects type 0 */
    return type_lo + (int)(index % (uint64_t)(type_hi - type_lo + 1));
}

/* Thinnest layer in rows: a few cells, growing with the grid so a 100-row
 * model keeps 5-row layers. */
static int min_thickness(int nz) {
    return nz / 20 > 3 ? nz / 20 : 3;
}

/* Velocities of nl layers: sorted uniforms in [1500, 4000] with a minimum
 * step between neighbours so every interface is a visible contrast. */
static void draw_velocities(si_rng *r, int nl, float *v) {
    double u[MAX_LAYERS];
    double gap = fmin(150.0, (SI_VEL_MAX - SI_VEL_MIN) / (2.0 * nl));
    for (int i = 0; i < nl; i++)
        u[i] = si_rng_uniform(r);
    for (int i = 1; i < nl; i++) /* insertion sort: nl <= 6 */
        for (int j = i; j > 0 && u[j] < u[j - 1]; j--) {
            double t = u[j];
            u[j] = u[j - 1], u[j - 1] = t;
        }
    double span = (SI_VEL_MAX - SI_VEL_MIN) - gap * (nl - 1);
    for (int i = 0; i < nl; i++)
        v[i] = (float)round(SI_VEL_MIN + gap * i + u[i] * span);
}

/* Base depth (rows, continuous) of each interface: random layer thicknesses,
 * each at least `floor_rows`, filling the model. */
static void draw_base_depths(si_rng *r, int nz, int nl, double floor_rows, double *base) {
    double w[MAX_LAYERS], sum = 0;
    for (int i = 0; i < nl; i++)
        sum += w[i] = si_rng_range(r, 0.25, 1.0);
    double slack = nz - nl * floor_rows, depth = 0;
    for (int i = 0; i < nl - 1; i++) {
        depth += floor_rows + slack * w[i] / sum;
        base[i] = depth;
    }
}

typedef struct sines {
    double amp[SINES_PER_INTERFACE], k[SINES_PER_INTERFACE], phase[SINES_PER_INTERFACE];
} sines;

/* A few sines whose amplitudes sum to at most `amp` rows; 0.3 to 2.5 cycles
 * across the model so interfaces undulate gently. */
static void draw_sines(si_rng *r, double amp, sines *s) {
    double total = amp * si_rng_range(r, 0.4, 1.0), w[SINES_PER_INTERFACE], sum = 0;
    for (int j = 0; j < SINES_PER_INTERFACE; j++) {
        sum += w[j] = si_rng_range(r, 0.2, 1.0);
        s->k[j] = si_rng_range(r, 0.3, 2.5);
        s->phase[j] = si_rng_range(r, 0.0, 2.0 * SI_PI);
    }
    for (int j = 0; j < SINES_PER_INTERFACE; j++)
        s->amp[j] = total * w[j] / sum;
}

static double eval_sines(const sines *s, double x, int nx) {
    double d = 0;
    for (int j = 0; j < SINES_PER_INTERFACE; j++)
        d += s->amp[j] * sin(2.0 * SI_PI * s->k[j] * x / nx + s->phase[j]);
    return d;
}

si_err si_velgen(int type, uint64_t seed, uint64_t index, int nz, int nx, float *vel) {
    if (type < 1 || type > 4)
        return si_fail(SI_EINVAL, "model type %d is not one of 1..4 (I..IV)", type);
    if (nx < 1 || nx > 65536 || nz > 65536)
        return si_fail(SI_EINVAL, "model size %d x %d is out of range (1..65536)", nz, nx);
    int nif = type + 1, nl = nif + 1, tmin = min_thickness(nz);
    if (nz < nl * tmin)
        return si_fail(SI_EINVAL,
                       "nz = %d rows is too small for a type %d model (%d layers of at "
                       "least %d rows need %d)",
                       nz, type, nl, tmin, nl * tmin);
    /* Undulation amplitude: a few cells, shrunk on small grids so the flat
     * layout leaves room for +-amp without crossing. */
    int amp = nz / 25 > 1 ? nz / 25 : 1;
    if (amp > (nz / nl - tmin) / 2) amp = (nz / nl - tmin) / 2;

    si_rng r;
    si_rng_init(&r, si_hash2(seed, index));
    float v[MAX_LAYERS];
    double base[MAX_INTERFACES];
    sines und[MAX_INTERFACES];
    draw_velocities(&r, nl, v);
    draw_base_depths(&r, nz, nl, tmin + 2.0 * amp, base);
    for (int k = 0; k < nif; k++)
        draw_sines(&r, amp, &und[k]);

    for (int x = 0; x < nx; x++) {
        /* Interface k is the first row of layer k+1 in this column. */
        int d[MAX_INTERFACES];
        for (int k = 0; k < nif; k++)
            d[k] = (int)lround(base[k] + eval_sines(&und[k], x, nx));
        /* Rounding can shave a row off the thinnest layer: clamp so every
         * layer keeps tmin rows (feasible since nz >= nl * tmin). */
        for (int k = 0; k < nif; k++) {
            int lo = k ? d[k - 1] + tmin : tmin;
            if (d[k] < lo) d[k] = lo;
        }
        for (int k = nif - 1; k >= 0; k--) {
            int hi = k < nif - 1 ? d[k + 1] - tmin : nz - tmin;
            if (d[k] > hi) d[k] = hi;
        }
        int layer = 0;
        for (int z = 0; z < nz; z++) {
            while (layer < nif && z >= d[layer])
                layer++;
            vel[(size_t)z * nx + x] = v[layer];
        }
    }
    return SI_OK;
}
