/* AVX-512 FD kernels: 16 cells per vector along a row. The structure of
 * fd-avx2.c (read that first), with two differences: x taps come from lane
 * shifts of aligned vectors rather than unaligned loads (each of which would
 * split a cache line), and the last partial vector of a zone stores through
 * a mask register. Zone borders sit on multiples of 16 floats (64 bytes). */
#include <immintrin.h>

#include "fd.h"

#define INLINE static inline __attribute__((always_inline))
#define LD _mm512_loadu_ps
#define W 16

INLINE __mmask16 tail_mask(int rem) {
    return (__mmask16)((1u << rem) - 1u);
}

INLINE void st16(float *dst, __m512 v, int tail, __mmask16 m) {
    if (tail)
        _mm512_mask_storeu_ps(dst, m, v);
    else
        _mm512_storeu_ps(dst, v);
}

typedef struct {
    __m512 w0, w0x2, two, w[4], g[4];
} weights;

INLINE weights load_weights(const si_fd_stencil *st) {
    weights k;
    k.w0 = _mm512_set1_ps(st->w0);
    k.w0x2 = _mm512_set1_ps(2.0f * st->w0);
    k.two = _mm512_set1_ps(2.0f);
    for (int i = 0; i < 4; i++)
        k.w[i] = _mm512_set1_ps(st->w[i]), k.g[i] = _mm512_set1_ps(st->g[i]);
    return k;
}

/* A row and its z neighbours, so the column loops only add the column. */
typedef struct {
    const float *p, *up[4], *dn[4];
} rows;

INLINE rows row_ptrs(const float *p, ptrdiff_t s, const int H) {
    rows r;
    r.p = p;
    for (int j = 0; j < H; j++)
        r.up[j] = p - (j + 1) * s, r.dn[j] = p + (j + 1) * s;
    return r;
}

/* Everything one row of a band touches. */
typedef struct {
    rows p, psz;
    const float *v, *ax, *bx;
    float *q, *psx, *zx, *zz;
    __m512 az, bz;
} row_ctx;

/* sum_j g_j (f[row + j][c] - f[row - j][c]) */
INLINE __m512 d1z(const weights *k, const rows *f, int c, const int H) {
    __m512 s = _mm512_mul_ps(k->g[0], _mm512_sub_ps(LD(f->dn[0] + c), LD(f->up[0] + c)));
    for (int j = 2; j <= H; j++)
        s = _mm512_fmadd_ps(k->g[j - 1], _mm512_sub_ps(LD(f->dn[j - 1] + c), LD(f->up[j - 1] + c)),
                            s);
    return s;
}

/* Lanes j..j+15 (0 <= j < 16) of the 32-lane [lo, hi]. The count must be an
 * immediate; the switch folds away once j is a constant (always, after
 * inlining). */
#define SHIFT(n)                                                                                   \
    case n:                                                                                        \
        return _mm512_castsi512_ps(_mm512_alignr_epi32(h, l, n))
INLINE __m512 shift_in(__m512 hi, __m512 lo, const int j) {
    const __m512i h = _mm512_castps_si512(hi), l = _mm512_castps_si512(lo);
    switch (j) {
        SHIFT(1);
        SHIFT(2);
        SHIFT(3);
        SHIFT(4);
        SHIFT(5);
        SHIFT(6);
        SHIFT(7);
        SHIFT(8);
        SHIFT(9);
        SHIFT(10);
        SHIFT(11);
        SHIFT(12);
        SHIFT(13);
        SHIFT(14);
        SHIFT(15);
    default:
        return lo; /* j = 0 */
    }
}
#undef SHIFT

/* Interior cells: x and z tap pairs summed before one multiply per offset;
 * two accumulators halve the FMA dependency chain. The x taps come from three
 * aligned vectors by lane shifts: a 64-byte load off alignment splits a cache
 * line, and eight of those per vector made this loop load-bound. */
INLINE void lean_vec(const weights *k, const row_ctx *R, int c, const int H, int tail,
                     __mmask16 m) {
    const float *p = R->p.p + c;
    const __m512 pc = LD(p), pl = LD(p - W), pr = LD(p + W);
    __m512 a0 = _mm512_mul_ps(k->w0x2, pc), a1 = _mm512_setzero_ps();
    for (int j = 1; j <= H; j++) {
        __m512 t = _mm512_add_ps(_mm512_add_ps(shift_in(pr, pc, j), shift_in(pc, pl, W - j)),
                                 _mm512_add_ps(LD(R->p.up[j - 1] + c), LD(R->p.dn[j - 1] + c)));
        if (j & 1)
            a1 = _mm512_fmadd_ps(k->w[j - 1], t, a1);
        else
            a0 = _mm512_fmadd_ps(k->w[j - 1], t, a0);
    }
    __m512 q = _mm512_fmsub_ps(k->two, pc, LD(R->q + c));
    st16(R->q + c, _mm512_fmadd_ps(LD(R->v + c), _mm512_add_ps(a0, a1), q), tail, m);
}

