/* NEON FD kernels: 4 cells per vector along a row, ARMv7 NEON-VFPv4
 * intrinsics only, so one file serves aarch64 AdvSIMD and armhf. The
 * structure of fd-avx512.c (read that first: psi_x kept in registers across
 * an x-CPML zone, the half-width and the CPML terms compile-time constants).
 * Differences:
 * - NEON has no masked store: the one partial vector a zone can end with
 *   (zone borders sit on multiples of 4, so only at a row's end) is computed
 *   whole and stored lane by lane.
 * - x taps are unaligned loads, not lane shifts: with two load and two
 *   vector pipes (Cortex-A7x, Neoverse) shifts would make the vector pipes
 *   the bottleneck.
 * - 2 p^n - p^{n-1} is (p + p) - p^{n-1}: p + p is exact, so it rounds as
 *   the fused form does.
 * - Each row is a call of its own (see ROW_FN) and the corner cells take
 *   their z terms in a separate pass, which keeps every column loop free of
 *   spills on aarch64 (checked with objdump; armhf's 16 q registers do spill). */
#include <arm_neon.h>
#include <stdint.h>

#include "fd.h"

#define INLINE static inline __attribute__((always_inline))
#define LD vld1q_f32
#define W 4

/* Lanes [0, n) of v to dst, 0 < n < W. */
INLINE void st_part(float *dst, float32x4_t v, int n) {
    if (n & 2) {
        vst1_f32(dst, vget_low_f32(v));
        if (n & 1) vst1q_lane_f32(dst + 2, v, 2);
    } else {
        vst1q_lane_f32(dst, v, 0);
    }
}

/* A whole vector (n = W) or its first n lanes. */
INLINE void st4(float *dst, float32x4_t v, int n) {
    if (n == W)
        vst1q_f32(dst, v);
    else
        st_part(dst, v, n);
}

/* v with lanes [n, W) zeroed. */
INLINE float32x4_t keep_lanes(float32x4_t v, int n) {
    static const uint32_t m[2 * W] = {~0u, ~0u, ~0u, ~0u, 0, 0, 0, 0};
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), vld1q_u32(m + W - n)));
}

typedef struct {
    float32x4_t w0, w0x2, w[4], g[4];
} weights;

INLINE weights load_weights(const si_fd_stencil *st) {
    weights k;
    k.w0 = vdupq_n_f32(st->w0);
    k.w0x2 = vdupq_n_f32(2.0f * st->w0);
    for (int i = 0; i < 4; i++)
        k.w[i] = vdupq_n_f32(st->w[i]), k.g[i] = vdupq_n_f32(st->g[i]);
    return k;
}

/* 2 p^n - p^{n-1} */
INLINE float32x4_t leap(float32x4_t pc, float32x4_t prev) {
    return vsubq_f32(vaddq_f32(pc, pc), prev);
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
    float32x4_t az, bz;
} row_ctx;

/* sum_j g_j (f[row + j][c] - f[row - j][c]) */
INLINE float32x4_t d1z(const weights *k, const rows *f, int c, const int H) {
    float32x4_t s = vmulq_f32(k->g[0], vsubq_f32(LD(f->dn[0] + c), LD(f->up[0] + c)));
    for (int j = 2; j <= H; j++)
        s = vfmaq_f32(s, k->g[j - 1], vsubq_f32(LD(f->dn[j - 1] + c), LD(f->up[j - 1] + c)));
    return s;
}

/* Interior cells: x and z tap pairs summed before one multiply per offset;
 * two accumulators halve the FMA dependency chain. */
