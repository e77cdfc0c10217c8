/* Finite-difference kernels for the 2-D acoustic wave equation with CPML
 * (SPEC §2). Pure functions over padded float grids; the simulator in
 * runtime/sim/ owns the memory, the CPML profiles and the time loop.
 *
 * Grid layout shared by every field: row-major, `stride` floats per row,
 * every pointer in si_fd_fields points at the first cell of the region
 * (row 0, column 0). Around the computed cells the caller keeps zeros: 16
 * floats before column 0 of every row, at least `half` cells after the last
 * column, `half` rows above and below. Vector loads may reach 16 floats
 * before a row's first cell and 32 past its last; the caller's padding (plus
 * one guard row at the end) keeps those reads inside the allocation. Kernels
 * write only the nrows x ncols cells they are given.
 *
 * Time step, in place: on entry `next` holds p^{n-1}, on return p^{n+1}:
 *   p^{n+1} = 2 p^n - p^{n-1} + v^2 dt^2 (p_xx + p_zz + X + Z)
 * where, inside the CPML (Pasalic & McGarry 2010),
 *   psi_x = b_x psi_x + a_x dp/dx
 *   zeta_x = b_x zeta_x + a_x (p_xx + d(psi_x)/dx)
 *   X = d(psi_x)/dx + zeta_x
 * and the same in z. psi must be at time n at every neighbour before its
 * derivative is taken, hence the order of the updates below. */
#ifndef SI_KERNELS_FD_H
#define SI_KERNELS_FD_H

#include <stddef.h>

#include "isa.h"

/* Weights of one spatial order, pre-divided by the grid spacing. */
typedef struct si_fd_stencil {
    int half;   /* order / 2: 1, 2 or 4 */
    float w0;   /* centre weight of ONE second derivative, / dx^2 */
    float w[4]; /* second-derivative weights for offsets 1..half, / dx^2 */
    float g[4]; /* centred first-derivative weights for offsets 1..half, / dx */
} si_fd_stencil;

/* Fills the weights for order 2, 4 or 8 and spacing dx; returns -1 for any
 * other order. */
int si_fd_stencil_init(si_fd_stencil *st, int order, float dx);

/* The fields one region update touches (see the layout note above). */
typedef struct si_fd_fields {
    float *next;           /* in: p^{n-1}; out: p^{n+1} */
    const float *cur;      /* p^n */
    const float *v2dt2;    /* v^2 dt^2 per cell */
    float *psi_x, *zeta_x; /* CPML memory variables, x direction */
    float *psi_z, *zeta_z; /* z direction */
    const float *ax, *bx;  /* CPML coefficients per column (indexed by column) */
    const float *az, *bz;  /* per row (indexed by row) */
    ptrdiff_t stride;      /* floats between rows, same for every field */
} si_fd_fields;

/* One band of full rows of the computed grid, ncols cells wide. Columns
 * [0, xl) and [xr, ncols) carry the x CPML terms: psi_x is updated there,
 * row by row, before the row's cells read its derivative (it depends on one
 * row only), then zeta_x. The zones must contain the x CPML plus `half`
 * columns, and a = b = 0 on every other column, so psi_x is zero just
 * outside each zone. With zterms every cell also carries the z terms; psi_z
 * is updated beforehand by si_fd_psi_z_fn, as its derivative reaches across
 * rows. The remaining cells take the plain Laplacian: the interior, where no
 * memory variable is within reach. */
typedef struct si_fd_band {
    int nrows, ncols;
    int xl, xr; /* 0 <= xl <= xr <= ncols; xl = 0, xr = ncols: no x CPML */
    int zterms;
} si_fd_band;

typedef void (*si_fd_band_fn)(const si_fd_stencil *st, const si_fd_fields *f, const si_fd_band *b);

/* psi = b psi + a dp/dz for every cell of nrows x ncols, a and b indexed by
 * row; psi and p share `stride` and point at the region's first cell. */
typedef void (*si_fd_psi_z_fn)(const si_fd_stencil *st, float *psi, const float *p, const float *a,
                               const float *b, ptrdiff_t stride, int nrows, int ncols);

typedef struct si_fd_kernels {
    si_isa isa;
    int align; /* floats: zone borders on multiples of it keep the vector loads aligned */
    si_fd_band_fn band;
    si_fd_psi_z_fn psi_z;
} si_fd_kernels;

/* The best table the build has at or below `isa` (falls back to scalar, so a
 * family without, say, NEON kernels still runs). */
const si_fd_kernels *si_fd_kernels_for(si_isa isa);

/* One table per kernels/fd/fd-<isa>.c file. A new ISA defines
 * its table and adds one case to si_fd_kernels_for in fd.c. */
extern const si_fd_kernels si_fd_kernels_scalar;
#ifdef SEISINV_HAVE_AVX2
extern const si_fd_kernels si_fd_kernels_avx2;
#endif
#ifdef SEISINV_HAVE_AVX512
extern const si_fd_kernels si_fd_kernels_avx512;
#endif
#ifdef SEISINV_HAVE_NEON
extern const si_fd_kernels si_fd_kernels_neon;
#endif

/* Flush denormals to zero on this thread (decaying waves in the CPML would
 * otherwise fall into the slow denormal path). Returns the previous state for
 * si_fd_denormals_restore. */
unsigned long si_fd_denormals_off(void);
void si_fd_denormals_restore(unsigned long saved);

#endif
