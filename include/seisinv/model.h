/* seisinv — SeisInvNet inference (SPEC §1).
 *
 * A model is loaded once from a safetensors file: the configuration and the
 * normalisation come from its "__metadata__", every BatchNorm2d is folded into
 * the conv before it, all weights are packed for the kernels in use, and one
 * allocation holds the packed weights and the activation arena. Inference then
 * allocates nothing and starts no thread (the pool is created at load).
 *
 * One model is not to be used by two threads at once; two models in one
 * process are independent. */
#ifndef SEISINV_MODEL_H
#define SEISINV_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "seisinv/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct si_model si_model;

/* Layout of the survey given to si_infer. */
typedef enum si_layout {
    SI_LAYOUT_STR = 0, /* [S, T, R]: the .npy single-survey layout (OpenFWI) */
    SI_LAYOUT_SRT = 1, /* [S, R, T]: T contiguous, the runtime's own layout */
} si_layout;

typedef struct si_model_options {
    int threads; /* worker threads incl. the caller; 0 = one per online CPU (at most 64) */
} si_model_options;

/* What the weights file says (defaults of SPEC §1 for absent keys). */
typedef struct si_model_info {
    int S, R, T;         /* shots, receivers, time samples of one survey */
    int H, W;            /* output velocity model, rows (depth) × columns */
    double v_min, v_max; /* m/s: the Sigmoid's 0 and 1 */
    double seis_scale;   /* d_norm = d · seis_scale ... */
    int seis_log1p;      /* ... after sign(d)·log1p(|d|) when 1 */
    int64_t parameters;  /* trainable parameters of the file (no BN statistics) */
    double flops;        /* multiply-adds × 2 of one forward pass */
    int threads;         /* threads the model runs with */
    const char *isa;     /* kernel set in use: "scalar", "avx2", ... */
} si_model_info;

/* Loads and plans a model. opt NULL = defaults. Errors name the tensor or
 * metadata key at fault (missing, extra, wrong shape, NaN/Inf) or the
 * unsupported configuration. */
si_err si_model_load(si_model **m, const char *path, const si_model_options *opt);

/* One survey (S·R·T floats in `layout`, raw amplitudes: normalised here) to a
 * velocity model [H, W] in m/s. Non-finite samples are an SI_EDATA error
 * naming the first one (nothing written). */
si_err si_infer(si_model *m, const float *survey, si_layout layout, float *velocity_out);

void si_model_free(si_model *m);

/* Room for one survey (S·R·T floats) inside the arena, where it costs no
 * memory at the peak: a caller reading the survey from a file can read it
 * straight into this buffer and pass it to si_infer (either layout) instead
 * of holding its own copy. Each si_infer overwrites it. */
float *si_model_survey_buffer(si_model *m);

/* Bytes of the activation arena (scratch of one inference, all threads). */
size_t si_model_arena_bytes(const si_model *m);

/* Bytes of the packed weights (the rest of the one allocation). */
size_t si_model_weight_bytes(const si_model *m);

const si_model_info *si_model_config(const si_model *m);

/* --- per-layer timing (off by default; for benchmarks) ------------------- */

/* Turns timing on or off; while on, each si_infer adds to the counters. */
void si_model_profile(si_model *m, int on);

/* Number of timed steps, and step i: name, FLOPs of one pass, seconds summed
 * over the passes since the last reset, and the pass count. */
int si_model_step_count(const si_model *m);
void si_model_step_stats(const si_model *m, int i, const char **name, double *flops,
                         double *seconds, int64_t *passes);
void si_model_profile_reset(si_model *m);

#ifdef __cplusplus
}
#endif
#endif