INLINE void lean_vec(const weights *k, const row_ctx *R, int c, const int H, int n) {
    const float *p = R->p.p + c;
    const float32x4_t pc = LD(p);
    float32x4_t a0 = vmulq_f32(k->w0x2, pc), a1 = vdupq_n_f32(0.0f);
    for (int j = 1; j <= H; j++) {
        float32x4_t t = vaddq_f32(vaddq_f32(LD(p + j), LD(p - j)),
                                  vaddq_f32(LD(R->p.up[j - 1] + c), LD(R->p.dn[j - 1] + c)));
        if (j & 1)
            a1 = vfmaq_f32(a1, k->w[j - 1], t);
        else
            a0 = vfmaq_f32(a0, k->w[j - 1], t);
    }
    const float32x4_t q = leap(pc, LD(R->q + c));
    st4(R->q + c, vfmaq_f32(q, LD(R->v + c), vaddq_f32(a0, a1)), n);
}

/* Cells of the top and bottom CPML between the x zones: the z terms only. */
INLINE void zpml_vec(const weights *k, const row_ctx *R, int c, const int H, int n) {
    const float *p = R->p.p + c;
    const float32x4_t pc = LD(p);
    float32x4_t x = vmulq_f32(k->w0, pc), z = x;
    for (int j = 1; j <= H; j++) {
        x = vfmaq_f32(x, k->w[j - 1], vaddq_f32(LD(p + j), LD(p - j)));
        z = vfmaq_f32(z, k->w[j - 1], vaddq_f32(LD(R->p.up[j - 1] + c), LD(R->p.dn[j - 1] + c)));
    }
    z = vaddq_f32(z, d1z(k, &R->psz, c, H));
    const float32x4_t zeta = vfmaq_f32(vmulq_f32(R->az, z), R->bz, LD(R->zz + c));
    st4(R->zz + c, zeta, n);
    z = vaddq_f32(z, zeta);
    const float32x4_t q = leap(pc, LD(R->q + c));
    st4(R->q + c, vfmaq_f32(q, LD(R->v + c), vaddq_f32(x, z)), n);
}

enum { K_LEAN, K_PML_Z };

/* Columns [c0, c1) of one row of a band's middle: plain or with z terms. */
INLINE void zone(const weights *k, const row_ctx *R, int c0, int c1, const int H, const int kind) {
    int c = c0;
    for (; c + W <= c1; c += W) {
        if (kind == K_LEAN)
            lean_vec(k, R, c, H, W);
        else
            zpml_vec(k, R, c, H, W);
    }
    if (c < c1) {
        if (kind == K_LEAN)
            lean_vec(k, R, c, H, c1 - c);
        else
            zpml_vec(k, R, c, H, c1 - c);
    }
}

/* ---- x-CPML zones: psi_x kept in registers ----
 * As in fd-avx2.c: vector v+1's psi_x is computed (and stored) before vector
 * v's cells, which take d(psi_x)/dx from the three psi vectors around them
 * by lane shifts (vext); with W = 4 >= half every tap lies in those three.
 * In the corners (x zones of the top and bottom bands) the z terms of a
 * block of columns go first, into a small buffer: with everything in one
 * loop its 24 pointer streams and ~30 live vectors would spill. */

enum { XB = 32 }; /* corner block, floats: a multiple of W */

/* Lanes j..j+3 of [lo, hi], 0 <= j <= 4. vext needs an immediate: the
 * switch folds away once j is a constant (always, after inlining). */
INLINE float32x4_t shift_in(float32x4_t hi, float32x4_t lo, const int j) {
    switch (j) {
    case 0:
        return lo;
    case 1:
        return vextq_f32(lo, hi, 1);
    case 2:
        return vextq_f32(lo, hi, 2);
    case 3:
        return vextq_f32(lo, hi, 3);
    default:
        return hi;
    }
}

/* One vector's p^n, p_xx and new psi_x (zero in lanes outside the zone). */
typedef struct {
    float32x4_t pc, pxx, psi;
} xprep;

INLINE xprep xzone_prep(const weights *k, const row_ctx *R, int c, const int H, int n) {
    const float *p = R->p.p + c;
    xprep o;
    o.pc = LD(p);
    float32x4_t s = vmulq_f32(k->w0, o.pc), d = vdupq_n_f32(0.0f);
    for (int j = 1; j <= H; j++) {
        const float32x4_t a = LD(p + j), b = LD(p - j);
        s = vfmaq_f32(s, k->w[j - 1], vaddq_f32(a, b));
        d = vfmaq_f32(d, k->g[j - 1], vsubq_f32(a, b));
    }
    o.pxx = s;
    o.psi = vfmaq_f32(vmulq_f32(LD(R->ax + c), d), LD(R->bx + c), LD(R->psx + c));
    if (n < W) o.psi = keep_lanes(o.psi, n);
    st4(R->psx + c, o.psi, n);
    return o;
}

