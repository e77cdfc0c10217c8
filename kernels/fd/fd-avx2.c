/* AVX2 + FMA FD kernels: 8 cells per vector along a row. Same arithmetic as
 * fd-scalar.c, regrouped into symmetric tap pairs; the stencil half-width and
 * the CPML terms are compile-time constants in each instantiation, so tap
 * loops unroll and unused terms vanish. The last partial vector of a zone
 * uses masked stores (loads may read the row padding, see fd.h).
 *
 * What sets the speed here (measured on the Sapphire Rapids build machine):
 * - FP adds, multiplies and FMAs share two ports, so the FP op count per
 *   vector is the floor. Two rows per iteration (interior, x zones, psi_z)
 *   share z taps and give the scheduler two independent sets of chains.
 * - A 32-byte load across a 64-byte line costs about three plain loads, so
 *   no x tap is loaded across a line (xtap): the other side comes from lane
 *   shifts of an aligned neighbour.
 * - GCC spills as soon as a loop walks many pointers. Every field is reached
 *   from one moving row pointer plus a fixed offset (row_ctx), so a loop
 *   moves two pointers, not ten, and costs no adds per field.
 * - The x zones are a few vectors wide. Without z terms they run down their
 *   columns (strips), psi_x of the whole band first; with z terms (CPML
 *   corners) the strips kept too much live and the cells go along the rows.
 *   psi_x is read back from memory long after it was written, so no load
 *   waits on a store. */
#include <immintrin.h>
#include <stdint.h>

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

/* first ? a * b : acc + a * b, so sums start without a zero vector */
INLINE __m256 mac(__m256 a, __m256 b, __m256 acc, int first) {
    return first ? _mm256_mul_ps(a, b) : _mm256_fmadd_ps(a, b, acc);
}

/* ---- x taps without cache-line splits ----
 * A vector at the start of its 64-byte line (LINE0) loads p[c+1..c+4] from
 * inside the line; one at the middle (LINE1) loads p[c-4..c-1]. The other
 * side comes from lane shifts of the aligned neighbour vector. ANY (not
 * 32-byte aligned): plain loads. All three give the same values. */
enum { LINE0, LINE1, ANY };

INLINE int line_half(const float *p) {
    const uintptr_t a = (uintptr_t)p;
    return (a & 31) ? ANY : (a & 32) ? LINE1 : LINE0;
}

/* Lanes k..k+7 (1 <= k <= 7) of the 16 lanes [lo, hi], given mid = lanes
 * 4..11. AVX2 shifts within 128-bit lanes only, hence mid. */
INLINE __m256 window(__m256 lo, __m256 mid, __m256 hi, const int k) {
    const __m256i l = _mm256_castps_si256(lo), md = _mm256_castps_si256(mid),
                  h = _mm256_castps_si256(hi);
    switch (k) {
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
    default:
        return _mm256_castsi256_ps(_mm256_alignr_epi8(h, md, 12));
    }
}

INLINE __m256 halves(__m256 lo, __m256 hi) {
    return _mm256_permute2f128_ps(lo, hi, 0x21);
}

/* f[c], the aligned neighbour the shifted taps come from (left at LINE0,
 * right at LINE1) and mid, lanes 4..11 of the pair. */
typedef struct {
    __m256 pc, nb, mid;
} xrow;

INLINE xrow xrow_at(const float *f, const int at) {
    xrow x;
    x.pc = LD(f);
    if (at == LINE0)
        x.nb = LD(f - W), x.mid = halves(x.nb, x.pc);
    else if (at == LINE1)
        x.nb = LD(f + W), x.mid = halves(x.pc, x.nb);
    else
        x.nb = x.mid = x.pc; /* unused */
    return x;
}

/* f[c + j], 0 < |j| <= 4 */
INLINE __m256 xtap(const float *f, const xrow *x, int j, const int at) {
    if (at == LINE0 && j < 0) return window(x->nb, x->mid, x->pc, W + j);
    if (at == LINE1 && j > 0) return window(x->pc, x->mid, x->nb, j);
    return LD(f + j);
}

/* sum_j g_j (f[c + j] - f[c - j]), the x taps made as above */
INLINE __m256 d1x(const weights *k, const float *f, const int H, const int at) {
    const xrow x = xrow_at(f, at);
    __m256 d = x.pc;
    for (int j = 1; j <= H; j++)
        d = mac(k->g[j - 1], _mm256_sub_ps(xtap(f, &x, j, at), xtap(f, &x, -j, at)), d, j == 1);
    return d;
}

