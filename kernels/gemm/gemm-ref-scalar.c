/* Reference GEMM: the oracle the packed kernels are tested against. Reads
 * the strided operands directly, sums each dot product in double, then runs
 * the epilogue of gemm.h. Slow on purpose: obviously right. */
#include "gemm.h"

void si_sgemm_ref(const si_sgemm_args *g) {
    si_gemm_range all = {0, g->m, 0, g->n};
    const si_gemm_range *r = g->range ? g->range : &all;
    const int ta = (g->trans & SI_GEMM_TRANS_A) != 0, tb = (g->trans & SI_GEMM_TRANS_B) != 0;
    for (size_t i = r->m_begin; i < r->m_end; i++) {
        for (size_t j = r->n_begin; j < r->n_end; j++) {
            double sum = 0.0;
            for (size_t p = 0; p < g->k; p++) {
                float a = ta ? g->a[p * g->lda + i] : g->a[i * g->lda + p];
                float b = tb ? g->b[j * g->ldb + p] : g->b[p * g->ldb + j];
                sum += (double)a * (double)b;
            }
            /* The epilogue written out again, so a bug in the kernels' shared
             * store cannot hide in the oracle. */
            float *c = g->c + i * g->ldc + j;
            size_t o = (g->flags & SI_GEMM_PER_COL) ? j : i;
            float v = (float)sum;
            if (g->flags & SI_GEMM_ACCUMULATE) v = v + *c;
            if (g->bias) v = v + g->bias[j];
            if (g->scale) v = v * g->scale[o];
            if (g->shift) v = v + g->shift[o];
            if ((g->flags & SI_GEMM_RELU) && v < 0.0f) v = 0.0f;
            *c = v;
        }
    }
}