/* p_zz alone (rows without z terms). */
INLINE float32x4_t pzz(const weights *k, const row_ctx *R, int c, const int H, float32x4_t pc) {
    float32x4_t z = vmulq_f32(k->w0, pc);
    for (int j = 1; j <= H; j++)
        z = vfmaq_f32(z, k->w[j - 1], vaddq_f32(LD(R->p.up[j - 1] + c), LD(R->p.dn[j - 1] + c)));
    return z;
}

/* Corner columns [c, e): zeta_z updated, and p_zz + d(psi_z)/dz + zeta_z to
 * zb[0, e - c) (rounded up to whole vectors). */
INLINE void corner_z(const weights *k, const row_ctx *R, int c, int e, const int H, float *zb) {
    for (; c < e; c += W, zb += W) {
        float32x4_t z = vaddq_f32(pzz(k, R, c, H, LD(R->p.p + c)), d1z(k, &R->psz, c, H));
        const float32x4_t zz = vfmaq_f32(vmulq_f32(R->az, z), R->bz, LD(R->zz + c));
        vst1q_f32(zb, vaddq_f32(z, zz));
        if (c + W > e) {
            st_part(R->zz + c, zz, e - c);
            break;
        }
        vst1q_f32(R->zz + c, zz);
    }
}

/* The cells of one vector, given its z part (see corner_z and pzz). */
INLINE void xzone_cells(const weights *k, const row_ctx *R, int c, const int H, const xprep *cur,
                        float32x4_t psi_l, float32x4_t psi_r, float32x4_t z, int n) {
    float32x4_t dpsi = vdupq_n_f32(0.0f);
    for (int j = 1; j <= H; j++)
        dpsi = vfmaq_f32(
            dpsi, k->g[j - 1],
            vsubq_f32(shift_in(psi_r, cur->psi, j), shift_in(cur->psi, psi_l, W - j)));
    float32x4_t x = vaddq_f32(cur->pxx, dpsi);
    const float32x4_t zeta = vfmaq_f32(vmulq_f32(LD(R->ax + c), x), LD(R->bx + c), LD(R->zx + c));
    st4(R->zx + c, zeta, n);
    x = vaddq_f32(x, zeta);
    const float32x4_t q = leap(cur->pc, LD(R->q + c));
    st4(R->q + c, vfmaq_f32(q, LD(R->v + c), vaddq_f32(x, z)), n);
}

/* Columns [c0, c1) of one row with the x terms. psi_x is zero just outside
 * the zone (halo, or non-CPML columns where a = b = 0). Block by block (one
 * block without z terms); in each, the main loop runs while this vector and
 * the next are whole, so it carries no tail logic; the last one or two
 * vectors of the zone, the only ones that can be partial, follow. */
INLINE void xzone(const weights *k, const row_ctx *R, int c0, int c1, const int H, const int doz) {
    if (c1 <= c0) return;
    float zb[XB];
    int c = c0, n = c1 - c0 < W ? c1 - c0 : W;
    xprep cur = xzone_prep(k, R, c, H, n), next;
    float32x4_t psi_l = vdupq_n_f32(0.0f);
    while (c < c1) {
        const int b = c, e = doz && c1 - c > XB ? c + XB : c1;
        if (doz) corner_z(k, R, b, e, H, zb);
#define ZPART(c) (doz ? vld1q_f32(zb + (c) - b) : pzz(k, R, (c), H, cur.pc))
        const int hot_end = e < c1 - W ? e : c1 - W; /* c + W <= e, next whole */
        for (; c + W <= hot_end; c += W) {
            next = xzone_prep(k, R, c + W, H, W);
            xzone_cells(k, R, c, H, &cur, psi_l, next.psi, ZPART(c), W);
            psi_l = cur.psi, cur = next;
        }
        for (; c < e; c += W) {
            const int cn = c + W;
            int nn = W;
            if (cn < c1) {
                nn = c1 - cn < W ? c1 - cn : W;
                next = xzone_prep(k, R, cn, H, nn);
            } else {
                next.psi = vdupq_n_f32(0.0f);
            }
            xzone_cells(k, R, c, H, &cur, psi_l, next.psi, ZPART(c), n);
            psi_l = cur.psi, cur = next, n = nn;
        }
#undef ZPART
    }
}