/* acc + sum_j w_j (p[c + j] + p[c - j]) */
INLINE __m256 d2x_acc(const weights *k, const float *p, const xrow *x, const int H, const int at,
                      __m256 acc) {
    for (int j = 1; j <= H; j++)
        acc =
            _mm256_fmadd_ps(k->w[j - 1], _mm256_add_ps(xtap(p, x, j, at), xtap(p, x, -j, at)), acc);
    return acc;
}

/* ---- rows and fields ----
 * The loops address everything from `lo`, p^n at row r - H: row r + j of
 * p^n for j <= 0 is lo + (H + j) strides, for j > 0 it is hi (row r + 1)
 * plus j - 1 strides, so every multiple is 1, 2, 3 (s3) or 4 and each tap
 * is one base + index * scale address. The other fields of row r are lo
 * plus a fixed byte offset, of row r + 1 hi plus one. psi_z has its own
 * pair (zlo, zhi): offset and stride together would make a third term.
 * A loop moves lo and hi (and zlo, zhi) only. */
typedef struct {
    const char *lo, *hi, *zlo, *zhi;
    ptrdiff_t s1, s3;                 /* stride, 3 strides (bytes) */
    ptrdiff_t dq, dv, dpsx, dzx, dzz; /* next, v2dt2, psi_x, zeta_x, zeta_z of row r, minus lo */
    ptrdiff_t dqh, dvh, dpsxh, dzxh;  /* next, v2dt2, psi_x, zeta_x of row r + 1, minus hi */
    const float *ax, *bx;             /* x CPML coefficients by column (rows) */
    __m256 axv, bxv;                  /* the same for one column (strips) */
    __m256 az, bz;                    /* z CPML coefficients of row r */
} row_ctx;

/* Byte distance from b to f as an integer: the fields are separate arrays,
 * so pointer subtraction would not be defined. */
INLINE ptrdiff_t dist(const void *f, const char *b) {
    return (ptrdiff_t)((uintptr_t)f - (uintptr_t)b);
}

/* R at row 0 of the band, column 0. */
INLINE row_ctx band_ctx(const si_fd_fields *f, const int H) {
    const ptrdiff_t s = f->stride;
    row_ctx R;
    R.lo = (const char *)(f->cur - H * s), R.hi = (const char *)(f->cur + s);
    R.zlo = (const char *)(f->psi_z - H * s), R.zhi = (const char *)(f->psi_z + s);
    R.s1 = s * (ptrdiff_t)sizeof(float), R.s3 = 3 * R.s1;
    R.dq = dist(f->next, R.lo), R.dv = dist(f->v2dt2, R.lo);
    R.dpsx = dist(f->psi_x, R.lo), R.dzx = dist(f->zeta_x, R.lo), R.dzz = dist(f->zeta_z, R.lo);
    R.dqh = dist(f->next + s, R.hi), R.dvh = dist(f->v2dt2 + s, R.hi);
    R.dpsxh = dist(f->psi_x + s, R.hi), R.dzxh = dist(f->zeta_x + s, R.hi);
    R.ax = f->ax, R.bx = f->bx;
    R.axv = R.bxv = R.az = R.bz = _mm256_setzero_ps();
    return R;
}

INLINE void next_row(row_ctx *R) {
    R->lo += R->s1, R->hi += R->s1, R->zlo += R->s1, R->zhi += R->s1;
}

INLINE void advance(row_ctx *R, int cols) {
    const ptrdiff_t b = (ptrdiff_t)cols * (ptrdiff_t)sizeof(float);
    R->lo += b, R->hi += b, R->zlo += b, R->zhi += b;
    R->ax += cols, R->bx += cols;
}

/* Field of row r (lo-relative offset d) or row r + 1 (hi-relative), column c.
 * Fields are not const; lo is only because p^n is. (Integer arithmetic as
 * in dist would be the strict form, but costs GCC adds in the loops.) */
INLINE float *fld(const row_ctx *R, ptrdiff_t d, int c) {
    return (float *)(uintptr_t)(R->lo + d + (ptrdiff_t)c * 4);
}
INLINE float *fld1(const row_ctx *R, ptrdiff_t d, int c) {
    return (float *)(uintptr_t)(R->hi + d + (ptrdiff_t)c * 4);
}

