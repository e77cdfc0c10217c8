/* Single-precision GEMM: packed panels, register-tiled micro-kernels, one
 * cache-blocked driver.
 *
 *   C[M×N] = epilogue(A[M×K] · B[K×N])
 *
 * The SeisInvNet forward pass is almost all GEMM: the M1 MLP over the S·R
 * trace rows (per-row folded BatchNorm1d, per-column Linear bias) and every
 * convolution as (implicit) im2col GEMM with the weights as A, so that C is
 * NCHW and the folded BatchNorm2d is per row.
 *
 * Layout of the packed operands (one layout for pre-packed and driver-packed):
 *   A: ceil(M/MR) panels; panel q holds rows q·MR .. q·MR+MR-1 as K steps of
 *      MR values (element (i,p) at q·MR·K + p·MR + i%MR).
 *   B: ceil(N/NR) panels; panel q holds columns q·NR .. as K steps of NR
 *      values (element (p,j) at q·NR·K + p·NR + j%NR).
 * Rows/columns past the edge are zero, so a micro-kernel always runs a whole
 * MR×NR tile and only its store is partial. A KC slice of a panel is the
 * contiguous run starting at p0·MR (or p0·NR).
 *
 * Packed buffers depend on the kernel table (MR, NR): pack with the table you
 * run with. */
#ifndef SI_KERNELS_GEMM_H
#define SI_KERNELS_GEMM_H

#include <stddef.h>

#include "isa.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- epilogue ------------------------------------------------------------ */

/* Applied once per C element, after the whole K sum:
 *   v = A·B            (+ C when SI_GEMM_ACCUMULATE: C's old value, so a
 *                       K split over several calls gives the same result)
 *   v = v + bias[j]                     (bias: per column, optional)
 *   v = v * scale[r] + shift[r]         (r = i, or j with SI_GEMM_PER_COL;
 *                                        scale, shift each optional)
 *   v = max(v, 0)                       (SI_GEMM_RELU)
 * A per-row bias (conv weights as A) folds into shift. */
enum {
    SI_GEMM_ACCUMULATE = 1u << 0,
    SI_GEMM_PER_COL = 1u << 1,
    SI_GEMM_RELU = 1u << 2,
};

/* What a micro-kernel needs for one tile; pointers already offset to the
 * tile's first row (scale/shift, per row) or first column (bias, and
 * scale/shift with SI_GEMM_PER_COL). */
typedef struct si_gemm_tile_epi {
    const float *scale, *shift, *bias;
    unsigned flags;
} si_gemm_tile_epi;

/* --- micro-kernel -------------------------------------------------------- */

/* c[0..m)[0..n) (ldc apart) = epi(a_panel · b_panel) over kc steps, m ≤ MR,
 * n ≤ NR. a: kc×MR packed, b: kc×NR packed (see layout above). kc may be 0. */
typedef void (*si_gemm_ukernel_fn)(size_t kc, const float *a, const float *b, float *c, size_t ldc,
                                   size_t m, size_t n, const si_gemm_tile_epi *epi);

typedef struct si_gemm_kernels {
    const char *name; /* "<MR>x<NR>-<isa>", e.g. "6x16-avx2" */
    si_isa isa;
    size_t mr, nr;     /* register tile */
    size_t mc, kc, nc; /* default cache blocking: mc % mr == 0, nc % nr == 0 */
    si_gemm_ukernel_fn ukernel;
} si_gemm_kernels;

/* The best table the family has at or below `isa` (scalar when it has none:
 * NEON on armhf). Never NULL. */
const si_gemm_kernels *si_gemm_kernels_for(si_isa isa);

/* Shared store for kernels: applies the epilogue to an m×n block of raw sums
 * `acc` (ld apart) and writes it to c. Used for edge tiles and by scalar. */
void si_gemm_store_tile(const float *acc, size_t ld, float *c, size_t ldc, size_t m, size_t n,
                        const si_gemm_tile_epi *epi);

/* --- packing ------------------------------------------------------------- */

