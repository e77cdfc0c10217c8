/* AVX2 + FMA FD kernels: 8 cells per vector along a row. Same arithmetic as
 * fd-scalar.c, regrouped into symmetric tap pairs; the stencil half-width and
 * the CPML terms are compile-time constants in each instantiation, so tap
 * loops unroll and unused terms vanish. The last partial vector of a zone
 * uses masked stores (loads may read the row padding, see fd.h). */
#include <immintrin.h>

#include "fd.h"

#define INLINE static inline __attribute__((always_inline))
#define LD _mm256_loadu_ps
#define W 8

INLINE __m256i tail_mask(int rem) {
    static const int m[2 * W] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
    return _mm256_loadu_si256((const __m256i *)(m + W - rem));
}

INLINE void st8(float *dst, __m256 v, int tail, __m256i m) {
    if (tail)
        _mm256_maskstore_ps(dst, m, v);
    else
        _mm256_storeu_ps(dst, v);
}

typedef struct {
    __m256 w0, w0x2, two, w[4], g[4];
} weights;

INLINE weights load_weights(const si_fd_stencil *st) {
    weights k;
    k.w0 = _mm256_set1_ps(st->w0);
    k.w0x2 = _mm256_set1_ps(2.0f * st->w0);
    k.two = _mm256_set1_ps(2.0f);
    for (int i = 0; i < 4; i++)
        k.w[i] = _mm256_set1_ps(st->w[i]), k.g[i] = _mm256_set1_ps(st->g[i]);
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
    __m256 az, bz;
} row_ctx;

/* sum_j g_j (f[row + j][c] - f[row - j][c]) */
INLINE __m256 d1z(const weights *k, const rows *f, int c, const int H) {
    __m256 s = _mm256_mul_ps(k->g[0], _mm256_sub_ps(LD(f->dn[0] + c), LD(f->up[0] + c)));
    for (int j = 2; j <= H; j++)
        s = _mm256_fmadd_ps(k->g[j - 1], _mm256_sub_ps(LD(f->dn[j - 1] + c), LD(f->up[j - 1] + c)),
                            s);
    return s;
}

/* Interior cells: x and z tap pairs summed before one multiply per offset;
 * two accumulators halve the FMA dependency chain. */
INLINE void lean_vec(const weights *k, const row_ctx *R, int c, const int H, int tail, __m256i m) {
    const float *p = R->p.p + c;
    __m256 pc = LD(p);
    __m256 a0 = _mm256_mul_ps(k->w0x2, pc), a1 = _mm256_setzero_ps();
    for (int j = 1; j <= H; j++) {
        __m256 t = _mm256_add_ps(_mm256_add_ps(LD(p + j), LD(p - j)),
                                 _mm256_add_ps(LD(R->p.up[j - 1] + c), LD(R->p.dn[j - 1] + c)));
        if (j & 1)
            a1 = _mm256_fmadd_ps(k->w[j - 1], t, a1);
        else
            a0 = _mm256_fmadd_ps(k->w[j - 1], t, a0);
    }
    __m256 q = _mm256_fmsub_ps(k->two, pc, LD(R->q + c));
    st8(R->q + c, _mm256_fmadd_ps(LD(R->v + c), _mm256_add_ps(a0, a1), q), tail, m);
}

/* Cells of the top and bottom CPML between the x zones: the z terms only. */
INLINE void zpml_vec(const weights *k, const row_ctx *R, int c, const int H, int tail, __m256i m) {
    const float *p = R->p.p + c;
    __m256 pc = LD(p);
    __m256 x = _mm256_mul_ps(k->w0, pc), z = x;
    for (int j = 1; j <= H; j++) {
        x = _mm256_fmadd_ps(k->w[j - 1], _mm256_add_ps(LD(p + j), LD(p - j)), x);
        z = _mm256_fmadd_ps(k->w[j - 1],
                            _mm256_add_ps(LD(R->p.up[j - 1] + c), LD(R->p.dn[j - 1] + c)), z);
    }
    z = _mm256_add_ps(z, d1z(k, &R->psz, c, H));
    __m256 zeta = _mm256_fmadd_ps(R->bz, LD(R->zz + c), _mm256_mul_ps(R->az, z));
    st8(R->zz + c, zeta, tail, m);
    z = _mm256_add_ps(z, zeta);
    __m256 q = _mm256_fmsub_ps(k->two, pc, LD(R->q + c));
    st8(R->q + c, _mm256_fmadd_ps(LD(R->v + c), _mm256_add_ps(x, z), q), tail, m);
}