/* k strides past b, 0 <= k <= 4 */
INLINE const float *strides(const row_ctx *R, const char *b, int k) {
    switch (k) {
    case 0:
        return (const float *)b;
    case 1:
        return (const float *)(b + R->s1);
    case 2:
        return (const float *)(b + 2 * R->s1);
    case 3:
        return (const float *)(b + R->s3);
    default:
        return (const float *)(b + 4 * R->s1);
    }
}

/* Row r + j, column c, of p^n (z = 0) or psi_z (z = 1); -H <= j <= H + 1. */
INLINE const float *row(const row_ctx *R, int z, int c, int j, const int H) {
    const char *b = j <= 0 ? (z ? R->zlo : R->lo) : (z ? R->zhi : R->hi);
    return strides(R, b + (ptrdiff_t)c * 4, j <= 0 ? H + j : j - 1);
}

/* acc + sum_j w_j (p[r0 + j][c] + p[r0 - j][c]), r0 = r + i */
INLINE __m256 d2z_acc(const weights *k, const row_ctx *R, int i, int c, const int H, __m256 acc) {
    for (int j = 1; j <= H; j++)
        acc = _mm256_fmadd_ps(k->w[j - 1],
                              _mm256_add_ps(LD(row(R, 0, c, i + j, H)), LD(row(R, 0, c, i - j, H))),
                              acc);
    return acc;
}

/* sum_j g_j (psi_z[r + j][c] - psi_z[r - j][c]) */
INLINE __m256 d1z(const weights *k, const row_ctx *R, int c, const int H) {
    __m256 acc = _mm256_setzero_ps();
    for (int j = 1; j <= H; j++)
        acc = mac(k->g[j - 1], _mm256_sub_ps(LD(row(R, 1, c, j, H)), LD(row(R, 1, c, -j, H))), acc,
                  j == 1);
    return acc;
}

/* The time update: 2 p - p^{n-1} + v^2 dt^2 lap, stored over p^{n-1}. */
INLINE void update(const weights *k, float *q, const float *v, __m256 pc, __m256 lap, int tail,
                   __m256i m) {
    const __m256 qq = _mm256_fmsub_ps(k->two, pc, LD(q));
    st8(q, _mm256_fmadd_ps(LD(v), lap, qq), tail, m);
}

/* ---- one vector of each kind ----
 * Kinds ending in 2 do rows r and r + 1 at once. An x edge (xe) is a zone
 * vector with a = b = 0 in all its columns (see band_h): psi_x and zeta_x
 * stay zero there, but d(psi_x)/dx from its neighbours counts. */

/* Interior cells: x and z tap pairs summed before one FMA per offset. */
INLINE void lean_vec(const weights *k, const row_ctx *R, int c, const int H, const int at,
                     const int xe, int tail, __m256i m) {
    const float *p = row(R, 0, c, 0, H);
    const xrow x = xrow_at(p, at);
    __m256 a0 = _mm256_mul_ps(k->w0x2, x.pc), a1 = a0;
    if (xe) a0 = _mm256_add_ps(a0, d1x(k, fld(R, R->dpsx, c), H, at));
    for (int j = 1; j <= H; j++) {
        const __m256 t =
            _mm256_add_ps(_mm256_add_ps(xtap(p, &x, j, at), xtap(p, &x, -j, at)),
                          _mm256_add_ps(LD(row(R, 0, c, j, H)), LD(row(R, 0, c, -j, H))));
        if (j & 1)
            a1 = mac(k->w[j - 1], t, a1, j == 1);
        else
            a0 = _mm256_fmadd_ps(k->w[j - 1], t, a0);
    }
    update(k, fld(R, R->dq, c), fld(R, R->dv, c), x.pc, _mm256_add_ps(a0, a1), tail, m);
}