/* Operand transposes: A is M×K with A(i,p) = a[i*lda + p], or with
 * SI_GEMM_TRANS_A stored K×M, A(i,p) = a[p*lda + i]. B is K×N with
 * B(p,j) = b[p*ldb + j], or with SI_GEMM_TRANS_B stored N×K (a PyTorch Linear
 * weight [out, in]), B(p,j) = b[j*ldb + p]. */
enum {
    SI_GEMM_TRANS_A = 1u << 0,
    SI_GEMM_TRANS_B = 1u << 1,
};

/* Floats needed for a pre-packed A (M×K) or B (K×N). */
size_t si_gemm_packed_a_floats(const si_gemm_kernels *kern, size_t m, size_t k);
size_t si_gemm_packed_b_floats(const si_gemm_kernels *kern, size_t k, size_t n);

/* Packs all of A or B into dst (layout above; e.g. weights once at model
 * load). trans: SI_GEMM_TRANS_A / SI_GEMM_TRANS_B or 0. */
void si_gemm_pack_a(const si_gemm_kernels *kern, size_t m, size_t k, const float *a, size_t lda,
                    unsigned trans, float *dst);
void si_gemm_pack_b(const si_gemm_kernels *kern, size_t k, size_t n, const float *b, size_t ldb,
                    unsigned trans, float *dst);

/* Packs rows [i0, i0+mc) × depth [p0, p0+kc) of A into kc×MR panels placed
 * kc·MR apart (the driver's block packing; pack_a is this over the whole). */
void si_gemm_pack_a_block(size_t mr, size_t mc, size_t kc, const float *a, size_t lda,
                          unsigned trans, size_t i0, size_t p0, size_t m, float *dst);
void si_gemm_pack_b_block(size_t nr, size_t nc, size_t kc, const float *b, size_t ldb,
                          unsigned trans, size_t p0, size_t j0, size_t n, float *dst);

/* --- driver -------------------------------------------------------------- */

/* A part of C: rows [m_begin, m_end) × columns [n_begin, n_end). Threads that
 * each run one part of a split write disjoint parts of C. With a pre-packed
 * A (B), m_begin (n_begin) must be a multiple of MR (NR). */
typedef struct si_gemm_range {
    size_t m_begin, m_end, n_begin, n_end;
} si_gemm_range;

typedef struct si_sgemm_args {
    size_t m, n, k;
    const float *a; /* unused when a_packed is set */
    size_t lda;
    const float *a_packed; /* from si_gemm_pack_a with this table, or NULL */
    const float *b;        /* unused when b_packed is set */
    size_t ldb;
    const float *b_packed; /* from si_gemm_pack_b with this table, or NULL */
    unsigned trans;        /* SI_GEMM_TRANS_A | SI_GEMM_TRANS_B */
    float *c;
    size_t ldc;
    const float *scale, *shift, *bias; /* epilogue (see above); NULL = none */
    unsigned flags;                    /* SI_GEMM_ACCUMULATE | SI_GEMM_PER_COL | SI_GEMM_RELU */
    const si_gemm_range *range;        /* NULL = all of C */
    size_t mc, kc, nc;                 /* cache blocking; 0 = the table's default */
} si_sgemm_args;

/* Bytes of scratch si_sgemm needs for these args (the A and B blocks). */
size_t si_sgemm_workspace_bytes(const si_gemm_kernels *kern, const si_sgemm_args *args);

/* Runs the GEMM (or its range) with `kern`. work: si_sgemm_workspace_bytes
 * of scratch (64-byte aligned is best), or NULL to let it allocate and free.
 * Returns NULL, or a static message naming the bad argument (nothing written). */
const char *si_sgemm(const si_gemm_kernels *kern, const si_sgemm_args *args, void *work);

/* Part `part` of `parts` near-equal parts of an M×N GEMM for threads: whole
 * MR/NR panels along the dimension with more panels (so pre-packed operands
 * stay aligned). Some parts may be empty. */
si_gemm_range si_gemm_split(const si_gemm_kernels *kern, size_t m, size_t n, size_t parts,
                            size_t part);

/* Plain reference: triple loop straight from the strided operands (a, b; the
 * packed pointers are ignored), same epilogue and range. The oracle. */
void si_sgemm_ref(const si_sgemm_args *args);

#ifdef __cplusplus
}
#endif
#endif
