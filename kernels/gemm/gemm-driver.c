/* Cache-blocked driver (Goto/BLIS loop order): for each NC column block and
 * KC depth slice, the B block is packed once (or taken pre-packed) and kept
 * in L2/L3; for each MC row block the A block is packed into L2; the
 * micro-kernel sweeps MR×NR tiles with one kc×NR B panel resident in L1.
 * Only the last depth slice runs the epilogue; earlier ones accumulate in C. */
#include <stdint.h>
#include <stdlib.h>

#include "gemm.h"

static size_t round_up(size_t x, size_t to) {
    return (x + to - 1) / to * to;
}
static size_t min_sz(size_t a, size_t b) {
    return a < b ? a : b;
}

/* Effective blocking for these args: the table's defaults or the caller's,
 * rounded to whole tiles and clipped to the problem. */
typedef struct blocking {
    size_t mc, kc, nc;
} blocking;

static blocking blocking_for(const si_gemm_kernels *kern, const si_sgemm_args *g) {
    blocking b;
    b.mc = round_up(g->mc ? g->mc : kern->mc, kern->mr);
    b.nc = round_up(g->nc ? g->nc : kern->nc, kern->nr);
    b.kc = g->kc ? g->kc : kern->kc;
    b.mc = min_sz(b.mc, round_up(g->m ? g->m : 1, kern->mr));
    b.nc = min_sz(b.nc, round_up(g->n ? g->n : 1, kern->nr));
    /* Equal depth slices: 576 = 3 × 192 rather than 256 + 256 + 64, whose
     * short last slice would pay the C traffic for little work. */
    const size_t k = g->k ? g->k : 1, slices = (k + b.kc - 1) / b.kc;
    b.kc = (k + slices - 1) / slices;
    return b;
}

size_t si_sgemm_workspace_bytes(const si_gemm_kernels *kern, const si_sgemm_args *g) {
    blocking b = blocking_for(kern, g);
    size_t floats = (g->a_packed ? 0 : b.mc * b.kc) + (g->b_packed ? 0 : b.kc * b.nc);
    return floats * sizeof(float) + 64; /* + room to align to a cache line */
}

static const char *check(const si_gemm_kernels *kern, const si_sgemm_args *g,
                         const si_gemm_range *r) {
    if (!kern || !kern->ukernel || !kern->mr || !kern->nr) return "gemm: no kernel table";
    if (g->flags & ~(unsigned)(SI_GEMM_ACCUMULATE | SI_GEMM_PER_COL | SI_GEMM_RELU))
        return "gemm: unknown epilogue flag";
    if (g->trans & ~(unsigned)(SI_GEMM_TRANS_A | SI_GEMM_TRANS_B))
        return "gemm: unknown transpose flag";
    if (r->m_begin > r->m_end || r->m_end > g->m || r->n_begin > r->n_end || r->n_end > g->n)
        return "gemm: range outside C";
    if (r->m_begin == r->m_end || r->n_begin == r->n_end) return NULL; /* nothing to do */
    if (!g->c || g->ldc < g->n) return "gemm: C is NULL or ldc < N";
    if (g->a_packed) {
        if (r->m_begin % kern->mr) return "gemm: range m_begin not a multiple of MR with packed A";
    } else if (g->k && (!g->a || g->lda < ((g->trans & SI_GEMM_TRANS_A) ? g->m : g->k))) {
        return "gemm: A is NULL or lda too small";
    }
    if (g->b_packed) {
        if (r->n_begin % kern->nr) return "gemm: range n_begin not a multiple of NR with packed B";
    } else if (g->k && (!g->b || g->ldb < ((g->trans & SI_GEMM_TRANS_B) ? g->k : g->n))) {
        return "gemm: B is NULL or ldb too small";
    }
    return NULL;
}

/* The tile's epilogue: pointers offset to tile row i, column j. */
static si_gemm_tile_epi tile_epi(const si_gemm_tile_epi *e, size_t i, size_t j) {
    si_gemm_tile_epi t = *e;
    size_t o = (e->flags & SI_GEMM_PER_COL) ? j : i;
    if (t.scale) t.scale += o;
    if (t.shift) t.shift += o;
    if (t.bias) t.bias += j;
    return t;
}