/* Cells of the top and bottom CPML between the x zones: the z terms only. */
INLINE void zpml_vec(const weights *k, const row_ctx *R, int c, const int H, int tail,
                     __mmask16 m) {
    const float *p = R->p.p + c;
    __m512 pc = LD(p);
    const __m512 pl = LD(p - W), pr = LD(p + W);
    __m512 x = _mm512_mul_ps(k->w0, pc), z = x;
    for (int j = 1; j <= H; j++) {
        x = _mm512_fmadd_ps(k->w[j - 1],
                            _mm512_add_ps(shift_in(pr, pc, j), shift_in(pc, pl, W - j)), x);
        z = _mm512_fmadd_ps(k->w[j - 1],
                            _mm512_add_ps(LD(R->p.up[j - 1] + c), LD(R->p.dn[j - 1] + c)), z);
    }
    z = _mm512_add_ps(z, d1z(k, &R->psz, c, H));
    __m512 zeta = _mm512_fmadd_ps(R->bz, LD(R->zz + c), _mm512_mul_ps(R->az, z));
    st16(R->zz + c, zeta, tail, m);
    z = _mm512_add_ps(z, zeta);
    __m512 q = _mm512_fmsub_ps(k->two, pc, LD(R->q + c));
    st16(R->q + c, _mm512_fmadd_ps(LD(R->v + c), _mm512_add_ps(x, z), q), tail, m);
}

enum { K_LEAN, K_PML_Z };

/* Columns [c0, c1) of one row of a band's middle: plain or with z terms. */
INLINE void zone(const weights *k, const row_ctx *R, int c0, int c1, const int H, const int kind) {
    int c = c0;
    for (; c + W <= c1; c += W) {
        if (kind == K_LEAN)
            lean_vec(k, R, c, H, 0, 0);
        else
            zpml_vec(k, R, c, H, 0, 0);
    }
    if (c < c1) {
        const __mmask16 m = tail_mask(c1 - c);
        if (kind == K_LEAN)
            lean_vec(k, R, c, H, 1, m);
        else
            zpml_vec(k, R, c, H, 1, m);
    }
}

/* ---- x-CPML zones: psi_x kept in registers ----
 * Along a zone row, vector v+1's psi_x is computed (and stored for the next
 * step) before vector v's cells, which take d(psi_x)/dx from the three psi
 * vectors around them by lane shifts: no reload of psi just stored (that
 * would stall on store forwarding), and dp/dx shares p's taps with p_xx. */

/* One vector's p^n, p_xx and new psi_x (zero in lanes outside the zone). */
typedef struct {
    __m512 pc, pxx, psi;
} xprep;

INLINE xprep xzone_prep(const weights *k, const row_ctx *R, int c, const int H, __mmask16 m) {
    const float *p = R->p.p + c;
    xprep o;
    o.pc = LD(p);
    __m512 s = _mm512_mul_ps(k->w0, o.pc), d = _mm512_setzero_ps();
    for (int j = 1; j <= H; j++) {
        __m512 a = LD(p + j), b = LD(p - j);
        s = _mm512_fmadd_ps(k->w[j - 1], _mm512_add_ps(a, b), s);
        d = _mm512_fmadd_ps(k->g[j - 1], _mm512_sub_ps(a, b), d);
    }
    o.pxx = s;
    o.psi =
        _mm512_maskz_fmadd_ps(m, LD(R->bx + c), LD(R->psx + c), _mm512_mul_ps(LD(R->ax + c), d));
    _mm512_mask_storeu_ps(R->psx + c, m, o.psi);
    return o;
}

INLINE void xzone_cells(const weights *k, const row_ctx *R, int c, const int H, const int doz,
                        const xprep *cur, __m512 psi_l, __m512 psi_r, __mmask16 m) {
    /* d(psi)/dx = sum_j g_j (psi[c + j] - psi[c - j]) */
    __m512 dpsi = _mm512_setzero_ps();
    for (int j = 1; j <= H; j++)
        dpsi = _mm512_fmadd_ps(
            k->g[j - 1],
            _mm512_sub_ps(shift_in(psi_r, cur->psi, j), shift_in(cur->psi, psi_l, W - j)), dpsi);
    __m512 x = _mm512_add_ps(cur->pxx, dpsi);
    __m512 zeta = _mm512_fmadd_ps(LD(R->bx + c), LD(R->zx + c), _mm512_mul_ps(LD(R->ax + c), x));
    _mm512_mask_storeu_ps(R->zx + c, m, zeta);
    x = _mm512_add_ps(x, zeta);
    __m512 z = _mm512_mul_ps(k->w0, cur->pc);
    for (int j = 1; j <= H; j++)
        z = _mm512_fmadd_ps(k->w[j - 1],
                            _mm512_add_ps(LD(R->p.up[j - 1] + c), LD(R->p.dn[j - 1] + c)), z);
    if (doz) {
        z = _mm512_add_ps(z, d1z(k, &R->psz, c, H));
        __m512 zz = _mm512_fmadd_ps(R->bz, LD(R->zz + c), _mm512_mul_ps(R->az, z));
        _mm512_mask_storeu_ps(R->zz + c, m, zz);
        z = _mm512_add_ps(z, zz);
    }
    __m512 q = _mm512_fmsub_ps(k->two, cur->pc, LD(R->q + c));
    _mm512_mask_storeu_ps(R->q + c, m, _mm512_fmadd_ps(LD(R->v + c), _mm512_add_ps(x, z), q));
}

