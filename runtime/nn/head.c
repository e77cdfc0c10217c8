/* Small steps between the big ones: the Global vectors into the embedding,
 * and the decoder's head (1×1 conv 128→1 with its BatchNorm folded, Sigmoid,
 * to m/s), computed only on the H×W crop that is kept. */
#include <string.h>

#include "nn_internal.h"

void nn_embed_global(si_model *m, int part, int parts) {
    const int S = m->info.S, R = m->info.R;
    const float *g = nn_buf_ptr(m, m->buf_gvec); /* [S, 128] */
    float *e = nn_buf_ptr(m, m->buf_e);
    for (int s = S * part / parts; s < S * (part + 1) / parts; s++)
        for (int r = 0; r < R; r++)
            memcpy(e + ((size_t)s * R + r) * m->elen, g + (size_t)s * NN_GLOB_OUT,
                   NN_GLOB_OUT * sizeof(float));
}

void nn_head_run(si_model *m, int part, int parts) {
    const int H = m->info.H, W = m->info.W, C = NN_DIL * nn_dec_width[NN_DEC_UP - 1];
    const size_t side = NN_DEC_SIZE, plane = side * side;
    const float *x = nn_buf_ptr(m, m->steps[m->nsteps - 1].in);
    const float lo = (float)m->info.v_min, span = (float)(m->info.v_max - m->info.v_min);
    float acc[NN_DEC_SIZE];
    for (int i = H * part / parts; i < H * (part + 1) / parts; i++) {
        const float *row = x + (size_t)(m->crop_top + i) * side + (size_t)m->crop_left;
        for (int j = 0; j < W; j++)
            acc[j] = m->head.b[0];
        for (int c = 0; c < C; c++) {
            const float w = m->head.w[c], *xc = row + (size_t)c * plane;
            for (int j = 0; j < W; j++)
                acc[j] += w * xc[j];
        }
        m->kern.act->sigmoid(acc, acc, (size_t)W);
        float *v = m->velocity + (size_t)i * W;
        for (int j = 0; j < W; j++)
            v[j] = lo + acc[j] * span;
    }
}