INLINE void lean2_vec(const weights *k, const row_ctx *R, int c, const int H, const int at,
                      int tail, __m256i m) {
    const float *p0 = row(R, 0, c, 0, H), *p1 = row(R, 0, c, 1, H);
    const xrow x0 = xrow_at(p0, at), x1 = xrow_at(p1, at);
    __m256 a0 = _mm256_mul_ps(k->w0x2, x0.pc), a1 = a0;
    __m256 b0 = _mm256_mul_ps(k->w0x2, x1.pc), b1 = b0;
    for (int j = 1; j <= H; j++) {
        const __m256 t0 =
            _mm256_add_ps(_mm256_add_ps(xtap(p0, &x0, j, at), xtap(p0, &x0, -j, at)),
                          _mm256_add_ps(LD(row(R, 0, c, j, H)), LD(row(R, 0, c, -j, H))));
        const __m256 t1 =
            _mm256_add_ps(_mm256_add_ps(xtap(p1, &x1, j, at), xtap(p1, &x1, -j, at)),
                          _mm256_add_ps(LD(row(R, 0, c, 1 + j, H)), LD(row(R, 0, c, 1 - j, H))));
        if (j & 1) {
            a1 = mac(k->w[j - 1], t0, a1, j == 1);
            b1 = mac(k->w[j - 1], t1, b1, j == 1);
        } else {
            a0 = _mm256_fmadd_ps(k->w[j - 1], t0, a0);
            b0 = _mm256_fmadd_ps(k->w[j - 1], t1, b0);
        }
    }
    update(k, fld(R, R->dq, c), fld(R, R->dv, c), x0.pc, _mm256_add_ps(a0, a1), tail, m);
    update(k, fld1(R, R->dqh, c), fld1(R, R->dvh, c), x1.pc, _mm256_add_ps(b0, b1), tail, m);
}

/* z + d(psi_z)/dz, the new zeta_z stored, returns their sum. */
INLINE __m256 zterms(const weights *k, const row_ctx *R, int c, __m256 z, const int H, int tail,
                     __m256i m) {
    z = _mm256_add_ps(z, d1z(k, R, c, H));
    float *zz = fld(R, R->dzz, c);
    const __m256 zeta = _mm256_fmadd_ps(R->az, z, _mm256_mul_ps(R->bz, LD(zz)));
    st8(zz, zeta, tail, m);
    return _mm256_add_ps(z, zeta);
}

/* Cells of the top and bottom CPML between the x zones: the z terms only. */
INLINE void zpml_vec(const weights *k, const row_ctx *R, int c, const int H, const int at,
                     const int xe, int tail, __m256i m) {
    const float *p = row(R, 0, c, 0, H);
    const xrow x = xrow_at(p, at);
    const __m256 c0 = _mm256_mul_ps(k->w0, x.pc);
    const __m256 z = zterms(k, R, c, d2z_acc(k, R, 0, c, H, c0), H, tail, m);
    __m256 xx = d2x_acc(k, p, &x, H, at, c0);
    if (xe) xx = _mm256_add_ps(xx, d1x(k, fld(R, R->dpsx, c), H, at));
    update(k, fld(R, R->dq, c), fld(R, R->dv, c), x.pc, _mm256_add_ps(xx, z), tail, m);
}

/* x zones, first pass: psi_x = b psi_x + a dp/dx. */
INLINE void xpsi_row(const weights *k, const float *p, float *ps, __m256 a, __m256 b, const int H,
                     const int at, int tail, __m256i m) {
    st8(ps, _mm256_fmadd_ps(a, d1x(k, p, H, at), _mm256_mul_ps(b, LD(ps))), tail, m);
}

INLINE void xpsi_vec(const weights *k, const row_ctx *R, int c, const int H, const int at, int tail,
                     __m256i m) {
    xpsi_row(k, row(R, 0, c, 0, H), fld(R, R->dpsx, c), R->axv, R->bxv, H, at, tail, m);
}

INLINE void xpsi2_vec(const weights *k, const row_ctx *R, int c, const int H, const int at,
                      int tail, __m256i m) {
    xpsi_vec(k, R, c, H, at, tail, m);
    xpsi_row(k, row(R, 0, c, 1, H), fld1(R, R->dpsxh, c), R->axv, R->bxv, H, at, tail, m);
}

/* x zones, second pass: the cells. zeta_x = b zeta_x + a (p_xx + d(psi_x)/dx)
 * and the update with z, which holds p_zz and any z terms. c0 = w0 p. */
INLINE void xcells_row(const weights *k, const float *p, const xrow *x, const float *ps, float *zx,
                       float *q, const float *v, __m256 a, __m256 b, __m256 c0, __m256 z,
                       const int H, const int at, int tail, __m256i m) {
    const __m256 xs = _mm256_add_ps(d2x_acc(k, p, x, H, at, c0), d1x(k, ps, H, at));
    const __m256 zeta = _mm256_fmadd_ps(a, xs, _mm256_mul_ps(b, LD(zx)));
    st8(zx, zeta, tail, m);
    update(k, q, v, x->pc, _mm256_add_ps(_mm256_add_ps(xs, z), zeta), tail, m);
}