/* Columns [c0, c1) of one row with the x terms. psi_x is zero just outside
 * the zone (halo, or non-CPML columns where a = b = 0). */
INLINE void xzone(const weights *k, const row_ctx *R, int c0, int c1, const int H, const int doz) {
    if (c1 <= c0) return;
    __mmask16 m = c0 + W <= c1 ? (__mmask16)0xffff : tail_mask(c1 - c0);
    xprep cur = xzone_prep(k, R, c0, H, m), next;
    __m512 psi_l = _mm512_setzero_ps();
    for (int c = c0; c < c1; c += W) {
        const int cn = c + W;
        __mmask16 mn = 0;
        if (cn < c1) {
            mn = cn + W <= c1 ? (__mmask16)0xffff : tail_mask(c1 - cn);
            next = xzone_prep(k, R, cn, H, mn);
        } else {
            next.psi = _mm512_setzero_ps();
        }
        xzone_cells(k, R, c, H, doz, &cur, psi_l, next.psi, m);
        psi_l = cur.psi, cur = next, m = mn;
    }
}

INLINE void band_h(const si_fd_stencil *st, const si_fd_fields *f, const si_fd_band *b, const int H,
                   const int doz) {
    const weights k = load_weights(st);
    const ptrdiff_t s = f->stride;
    row_ctx R;
    R.ax = f->ax, R.bx = f->bx;
    for (int r = 0; r < b->nrows; r++) {
        const ptrdiff_t o = r * s;
        R.p = row_ptrs(f->cur + o, s, H);
        R.v = f->v2dt2 + o, R.q = f->next + o;
        R.psx = f->psi_x + o, R.zx = f->zeta_x + o;
        if (doz) {
            R.psz = row_ptrs(f->psi_z + o, s, H), R.zz = f->zeta_z + o;
            R.az = _mm512_set1_ps(f->az[r]), R.bz = _mm512_set1_ps(f->bz[r]);
        }
        xzone(&k, &R, 0, b->xl, H, doz);
        zone(&k, &R, b->xl, b->xr, H, doz ? K_PML_Z : K_LEAN);
        xzone(&k, &R, b->xr, b->ncols, H, doz);
    }
}

static void band_avx512(const si_fd_stencil *st, const si_fd_fields *f, const si_fd_band *b) {
    switch (st->half * 2 + (b->zterms != 0)) {
    case 9:
        band_h(st, f, b, 4, 1);
        break;
    case 8:
        band_h(st, f, b, 4, 0);
        break;
    case 5:
        band_h(st, f, b, 2, 1);
        break;
    case 4:
        band_h(st, f, b, 2, 0);
        break;
    case 3:
        band_h(st, f, b, 1, 1);
        break;
    default:
        band_h(st, f, b, 1, 0);
        break;
    }
}

INLINE void psi_z_h(const si_fd_stencil *st, float *psi, const float *p, const float *a,
                    const float *b, ptrdiff_t s, int nrows, int ncols, const int H) {
    const weights k = load_weights(st);
    for (int r = 0; r < nrows; r++) {
        const rows pr = row_ptrs(p + r * s, s, H);
        float *ps = psi + r * s;
        const __m512 ar = _mm512_set1_ps(a[r]), br = _mm512_set1_ps(b[r]);
        for (int c = 0; c < ncols; c += W) {
            __m512 v = _mm512_fmadd_ps(br, LD(ps + c), _mm512_mul_ps(ar, d1z(&k, &pr, c, H)));
            if (c + W <= ncols)
                _mm512_storeu_ps(ps + c, v);
            else
                _mm512_mask_storeu_ps(ps + c, tail_mask(ncols - c), v);
        }
    }
}

static void psi_z_avx512(const si_fd_stencil *st, float *psi, const float *p, const float *a,
                         const float *b, ptrdiff_t stride, int nrows, int ncols) {
    switch (st->half) {
    case 4:
        psi_z_h(st, psi, p, a, b, stride, nrows, ncols, 4);
        break;
    case 2:
        psi_z_h(st, psi, p, a, b, stride, nrows, ncols, 2);
        break;
    default:
        psi_z_h(st, psi, p, a, b, stride, nrows, ncols, 1);
        break;
    }
}

const si_fd_kernels si_fd_kernels_avx512 = {
    .isa = SI_ISA_AVX512, .align = W, .band = band_avx512, .psi_z = psi_z_avx512};