/* One row: the zones left to right. Not inlined into the row loop, so the
 * column loops get the registers the row loop would otherwise keep. */
#define ROW_FN(H, DOZ)                                                                             \
    static __attribute__((noinline)) void row_##H##_##DOZ(const weights *kp, const row_ctx *Rp,   \
                                                          const si_fd_band *b) {                   \
        const weights k = *kp; /* local copies: stores to the fields cannot alias them */          \
        const row_ctx R = *Rp;                                                                     \
        xzone(&k, &R, 0, b->xl, H, DOZ);                                                           \
        zone(&k, &R, b->xl, b->xr, H, DOZ ? K_PML_Z : K_LEAN);                                     \
        xzone(&k, &R, b->xr, b->ncols, H, DOZ);                                                    \
    }
ROW_FN(1, 0)
ROW_FN(1, 1)
ROW_FN(2, 0)
ROW_FN(2, 1)
ROW_FN(4, 0)
ROW_FN(4, 1)
#undef ROW_FN

typedef void (*row_fn)(const weights *k, const row_ctx *R, const si_fd_band *b);

INLINE void band_h(const si_fd_stencil *st, const si_fd_fields *f, const si_fd_band *b, const int H,
                   const int doz, row_fn row) {
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
            R.az = vdupq_n_f32(f->az[r]), R.bz = vdupq_n_f32(f->bz[r]);
        }
        row(&k, &R, b);
    }
}

static void band_neon(const si_fd_stencil *st, const si_fd_fields *f, const si_fd_band *b) {
    switch (st->half * 2 + (b->zterms != 0)) {
    case 9:
        band_h(st, f, b, 4, 1, row_4_1);
        break;
    case 8:
        band_h(st, f, b, 4, 0, row_4_0);
        break;
    case 5:
        band_h(st, f, b, 2, 1, row_2_1);
        break;
    case 4:
        band_h(st, f, b, 2, 0, row_2_0);
        break;
    case 3:
        band_h(st, f, b, 1, 1, row_1_1);
        break;
    default:
        band_h(st, f, b, 1, 0, row_1_0);
        break;
    }
}

INLINE void psi_z_h(const si_fd_stencil *st, float *psi, const float *p, const float *a,
                    const float *b, ptrdiff_t s, int nrows, int ncols, const int H) {
    const weights k = load_weights(st);
    for (int r = 0; r < nrows; r++) {
        const rows pr = row_ptrs(p + r * s, s, H);
        float *ps = psi + r * s;
        const float32x4_t ar = vdupq_n_f32(a[r]), br = vdupq_n_f32(b[r]);
        int c = 0;
        for (; c + W <= ncols; c += W)
            vst1q_f32(ps + c, vfmaq_f32(vmulq_f32(ar, d1z(&k, &pr, c, H)), br, LD(ps + c)));
        if (c < ncols)
            st_part(ps + c, vfmaq_f32(vmulq_f32(ar, d1z(&k, &pr, c, H)), br, LD(ps + c)),
                    ncols - c);
    }
}

static void psi_z_neon(const si_fd_stencil *st, float *psi, const float *p, const float *a,
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

const si_fd_kernels si_fd_kernels_neon = {
    .isa = SI_ISA_NEON, .align = W, .band = band_neon, .psi_z = psi_z_neon};