/* One row; rw: a and b loaded by column (along rows), else the strip's. The
 * z terms go first: they need nothing else, so their loads and chains start
 * early. */
INLINE void xcells_vec(const weights *k, const row_ctx *R, int c, const int H, const int doz,
                       const int rw, const int at, int tail, __m256i m) {
    const float *p = row(R, 0, c, 0, H);
    const xrow x = xrow_at(p, at);
    const __m256 c0 = _mm256_mul_ps(k->w0, x.pc);
    __m256 z = d2z_acc(k, R, 0, c, H, c0);
    if (doz) z = zterms(k, R, c, z, H, tail, m);
    xcells_row(k, p, &x, fld(R, R->dpsx, c), fld(R, R->dzx, c), fld(R, R->dq, c), fld(R, R->dv, c),
               rw ? LD(R->ax + c) : R->axv, rw ? LD(R->bx + c) : R->bxv, c0, z, H, at, tail, m);
}

/* Two rows, no z terms (with them this spills). */
INLINE void xcells2_vec(const weights *k, const row_ctx *R, int c, const int H, const int at,
                        int tail, __m256i m) {
    const float *p0 = row(R, 0, c, 0, H), *p1 = row(R, 0, c, 1, H);
    const xrow x0 = xrow_at(p0, at), x1 = xrow_at(p1, at);
    const __m256 c00 = _mm256_mul_ps(k->w0, x0.pc), c01 = _mm256_mul_ps(k->w0, x1.pc);
    const __m256 z0 = d2z_acc(k, R, 0, c, H, c00), z1 = d2z_acc(k, R, 1, c, H, c01);
    xcells_row(k, p0, &x0, fld(R, R->dpsx, c), fld(R, R->dzx, c), fld(R, R->dq, c),
               fld(R, R->dv, c), R->axv, R->bxv, c00, z0, H, at, tail, m);
    xcells_row(k, p1, &x1, fld1(R, R->dpsxh, c), fld1(R, R->dzxh, c), fld1(R, R->dqh, c),
               fld1(R, R->dvh, c), R->axv, R->bxv, c01, z1, H, at, tail, m);
}

enum {
    K_LEAN,     /* interior, one row (rows walk) */
    K_LEAN2,    /* interior, two rows */
    K_PML_Z,    /* top / bottom CPML between the x zones */
    K_LEAN_XE,  /* x edge without z terms */
    K_PML_Z_XE, /* x edge with z terms */
    K_XPSI,     /* psi_x, one row (strips) */
    K_XPSI2,    /* psi_x, two rows */
    K_XCELLS,   /* x-zone cells, one row (strips) */
    K_XCELLS2,  /* x-zone cells, two rows */
    K_XCELLS_Z, /* x-zone cells with z terms (strips) */
    K_XCELLS_ZR /* the same along a row */
};

INLINE void vec(const weights *k, const row_ctx *R, int c, const int H, const int kind,
                const int at, int tail, __m256i m) {
    switch (kind) {
    case K_LEAN:
    case K_LEAN_XE:
        lean_vec(k, R, c, H, at, kind == K_LEAN_XE, tail, m);
        break;
    case K_LEAN2:
        lean2_vec(k, R, c, H, at, tail, m);
        break;
    case K_PML_Z:
    case K_PML_Z_XE:
        zpml_vec(k, R, c, H, at, kind == K_PML_Z_XE, tail, m);
        break;
    case K_XPSI:
        xpsi_vec(k, R, c, H, at, tail, m);
        break;
    case K_XPSI2:
        xpsi2_vec(k, R, c, H, at, tail, m);
        break;
    case K_XCELLS2:
        xcells2_vec(k, R, c, H, at, tail, m);
        break;
    default:
        xcells_vec(k, R, c, H, kind != K_XCELLS, kind == K_XCELLS_ZR, at, tail, m);
        break;
    }
}

/* Empty asm once per loop iteration over the offsets a kind uses: they then
 * count as changed each time, so GCC keeps them as index registers rather
 * than turning each field into a pointer of its own to bump. */
