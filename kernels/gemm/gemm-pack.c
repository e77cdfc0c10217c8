/* Packing A into MR-row panels and B into NR-column panels (layout in gemm.h),
 * zero-padded past the edge so the micro-kernels never see a tail. */
#include <string.h>

#include "gemm.h"

/* Panels of width w whose source rows run along the panels (A transposed,
 * B as stored): d_q[p*w + r] = s[p*ld + q*w + r] for the panels q of a block
 * `cols` wide. Eight rows at a time across all panels: the source streams
 * in order (im2col rows lie far apart) while each panel gets a contiguous
 * run, not one line per panel per row (panels are kc·w apart, which maps
 * them all onto one L1 set). Fixed-size copies become vector moves. */
static void pack_wide(size_t w, size_t kc, size_t cols, size_t valid, const float *s, size_t ld,
                      float *d) {
    const size_t full = valid / w, panels = (cols + w - 1) / w, step = kc * w;
    for (size_t p0 = 0; p0 < kc; p0 += 8) {
        const size_t p1 = kc - p0 < 8 ? kc : p0 + 8;
        for (size_t q = 0; q < panels; q++) {
            float *dq = d + q * step;
            const float *sq = s + q * w;
            if (q < full) {
                switch (w) { /* the tile widths of the kernel tables */
                case 8:
                    for (size_t p = p0; p < p1; p++)
                        memcpy(dq + p * 8, sq + p * ld, 8 * sizeof *d);
                    continue;
                case 12:
                    for (size_t p = p0; p < p1; p++)
                        memcpy(dq + p * 12, sq + p * ld, 12 * sizeof *d);
                    continue;
                case 16:
                    for (size_t p = p0; p < p1; p++)
                        memcpy(dq + p * 16, sq + p * ld, 16 * sizeof *d);
                    continue;
                case 32:
                    for (size_t p = p0; p < p1; p++)
                        memcpy(dq + p * 32, sq + p * ld, 32 * sizeof *d);
                    continue;
                default:
                    break;
                }
            }
            size_t n = valid > q * w ? valid - q * w : 0; /* a tail panel, zero-padded */
            if (n > w) n = w;
            for (size_t p = p0; p < p1; p++) {
                for (size_t r = 0; r < n; r++)
                    dq[p * w + r] = sq[p * ld + r];
                for (size_t r = n; r < w; r++)
                    dq[p * w + r] = 0.0f;
            }
        }
    }
}

/* One panel of width w whose source runs along K (A as stored, B transposed:
 * a Linear weight): d[p*w + r] = s[r*ld + p]. K-step by K-step so the writes
 * are contiguous and the w source rows each stream in order; a fixed w lets
 * the compiler unroll the gather. */
static inline void pack_deep_w(size_t w, size_t kc, const float *s, size_t ld, float *d) {
    for (size_t p = 0; p < kc; p++, d += w)
        for (size_t r = 0; r < w; r++)
            d[r] = s[r * ld + p];
}

static void pack_deep(size_t w, size_t kc, size_t valid, const float *s, size_t ld, float *d) {
    if (valid == w) {
        switch (w) { /* the tile sizes of the kernel tables */
        case 4:
            pack_deep_w(4, kc, s, ld, d);
            return;
        case 6:
            pack_deep_w(6, kc, s, ld, d);
            return;
        case 8:
            pack_deep_w(8, kc, s, ld, d);
            return;
        case 12:
            pack_deep_w(12, kc, s, ld, d);
            return;
        case 16:
            pack_deep_w(16, kc, s, ld, d);
            return;
        case 32:
            pack_deep_w(32, kc, s, ld, d);
            return;
        default:
            pack_deep_w(w, kc, s, ld, d);
            return;
        }
    }
    for (size_t p = 0; p < kc; p++, d += w) { /* an edge panel, zero-padded */
        for (size_t r = 0; r < valid; r++)
            d[r] = s[r * ld + p];
        for (size_t r = valid; r < w; r++)
            d[r] = 0.0f;
    }
}

void si_gemm_pack_a_block(size_t mr, size_t mc, size_t kc, const float *a, size_t lda,
                          unsigned trans, size_t i0, size_t p0, size_t m, float *dst) {
    const size_t valid = i0 >= m ? 0 : (m - i0 < mc ? m - i0 : mc);
    if (trans & SI_GEMM_TRANS_A) {
        pack_wide(mr, kc, mc, valid, a + p0 * lda + i0, lda, dst);
        return;
    }
    for (size_t r0 = 0; r0 < mc; r0 += mr, dst += kc * mr) {
        size_t v = valid > r0 ? valid - r0 : 0;
        pack_deep(mr, kc, v < mr ? v : mr, v ? a + (i0 + r0) * lda + p0 : a, lda, dst);
    }
}

void si_gemm_pack_b_block(size_t nr, size_t nc, size_t kc, const float *b, size_t ldb,
                          unsigned trans, size_t p0, size_t j0, size_t n, float *dst) {
    const size_t valid = j0 >= n ? 0 : (n - j0 < nc ? n - j0 : nc);
    if (!(trans & SI_GEMM_TRANS_B)) {
        pack_wide(nr, kc, nc, valid, b + p0 * ldb + j0, ldb, dst);
        return;
    }
    for (size_t c0 = 0; c0 < nc; c0 += nr, dst += kc * nr) {
        size_t v = valid > c0 ? valid - c0 : 0;
        pack_deep(nr, kc, v < nr ? v : nr, v ? b + (j0 + c0) * ldb + p0 : b, ldb, dst);
    }
}

static size_t round_up(size_t x, size_t to) {
    return (x + to - 1) / to * to;
}

size_t si_gemm_packed_a_floats(const si_gemm_kernels *kern, size_t m, size_t k) {
    return round_up(m, kern->mr) * k;
}

size_t si_gemm_packed_b_floats(const si_gemm_kernels *kern, size_t k, size_t n) {
    return round_up(n, kern->nr) * k;
}

void si_gemm_pack_a(const si_gemm_kernels *kern, size_t m, size_t k, const float *a, size_t lda,
                    unsigned trans, float *dst) {
    si_gemm_pack_a_block(kern->mr, round_up(m, kern->mr), k, a, lda, trans, 0, 0, m, dst);
}

void si_gemm_pack_b(const si_gemm_kernels *kern, size_t k, size_t n, const float *b, size_t ldb,
                    unsigned trans, float *dst) {
    si_gemm_pack_b_block(kern->nr, round_up(n, kern->nr), k, b, ldb, trans, 0, 0, n, dst);
}