enum { K_LEAN, K_PML_Z };

/* Columns [c0, c1) of one row of a band's middle: plain or with z terms. */
INLINE void zone(const weights *k, const row_ctx *R, int c0, int c1, const int H, const int kind) {
    int c = c0;
    const __m256i all = _mm256_set1_epi32(-1);
    for (; c + W <= c1; c += W) {
        if (kind == K_LEAN)
            lean_vec(k, R, c, H, 0, all);
        else
            zpml_vec(k, R, c, H, 0, all);
    }
    if (c < c1) {
        const __m256i m = tail_mask(c1 - c);
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

/* Lanes j..j+7 of [lo, hi] (0 <= j <= 8); mid = [lo.high, hi.low] is shared
 * by all shifts of one pair. AVX2 shifts within 128-bit lanes only. */
INLINE __m256 shift_in(__m256 hi, __m256 mid, __m256 lo, const int j) {
    __m256i h = _mm256_castps_si256(hi), md = _mm256_castps_si256(mid), l = _mm256_castps_si256(lo);
    switch (j) {
    case 1:
        return _mm256_castsi256_ps(_mm256_alignr_epi8(md, l, 4));
    case 2:
        return _mm256_castsi256_ps(_mm256_alignr_epi8(md, l, 8));
    case 3:
        return _mm256_castsi256_ps(_mm256_alignr_epi8(md, l, 12));
    case 4:
        return mid;
    case 5:
        return _mm256_castsi256_ps(_mm256_alignr_epi8(h, md, 4));
    case 6:
        return _mm256_castsi256_ps(_mm256_alignr_epi8(h, md, 8));
    case 7:
        return _mm256_castsi256_ps(_mm256_alignr_epi8(h, md, 12));
    default:
        return hi;
    }
}

INLINE __m256 halves(__m256 lo, __m256 hi) {
    return _mm256_permute2f128_ps(lo, hi, 0x21);
}

/* One vector's p^n, p_xx and new psi_x (zero in lanes outside the zone). */
typedef struct {
    __m256 pc, pxx, psi;
} xprep;

INLINE xprep xzone_prep(const weights *k, const row_ctx *R, int c, const int H, __m256i m) {
    const float *p = R->p.p + c;
    xprep o;
    o.pc = LD(p);
    __m256 s = _mm256_mul_ps(k->w0, o.pc), d = _mm256_setzero_ps();
    for (int j = 1; j <= H; j++) {
        __m256 a = LD(p + j), b = LD(p - j);
        s = _mm256_fmadd_ps(k->w[j - 1], _mm256_add_ps(a, b), s);
        d = _mm256_fmadd_ps(k->g[j - 1], _mm256_sub_ps(a, b), d);
    }
    o.pxx = s;
    __m256 psi = _mm256_fmadd_ps(LD(R->bx + c), LD(R->psx + c), _mm256_mul_ps(LD(R->ax + c), d));
    o.psi = _mm256_and_ps(psi, _mm256_castsi256_ps(m));
    _mm256_maskstore_ps(R->psx + c, m, o.psi);
    return o;
}

INLINE void xzone_cells(const weights *k, const row_ctx *R, int c, const int H, const int doz,
                        const xprep *cur, __m256 psi_l, __m256 psi_r, __m256i m) {
    const __m256 mr = halves(cur->psi, psi_r), ml = halves(psi_l, cur->psi);
    __m256 dpsi = _mm256_setzero_ps();
    for (int j = 1; j <= H; j++)
        dpsi = _mm256_fmadd_ps(
            k->g[j - 1],
            _mm256_sub_ps(shift_in(psi_r, mr, cur->psi, j), shift_in(cur->psi, ml, psi_l, W - j)),
            dpsi);
    __m256 x = _mm256_add_ps(cur->pxx, dpsi);
    __m256 zeta = _mm256_fmadd_ps(LD(R->bx + c), LD(R->zx + c), _mm256_mul_ps(LD(R->ax + c), x));
    _mm256_maskstore_ps(R->zx + c, m, zeta);
    x = _mm256_add_ps(x, zeta);
    __m256 z = _mm256_mul_ps(k->w0, cur->pc);
    for (int j = 1; j <= H; j++)
        z = _mm256_fmadd_ps(k->w[j - 1],
                            _mm256_add_ps(LD(R->p.up[j - 1] + c), LD(R->p.dn[j - 1] + c)), z);
    if (doz) {
        z = _mm256_add_ps(z, d1z(k, &R->psz, c, H));
        __m256 zz = _mm256_fmadd_ps(R->bz, LD(R->zz + c), _mm256_mul_ps(R->az, z));
        _mm256_maskstore_ps(R->zz + c, m, zz);
        z = _mm256_add_ps(z, zz);
    }
    __m256 q = _mm256_fmsub_ps(k->two, cur->pc, LD(R->q + c));
    _mm256_maskstore_ps(R->q + c, m, _mm256_fmadd_ps(LD(R->v + c), _mm256_add_ps(x, z), q));
}

/* Columns [c0, c1) of one row with the x terms. psi_x is zero just outside
 * the zone (halo, or non-CPML columns where a = b = 0). */
INLINE void xzone(const weights *k, const row_ctx *R, int c0, int c1, const int H, const int doz) {
    if (c1 <= c0) return;
    const __m256i all = _mm256_set1_epi32(-1);
    __m256i m = c0 + W <= c1 ? all : tail_mask(c1 - c0);
    xprep cur = xzone_prep(k, R, c0, H, m), next;
    __m256 psi_l = _mm256_setzero_ps();
    for (int c = c0; c < c1; c += W) {
        const int cn = c + W;
        __m256i mn = all;
        if (cn < c1) {
            mn = cn + W <= c1 ? all : tail_mask(c1 - cn);
            next = xzone_prep(k, R, cn, H, mn);
        } else {
            next.psi = _mm256_setzero_ps();
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
            R.az = _mm256_set1_ps(f->az[r]), R.bz = _mm256_set1_ps(f->bz[r]);
        }
        xzone(&k, &R, 0, b->xl, H, doz);
        zone(&k, &R, b->xl, b->xr, H, doz ? K_PML_Z : K_LEAN);
        xzone(&k, &R, b->xr, b->ncols, H, doz);
    }
}

static void band_avx2(const si_fd_stencil *st, const si_fd_fields *f, const si_fd_band *b) {
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
        const __m256 ar = _mm256_set1_ps(a[r]), br = _mm256_set1_ps(b[r]);
        for (int c = 0; c < ncols; c += W) {
            __m256 v = _mm256_fmadd_ps(br, LD(ps + c), _mm256_mul_ps(ar, d1z(&k, &pr, c, H)));
            if (c + W <= ncols)
                _mm256_storeu_ps(ps + c, v);
            else
                _mm256_maskstore_ps(ps + c, tail_mask(ncols - c), v);
        }
    }
}

static void psi_z_avx2(const si_fd_stencil *st, float *psi, const float *p, const float *a,
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

const si_fd_kernels si_fd_kernels_avx2 = {
    .isa = SI_ISA_AVX2, .align = W, .band = band_avx2, .psi_z = psi_z_avx2};
