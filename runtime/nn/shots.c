/* The per-shot part of the encoder, run by one thread per shot with its own
 * buffers: input normalisation, the Neighbour branch into the embedding's
 * last T columns, the fixed one-hot columns, and Global layers 1-4 into the
 * shared [S, 64, R, ·] map the batched layers continue from. */
#include <string.h>

#include "nn_internal.h"

static void lap(si_model *m, int part, int entry, double *t) {
    if (!m->profile) return;
    const double now = nn_now();
    m->thread_seconds[(size_t)part * NN_MAX_PROF + (size_t)(m->shot_prof0 + entry)] += now - *t;
    *t = now;
}

/* Neighbour: three 5×5 convs, each followed by a norm over the shot's whole
 * block and ReLU; trace r of the result into row s·R + r of E. */
static void neighbour(si_model *m, int s, float *priv) {
    const int R = m->info.R, T = m->info.T, S = m->info.S;
    const size_t RT = (size_t)R * T;
    const nn_kernels *k = &m->kern;
    float *x = priv + m->shot.x, *a = priv + m->shot.na, *b = priv + m->shot.nb;
    const float eps = (float)NN_EPS;
    k->conv->nb5(a, x, m->nw[0], m->nbias[0], 1, NN_NEIG_C, R, T);
    k->norm->block_relu(a, NULL, a, NN_NEIG_C * RT, eps);
    k->conv->nb5(b, a, m->nw[1], m->nbias[1], NN_NEIG_C, NN_NEIG_C, R, T);
    k->norm->block_relu(b, NULL, b, NN_NEIG_C * RT, eps);
    k->conv->nb5(a, b, m->nw[2], m->nbias[2], NN_NEIG_C, 1, R, T);
    k->norm->block_relu(a, NULL, a, RT, eps);
    float *e = nn_buf_ptr(m, m->buf_e) + (size_t)s * R * m->elen;
    for (int r = 0; r < R; r++, e += m->elen) {
        float *onehot = e + NN_GLOB_OUT;
        memset(onehot, 0, (size_t)(S + R) * sizeof(float));
        onehot[s] = 1.0f, onehot[S + r] = 1.0f;
        memcpy(onehot + S + R, a + (size_t)r * T, (size_t)T * sizeof(float));
    }
}

void nn_shot_run(si_model *m, int s, int part) {
    float *priv = m->scratch[part].priv;
    const nn_kernels *k = &m->kern;
    double t = m->profile ? nn_now() : 0;
    nn_input_shot(m, s, priv + m->shot.x);
    lap(m, part, 0, &t);
    neighbour(m, s, priv);
    lap(m, part, 1, &t);
    const int R = m->info.R, T = m->info.T;
    for (int r0 = 0; r0 < R; r0 += m->band) {
        const int rows = R - r0 < m->band ? R - r0 : m->band;
        k->conv->g1(priv + m->shot.g[0], priv + m->shot.x + (size_t)r0 * T, m->g1w, m->g1s, m->g1b,
                    nn_glob[0].cout, rows, T);
        lap(m, part, 2, &t);
        for (int i = 0; i < 3; i++) {
            nn_conv c = m->convs[m->glob_conv0 + i];
            if (rows < m->band) { /* the last, shorter band */
                c.g.h = c.g.hout = rows;
                c.npix = (size_t)rows * (size_t)c.g.wout;
                if (i < 2) c.out_cstride = c.npix; /* private maps stay dense */
            }
            float *out = i < 2 ? priv + m->shot.g[i + 1]
                               : nn_buf_ptr(m, m->steps[0].out) + (size_t)s * c.out_stride +
                                     (size_t)r0 * (size_t)c.g.wout;
            nn_conv_run(&c, k, priv + m->shot.g[i], out, 0, 1, &m->scratch[part]);
            lap(m, part, 3 + i, &t);
        }
    }
}