INLINE void opaque(row_ctx *R, const int kind) {
    const int psi = kind == K_XPSI || kind == K_XPSI2;
    const int two = kind == K_LEAN2 || kind == K_XPSI2 || kind == K_XCELLS2;
    const int cells = kind >= K_XCELLS, z = kind == K_PML_Z || kind == K_PML_Z_XE ||
                                            kind == K_XCELLS_Z || kind == K_XCELLS_ZR;
    __asm__("" : "+r"(R->s1));
    if (!psi) __asm__("" : "+r"(R->s3), "+r"(R->dq), "+r"(R->dv));
    if (two && !psi) __asm__("" : "+r"(R->dqh), "+r"(R->dvh));
    if (kind >= K_LEAN_XE) __asm__("" : "+r"(R->dpsx));
    if (kind == K_XPSI2 || kind == K_XCELLS2) __asm__("" : "+r"(R->dpsxh));
    if (cells) __asm__("" : "+r"(R->dzx));
    if (kind == K_XCELLS2) __asm__("" : "+r"(R->dzxh));
    if (z) __asm__("" : "+r"(R->dzz));
}

/* ---- loops ---- */

/* Columns [c0, c1) of one row (or row pair), one kind of vector. Vectors
 * alternate between the two halves of a cache line, so after at most one
 * LINE1 vector the loop takes them in (LINE0, LINE1) pairs. The row pointers
 * move with the column (c is 0 or W in vec): addresses stay base + offset. */
INLINE void walk(const weights *k, const row_ctx *R0, int c0, int c1, const int H, const int kind) {
    const __m256i all = _mm256_set1_epi32(-1);
    row_ctx L = *R0;
    row_ctx *R = &L;
    int c = c0;
    if (c >= c1) return;
    advance(R, c0);
    if (line_half(row(R, 0, 0, 0, H)) == ANY) {
        for (; c + W <= c1; c += W) {
            opaque(R, kind);
            vec(k, R, 0, H, kind, ANY, 0, all);
            advance(R, W);
        }
    } else {
        if (c + W <= c1 && line_half(row(R, 0, 0, 0, H)) == LINE1)
            vec(k, R, 0, H, kind, LINE1, 0, all), c += W, advance(R, W);
        for (; c + 2 * W <= c1; c += 2 * W) {
            opaque(R, kind);
            vec(k, R, 0, H, kind, LINE0, 0, all);
            vec(k, R, W, H, kind, LINE1, 0, all);
            advance(R, 2 * W);
        }
        if (c + W <= c1) vec(k, R, 0, H, kind, LINE0, 0, all), c += W, advance(R, W);
    }
    if (c < c1) vec(k, R, 0, H, kind, ANY, 1, tail_mask(c1 - c));
}

/* x-edge vectors [c0, c1) of the row at R */
INLINE void x_edge(const weights *k, row_ctx *R, int c0, int c1, const int H, const int kind,
                   int lines) {
    const __m256i all = _mm256_set1_epi32(-1);
    for (int c = c0; c < c1; c += W) {
        opaque(R, kind);
        switch (lines ? line_half(row(R, 0, c, 0, H)) : ANY) {
        case LINE0:
            vec(k, R, c, H, kind, LINE0, 0, all);
            break;
        case LINE1:
            vec(k, R, c, H, kind, LINE1, 0, all);
            break;
        default:
            vec(k, R, c, H, kind, ANY, 0, all);
            break;
        }
    }
}

/* One x-zone vector column down all rows of the band (R at row 0): a, b,
 * the line half and the tail mask hold for every row, so the loop body has
 * no branches. */
INLINE void xstrip(const weights *k, row_ctx R, const si_fd_fields *f, int nrows, int c,
                   const int H, const int kind, const int at, int tail, __m256i m) {
    const float *az = f->az, *bz = f->bz; /* locals: vector stores may alias *f */
    R.axv = LD(f->ax + c), R.bxv = LD(f->bx + c);
    advance(&R, c); /* column c becomes column 0 */
    int r = 0;
    if (kind != K_XCELLS_Z)
        for (; r + 2 <= nrows; r += 2) {
            const int k2 = kind == K_XPSI ? K_XPSI2 : K_XCELLS2;
            opaque(&R, k2);
            vec(k, &R, 0, H, k2, at, tail, m);
            next_row(&R), next_row(&R);
        }
    for (; r < nrows; r++) {
        opaque(&R, kind);
        if (kind == K_XCELLS_Z)
            R.az = _mm256_broadcast_ss(az + r), R.bz = _mm256_broadcast_ss(bz + r);
        vec(k, &R, 0, H, kind, at, tail, m);
        next_row(&R);
    }
}