const char *si_sgemm(const si_gemm_kernels *kern, const si_sgemm_args *g, void *work) {
    if (!g) return "gemm: no arguments";
    si_gemm_range r = g->range ? *g->range : (si_gemm_range){0, g->m, 0, g->n};
    const char *bad = check(kern, g, &r);
    if (bad || r.m_begin == r.m_end || r.n_begin == r.n_end) return bad;

    void *owned = NULL;
    if (!work) {
        work = owned = malloc(si_sgemm_workspace_bytes(kern, g));
        if (!work) return "gemm: out of memory for the packing workspace";
    }
    const size_t mr = kern->mr, nr = kern->nr, k = g->k;
    const blocking bl = blocking_for(kern, g);
    float *abuf = (float *)(((uintptr_t)work + 63) & ~(uintptr_t)63);
    float *bbuf = g->a_packed ? abuf : abuf + bl.mc * bl.kc;
    const si_gemm_tile_epi user = {g->scale, g->shift, g->bias, g->flags};
    const si_gemm_tile_epi raw = {NULL, NULL, NULL, 0};

    for (size_t jc = r.n_begin; jc < r.n_end; jc += bl.nc) {
        const size_t nc = min_sz(bl.nc, r.n_end - jc);
        size_t pc = 0;
        do { /* runs once when K = 0 so the epilogue still happens */
            const size_t kc = min_sz(bl.kc, k - pc);
            const float *bblk;
            size_t b_step; /* distance between NR panels */
            if (g->b_packed) {
                bblk = g->b_packed + jc * k + pc * nr;
                b_step = nr * k;
            } else {
                si_gemm_pack_b_block(nr, nc, kc, g->b, g->ldb, g->trans, pc, jc, r.n_end, bbuf);
                bblk = bbuf;
                b_step = nr * kc;
            }
            si_gemm_tile_epi e = pc + kc >= k ? user : raw;
            if (pc > 0) e.flags |= SI_GEMM_ACCUMULATE;
            if (g->flags & SI_GEMM_ACCUMULATE) e.flags |= SI_GEMM_ACCUMULATE;

            for (size_t ic = r.m_begin; ic < r.m_end; ic += bl.mc) {
                const size_t mc = min_sz(bl.mc, r.m_end - ic);
                const float *ablk;
                size_t a_step;
                if (g->a_packed) {
                    ablk = g->a_packed + ic * k + pc * mr;
                    a_step = mr * k;
                } else {
                    si_gemm_pack_a_block(mr, mc, kc, g->a, g->lda, g->trans, ic, pc, r.m_end, abuf);
                    ablk = abuf;
                    a_step = mr * kc;
                }
                const size_t tiles = (mc + mr - 1) / mr;
                for (size_t jr = 0; jr < nc; jr += nr) {
                    const float *bp = bblk + jr / nr * b_step;
                    const size_t n = min_sz(nr, nc - jr);
                    /* Fetch the next B panel into L2 a slice per tile, so its
                     * first tile does not wait on memory (pre-packed B of a
                     * wide GEMM comes from DRAM). */
                    const char *next = jr + nr < nc ? (const char *)(bp + b_step) : NULL;
                    const size_t lines = kc * nr * sizeof(float) / 64 + 1;
                    const size_t per_tile = (lines + tiles - 1) / tiles;
                    for (size_t ir = 0, t = 0; ir < mc; ir += mr, t++) {
                        const size_t i = ic + ir, j = jc + jr;
                        if (next)
                            for (size_t l = t * per_tile; l < (t + 1) * per_tile && l < lines; l++)
                                __builtin_prefetch(next + 64 * l, 0, 2);
                        si_gemm_tile_epi t = tile_epi(&e, i, j);
                        kern->ukernel(kc, ablk + ir / mr * a_step, bp, g->c + i * g->ldc + j,
                                      g->ldc, min_sz(mr, mc - ir), n, &t);
                    }
                }
            }
            pc += kc;
        } while (pc < k);
    }
    free(owned);
    return NULL;
}

si_gemm_range si_gemm_split(const si_gemm_kernels *kern, size_t m, size_t n, size_t parts,
                            size_t part) {
    si_gemm_range r = {0, m, 0, n};
    if (parts <= 1) return r;
    const size_t mp = (m + kern->mr - 1) / kern->mr, np = (n + kern->nr - 1) / kern->nr;
    const int by_cols = np >= mp;
    const size_t panels = by_cols ? np : mp, w = by_cols ? kern->nr : kern->mr;
    const size_t q0 = panels * part / parts, q1 = panels * (part + 1) / parts;
    const size_t end = by_cols ? n : m;
    const size_t b = part >= parts ? end : min_sz(q0 * w, end);
    const size_t e = part >= parts ? end : min_sz(q1 * w, end);
    if (by_cols)
        r.n_begin = b, r.n_end = e;
    else
        r.m_begin = b, r.m_end = e;
    return r;
}
