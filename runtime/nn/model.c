/* The public model API: load (config, plan, one allocation, packing, thread
 * pool), infer (check the survey, run the plan), free, and the getters. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error_internal.h"
#include "nn_internal.h"

static int default_threads(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* Weights then arena in one 64-byte aligned block; per-thread shot buffers
 * (the rest of each thread's scratch moves with the step, see forward.c). */
static si_err allocate(si_model *m) {
    const size_t wbytes = m->weight_floats * sizeof(float);
    const size_t total = (wbytes + m->arena_bytes + 63) / 64 * 64;
    m->block = aligned_alloc(64, total ? total : 64);
    m->scratch = calloc((size_t)m->threads, sizeof *m->scratch);
    m->thread_seconds = calloc((size_t)m->threads * NN_MAX_PROF, sizeof(double));
    if (!m->block || !m->scratch || !m->thread_seconds)
        return si_fail(SI_ENOMEM,
                       "out of memory: the model needs %zu MB (weights %zu MB, arena "
                       "%zu MB)",
                       total >> 20, wbytes >> 20, m->arena_bytes >> 20);
    memset(m->block, 0, wbytes);
    m->weights = m->block;
    m->arena = (unsigned char *)m->block + wbytes;
    float *priv = nn_buf_ptr(m, m->buf_priv);
    for (int t = 0; t < m->threads; t++)
        m->scratch[t].priv = priv + (size_t)t * m->shot.floats;
    return SI_OK;
}

/* *opened: the file was read (later errors get its name as a prefix; the
 * reader's own messages already carry it). */
static si_err load(si_model *m, const char *path, const si_model_options *opt, int *opened) {
    nn_wfile w;
    si_err st = nn_wfile_open(&w, path);
    if (st) return st;
    const si_st_file *f = w.f;
    *opened = 1;
    if ((st = nn_config_read(f, &m->info))) goto done;
    const si_isa isa = si_isa_active();
    m->kern =
        (nn_kernels){si_gemm_kernels_for(isa), si_conv_kernels_for(isa), si_norm_kernels_for(isa),
                     si_act_kernels_for(isa), si_wino_kernels_for(isa)};
    m->info.isa = si_isa_name(isa);
    m->threads = opt && opt->threads ? opt->threads : default_threads();
    if (m->threads < 1 || m->threads > 1024) {
        st = si_fail(SI_EINVAL, "%d threads: need 1..1024 (0 = one per CPU)", m->threads);
        goto done;
    }
    m->info.threads = m->threads;
    if ((st = nn_plan(m)) || (st = allocate(m)) || (st = nn_pack_weights(m, &w))) goto done;
    nn_resolve(m);
    st = si_pool_create(&m->pool, m->threads);
done:
    nn_wfile_close(&w); /* nothing of the file is kept */
    return st;
}

si_err si_model_load(si_model **out, const char *path, const si_model_options *opt) {
    if (!out || !path) return si_fail(SI_EINVAL, "si_model_load: NULL argument");
    *out = NULL;
    si_model *m = calloc(1, sizeof *m);
    if (!m) return si_fail(SI_ENOMEM, "out of memory for a model");
    int opened = 0;
    si_err st = load(m, path, opt, &opened);
    if (st) {
        si_model_free(m);
        return opened ? si_fail_prefix(st, "weights %s", path) : st;
    }
    *out = m;
    return SI_OK;
}

si_err si_infer(si_model *m, const float *survey, si_layout layout, float *velocity_out) {
    if (!m || !survey || !velocity_out) return si_fail(SI_EINVAL, "si_infer: NULL argument");
    if (layout != SI_LAYOUT_STR && layout != SI_LAYOUT_SRT)
        return si_fail(SI_EINVAL, "si_infer: unknown layout %d", (int)layout);
    const si_model_info *in = &m->info;
    const size_t n = (size_t)in->S * in->R * in->T;
    const long long bad = nn_input_first_bad(survey, n);
    if (bad >= 0) {
        const long long per = (long long)in->R * in->T, s = bad / per, rest = bad % per;
        const long long a = layout == SI_LAYOUT_STR ? rest % in->R : rest / in->T;
        const long long b = layout == SI_LAYOUT_STR ? rest / in->R : rest % in->T;
        return si_fail(SI_EDATA,
                       "survey sample (shot %lld, receiver %lld, time %lld) is %g: need finite "
                       "amplitudes",
                       s, a, b, (double)survey[bad]);
    }
    m->survey = survey, m->layout = layout, m->velocity = velocity_out;
    nn_forward(m);
    m->survey = NULL, m->velocity = NULL;
    for (int i = 0; i < in->H * in->W; i++)
        if (!isfinite(velocity_out[i]))
            return si_fail(SI_EDATA,
                           "the network's output is not finite at row %d, column %d "
                           "(input amplitudes far outside the training range?)",
                           i / in->W, i % in->W);
    return SI_OK;
}

void si_model_free(si_model *m) {
    if (!m) return;
    si_pool_free(m->pool);
    free(m->block), free(m->scratch), free(m->thread_seconds), free(m);
}

size_t si_model_arena_bytes(const si_model *m) {
    return m->arena_bytes;
}

float *si_model_survey_buffer(si_model *m) {
    return nn_buf_ptr(m, m->buf_survey);
}

size_t si_model_weight_bytes(const si_model *m) {
    return m->weight_floats * sizeof(float);
}

const si_model_info *si_model_config(const si_model *m) {
    return &m->info;
}

void si_model_profile(si_model *m, int on) {
    m->profile = on != 0;
}

int si_model_step_count(const si_model *m) {
    return m->nprof;
}

void si_model_step_stats(const si_model *m, int i, const char **name, double *flops,
                         double *seconds, int64_t *passes) {
    const nn_prof *p = &m->prof[i];
    if (name) *name = p->name;
    if (flops) *flops = p->flops;
    if (seconds) *seconds = p->seconds;
    if (passes) *passes = p->passes;
}

void si_model_profile_reset(si_model *m) {
    for (int i = 0; i < m->nprof; i++)
        m->prof[i].seconds = 0, m->prof[i].passes = 0;
}