/* Strips go through this non-inlined function: inlined into the band, GCC
 * kept the band's values in registers and spilled the strip loop's. A call
 * per column costs a few cycles against hundreds. */
static __attribute__((noinline)) void run_strip(const weights *k, const row_ctx *R,
                                                const si_fd_fields *f, int nrows, int c, int H,
                                                int kind, int at, int tail, __m256i m) {
    const __m256i all = _mm256_set1_epi32(-1);
#define STRIP_AT(h, kd)                                                                            \
    if (tail)                                                                                      \
        xstrip(k, *R, f, nrows, c, h, kd, ANY, 1, m);                                              \
    else if (at == LINE0)                                                                          \
        xstrip(k, *R, f, nrows, c, h, kd, LINE0, 0, all);                                          \
    else if (at == LINE1)                                                                          \
        xstrip(k, *R, f, nrows, c, h, kd, LINE1, 0, all);                                          \
    else                                                                                           \
        xstrip(k, *R, f, nrows, c, h, kd, ANY, 0, all)
#define STRIP(h)                                                                                   \
    if (kind == K_XPSI) {                                                                          \
        STRIP_AT(h, K_XPSI);                                                                       \
    } else if (kind == K_XCELLS) {                                                                 \
        STRIP_AT(h, K_XCELLS);                                                                     \
    } else {                                                                                       \
        STRIP_AT(h, K_XCELLS_Z);                                                                   \
    }
    switch (H) {
    case 4:
        STRIP(4);
        break;
    case 2:
        STRIP(2);
        break;
    default:
        STRIP(1);
        break;
    }
#undef STRIP
#undef STRIP_AT
}

/* Vector columns [c0, c1) of an x zone as strips. */
static void xcolumns(const weights *k, const row_ctx *R, const si_fd_fields *f, int nrows, int c0,
                     int c1, int H, int kind, int lines) {
    for (int c = c0; c < c1; c += W) {
        const int tail = c + W > c1;
        run_strip(k, R, f, nrows, c, H, kind, lines ? line_half(f->cur + c) : ANY, tail,
                  tail ? tail_mask(c1 - c) : _mm256_set1_epi32(-1));
    }
}

/* 1 if a = b = 0 in columns [c, c + W) */
static int x_inactive(const si_fd_fields *f, int c) {
    for (int i = c; i < c + W; i++)
        if (f->ax[i] != 0.0f || f->bx[i] != 0.0f) return 0;
    return 1;
}

/* psi_x of every x-zone cell first (it reads p^n of its own row only, so all
 * rows can go before any cell), then the cells.
 * X edges: whole zone vectors next to the interior with a = b = 0 (the
 * `half` columns a zone carries beyond the CPML, when they fill a vector).
 * psi_x and zeta_x stay zero there (b = 0 clears them each step, and the
 * fields start at zero), so those vectors skip both x passes and go with
 * the interior, plus d(psi_x)/dx.
 * The line halves hold down a column when the stride is whole cache lines;
 * the x cells also take psi_x taps, so psi_x must sit like p. Else plain
 * loads (ANY). */
