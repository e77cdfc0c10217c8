/* A net's state dict to a safetensors file, its metadata, and the SPEC §1
 * normalisation of surveys and velocities with the net's constants. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error_internal.h"
#include "net_internal.h"

enum { META = 10, META_LEN = 40 };

static const char *const meta_keys[META] = {
    "seisinv.arch", "seisinv.S",     "seisinv.R",     "seisinv.T",          "seisinv.H",
    "seisinv.W",    "seisinv.v_min", "seisinv.v_max", "seisinv.seis_scale", "seisinv.seis_log1p"};

/* The values live in a static per-thread buffer set per call. */
static _Thread_local char meta_vals[META][META_LEN];

int si_net_metadata(const si_net *n, si_st_kv *kv, int max) {
    const si_model_info *in = &n->info;
    snprintf(meta_vals[0], META_LEN, "seisinvnet");
    snprintf(meta_vals[1], META_LEN, "%d", in->S);
    snprintf(meta_vals[2], META_LEN, "%d", in->R);
    snprintf(meta_vals[3], META_LEN, "%d", in->T);
    snprintf(meta_vals[4], META_LEN, "%d", in->H);
    snprintf(meta_vals[5], META_LEN, "%d", in->W);
    snprintf(meta_vals[6], META_LEN, "%.17g", in->v_min);
    snprintf(meta_vals[7], META_LEN, "%.17g", in->v_max);
    snprintf(meta_vals[8], META_LEN, "%.17g", in->seis_scale);
    snprintf(meta_vals[9], META_LEN, "%d", in->seis_log1p);
    int k = 0;
    for (; k < META && k < max; k++)
        kv[k] = (si_st_kv){meta_keys[k], meta_vals[k]};
    return k;
}

si_err si_net_save(const si_net *n, const char *path, const si_st_kv *extra, size_t nextra) {
    /* tensors, then one num_batches_tracked per BatchNorm (float32 scalars:
     * torch's load_state_dict copies them into its int64 buffers) */
    const size_t cap = (size_t)n->ntensors * 2;
    si_st_entry *e = calloc(cap, sizeof *e);
    char(*names)[TR_NAME + 24] = calloc((size_t)n->ntensors, sizeof *names);
    si_st_kv *kv = calloc(META + nextra, sizeof *kv);
    if (!e || !names || !kv) {
        free(e), free(names), free(kv);
        return si_fail(SI_ENOMEM, "out of memory");
    }
    const float tracked = (float)n->batches_tracked;
    size_t ne = 0;
    for (int i = 0; i < n->ntensors; i++) {
        const tr_tensor *t = &n->tensors[i];
        e[ne++] = (si_st_entry){t->name, t->ndim, t->shape, tr_data(n, i)};
        if (t->kind == TR_T_RVAR) {
            const size_t len = strlen(t->name) - strlen(".running_var");
            snprintf(names[i], sizeof names[i], "%.*s.num_batches_tracked", (int)len, t->name);
            e[ne++] = (si_st_entry){names[i], 0, NULL, &tracked};
        }
    }
    const int nm = si_net_metadata(n, kv, META);
    for (size_t i = 0; i < nextra; i++)
        kv[nm + i] = extra[i];
    si_err st = si_st_write(path, e, ne, kv, (size_t)nm + nextra);
    free(e), free(names), free(kv);
    return st;
}

si_err si_net_normalise_survey(const si_net *n, const float *raw, si_layout layout, float *out) {
    const size_t S = (size_t)n->S, R = (size_t)n->R, T = (size_t)n->T;
    const long long bad = nn_input_first_bad(raw, S * R * T);
    if (bad >= 0) {
        const size_t i = (size_t)bad, s = i / (R * T), rest = i % (R * T);
        const size_t r = layout == SI_LAYOUT_SRT ? rest / T : rest % R;
        const size_t t = layout == SI_LAYOUT_SRT ? rest % T : rest / R;
        return si_fail(SI_EDATA,
                       "survey sample (shot %zu, receiver %zu, time %zu) is %s: need finite "
                       "amplitudes",
                       s, r, t, isnan(raw[i]) ? "nan" : "inf");
    }
    const float scale = (float)n->info.seis_scale;
    for (size_t s = 0; s < S; s++) {
        const float *src = raw + s * R * T;
        float *x = out + s * R * T;
        for (size_t r = 0; r < R; r++)
            for (size_t t = 0; t < T; t++) {
                float v = layout == SI_LAYOUT_SRT ? src[r * T + t] : src[t * R + r];
                if (n->info.seis_log1p) {
                    const float l = log1pf(fabsf(v));
                    v = v < 0 ? -l : v > 0 ? l : 0.0f;
                }
                x[r * T + t] = v * scale;
            }
    }
    return SI_OK;
}

si_err si_net_normalise_velocity(const si_net *n, const float *v_ms, size_t count, float *out) {
    const double lo = n->info.v_min, span = n->info.v_max - n->info.v_min;
    for (size_t i = 0; i < count; i++)
        if (!isfinite(v_ms[i]))
            return si_fail(SI_EDATA, "velocity %zu is %s: need finite values", i,
                           isnan(v_ms[i]) ? "NaN" : "Inf");
    for (size_t i = 0; i < count; i++)
        out[i] = (float)((v_ms[i] - lo) / span);
    return SI_OK;
}
