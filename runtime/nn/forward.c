/* One forward pass: each step of the plan is one job of the thread pool
 * (every thread takes its part, then all meet), timed when profiling. */
#include <time.h>

#include "nn_internal.h"

double nn_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct job {
    si_model *m;
    const nn_step *st;
} job;

static void linear_part(si_model *m, const nn_step *st, int part, int parts) {
    const nn_linear *L = &m->lin[st->linear];
    const si_gemm_range r = si_gemm_split(m->kern.gemm, L->m, L->n, (size_t)parts, (size_t)part);
    si_sgemm_args a = {
        .m = L->m,
        .n = L->n,
        .k = L->k,
        .a = nn_buf_ptr(m, st->in),
        .lda = L->k,
        .b_packed = L->b,
        .c = nn_buf_ptr(m, st->out),
        .ldc = L->n,
        .bias = L->bias,
        .scale = L->scale,
        .shift = L->shift,
        .flags = SI_GEMM_RELU,
        .range = &r,
    };
    si_sgemm(m->kern.gemm, &a, m->scratch[part].gemm_ws);
}

/* Per channel, so threads split it: phase planes of channel c sit at
 * [c][4][h][w] (see plan.c), which is the kernel's layout with c = 1. */
static void interleave_part(si_model *m, const nn_step *st, int part, int parts) {
    const int c = nn_dec_width[st->dec], h = NN_FMAP << st->dec;
    const size_t per = (size_t)4 * h * h;
    const float *in = nn_buf_ptr(m, st->in);
    float *out = nn_buf_ptr(m, st->out);
    for (int ch = c * part / parts; ch < c * (part + 1) / parts; ch++)
        m->kern.conv->interleave(out + ch * per, in + ch * per, 1, h, h);
}

/* Points this thread's scratch at its share of the step's own buffer (only
 * this thread reads m->scratch[part] until the next step). */
static void point_scratch(si_model *m, const nn_step *st, int part) {
    if (st->ws < 0) return;
    nn_scratch *w = &m->scratch[part];
    w->bpack = (float *)(m->arena + m->bufs[st->ws].offset + (size_t)part * st->ws_bytes);
    w->ctmp = w->bpack + st->ws_bpack;
    w->gemm_ws = w->ctmp + st->ws_ctmp;
}

static void run_part(void *ctx, int part, int parts) {
    job *j = ctx;
    si_model *m = j->m;
    const nn_step *st = j->st;
    point_scratch(m, st, part);
    switch (st->kind) {
    case NN_STEP_SHOTS: {
        const int S = m->info.S;
        for (int s = S * part / parts; s < S * (part + 1) / parts; s++)
            nn_shot_run(m, s, part);
        break;
    }
    case NN_STEP_CONV: {
        const float *in = nn_buf_ptr(m, st->in);
        float *out = nn_buf_ptr(m, st->out);
        /* Equal im2col convs (the convT phases) that the threads can share
         * out evenly: whole convs per thread, so no two threads build the
         * same im2col chunk. Else every thread takes a part of each. */
        const int whole = st->nconv >= parts && st->nconv % parts == 0 && !m->convs[st->conv0].wino;
        for (int i = 0; i < st->nconv; i++) {
            if (whole && i % parts != part) continue;
            nn_conv_run(&m->convs[st->conv0 + i], &m->kern, in + st->in_off[i],
                        out + st->out_off[i], whole ? 0 : part, whole ? 1 : parts,
                        &m->scratch[part]);
        }
        break;
    }
    case NN_STEP_EMBED:
        nn_embed_global(m, part, parts);
        break;
    case NN_STEP_LINEAR:
        linear_part(m, st, part, parts);
        break;
    case NN_STEP_INTERLEAVE:
        interleave_part(m, st, part, parts);
        break;
    case NN_STEP_HEAD:
        nn_head_run(m, part, parts);
        break;
    }
}

void nn_forward(si_model *m) {
    for (int i = 0; i < m->nsteps; i++) {
        job j = {m, &m->steps[i]};
        const double t0 = m->profile ? nn_now() : 0;
        si_pool_run(m->pool, run_part, &j);
        if (!m->profile) continue;
        if (m->steps[i].kind == NN_STEP_SHOTS) {
            /* sub-steps timed per thread: their wall share is the mean */
            for (int e = m->shot_prof0; e < m->shot_prof0 + 6; e++) {
                double sum = 0;
                for (int t = 0; t < m->threads; t++) {
                    sum += m->thread_seconds[(size_t)t * NN_MAX_PROF + e];
                    m->thread_seconds[(size_t)t * NN_MAX_PROF + e] = 0;
                }
                m->prof[e].seconds += sum / m->threads;
                m->prof[e].passes++;
            }
        } else {
            m->prof[m->steps[i].prof].seconds += nn_now() - t0;
            m->prof[m->steps[i].prof].passes++;
        }
    }
}