INLINE void band_h(const si_fd_stencil *st, const si_fd_fields *f, const si_fd_band *b, const int H,
                   const int doz) {
    const weights k = load_weights(st);
    const int n = b->nrows;
    int xl = b->xl, xr = b->xr;
    if (xl % W == 0)
        while (xl >= W && x_inactive(f, xl - W))
            xl -= W;
    while (xr + W <= b->ncols && x_inactive(f, xr))
        xr += W;
    const int lines = (f->stride * (ptrdiff_t)sizeof(float)) % 64 == 0 &&
                      ((uintptr_t)f->cur - (uintptr_t)f->psi_x) % 64 == 0;
    /* cells with z terms (CPML corners) go along the rows below */
    const int rowx = doz && lines;
    const row_ctx R0 = band_ctx(f, H);
    xcolumns(&k, &R0, f, n, 0, xl, H, K_XPSI, lines);
    xcolumns(&k, &R0, f, n, xr, b->ncols, H, K_XPSI, lines);
    if (!rowx) {
        const int kind = doz ? K_XCELLS_Z : K_XCELLS;
        xcolumns(&k, &R0, f, n, 0, xl, H, kind, lines);
        xcolumns(&k, &R0, f, n, xr, b->ncols, H, kind, lines);
    }
    /* a copy whose address never leaves this function: its fields can stay
     * in registers */
    row_ctx R = band_ctx(f, H);
    const int ek = doz ? K_PML_Z_XE : K_LEAN_XE;
    int r = 0;
    if (!doz)
        for (; r + 2 <= n; r += 2) {
            walk(&k, &R, b->xl, b->xr, H, K_LEAN2);
            for (int i = 0; i < 2; i++, next_row(&R)) {
                x_edge(&k, &R, xl, b->xl, H, ek, lines);
                x_edge(&k, &R, b->xr, xr, H, ek, lines);
            }
        }
    for (; r < n; r++) {
        if (doz) R.az = _mm256_set1_ps(f->az[r]), R.bz = _mm256_set1_ps(f->bz[r]);
        if (rowx) {
            walk(&k, &R, 0, xl, H, K_XCELLS_ZR);
            walk(&k, &R, xr, b->ncols, H, K_XCELLS_ZR);
        }
        walk(&k, &R, b->xl, b->xr, H, doz ? K_PML_Z : K_LEAN);
        x_edge(&k, &R, xl, b->xl, H, ek, lines);
        x_edge(&k, &R, b->xr, xr, H, ek, lines);
        next_row(&R);
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

INLINE void psi_z_store(float *ps, __m256 v, int c, int ncols) {
    if (c + W <= ncols)
        _mm256_storeu_ps(ps + c, v);
    else
        _mm256_maskstore_ps(ps + c, tail_mask(ncols - c), v);
}

/* psi = b psi + a dp/dz, two rows at a time: rows r and r + 1 share 2H - 2
 * taps (rw[j] is row r - H + j). Few streams: one pointer per row fits. */
INLINE void psi_z_h(const si_fd_stencil *st, float *psi, const float *p, const float *a,
                    const float *b, ptrdiff_t s, int nrows, int ncols, const int H) {
    const weights k = load_weights(st);
    int r = 0;
    for (; r + 2 <= nrows; r += 2) {
        const float *rw[2 * 4 + 2];
        for (int j = 0; j <= 2 * H + 1; j++)
            rw[j] = p + (r - H + j) * s;
        float *p0 = psi + r * s, *p1 = p0 + s;
        const __m256 a0 = _mm256_set1_ps(a[r]), b0 = _mm256_set1_ps(b[r]);
        const __m256 a1 = _mm256_set1_ps(a[r + 1]), b1 = _mm256_set1_ps(b[r + 1]);
        for (int c = 0; c < ncols; c += W) {
            __m256 d0 = _mm256_setzero_ps(), d1 = d0;
            for (int j = 1; j <= H; j++) {
                d0 = mac(k.g[j - 1], _mm256_sub_ps(LD(rw[H + j] + c), LD(rw[H - j] + c)), d0,
                         j == 1);
                d1 = mac(k.g[j - 1], _mm256_sub_ps(LD(rw[H + 1 + j] + c), LD(rw[H + 1 - j] + c)),
                         d1, j == 1);
            }
            psi_z_store(p0, _mm256_fmadd_ps(a0, d0, _mm256_mul_ps(b0, LD(p0 + c))), c, ncols);
            psi_z_store(p1, _mm256_fmadd_ps(a1, d1, _mm256_mul_ps(b1, LD(p1 + c))), c, ncols);
        }
    }
    for (; r < nrows; r++) {
        float *ps = psi + r * s;
        const float *pr = p + r * s;
        const __m256 ar = _mm256_set1_ps(a[r]), br = _mm256_set1_ps(b[r]);
        for (int c = 0; c < ncols; c += W) {
            __m256 d = _mm256_setzero_ps();
            for (int j = 1; j <= H; j++)
                d = mac(k.g[j - 1], _mm256_sub_ps(LD(pr + j * s + c), LD(pr - j * s + c)), d,
                        j == 1);
            psi_z_store(ps, _mm256_fmadd_ps(ar, d, _mm256_mul_ps(br, LD(ps + c))), c, ncols);
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
