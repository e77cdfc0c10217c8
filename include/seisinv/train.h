/* seisinv — SeisInvNet training graph (issue 5): forward in training mode,
 * backward into gradients, the parameters PyTorch-named so Adam and
 * checkpoints can iterate over them.
 *
 * A net holds the unfolded network (weights, biases, BatchNorm γ/β and
 * running statistics), one gradient per parameter, and one arena for the
 * activations and their gradients, sized at creation for `batch` surveys.
 * Steps allocate nothing. One net is not to be used by two threads at once.
 *
 * Tensors in and out are in network units: surveys [B, S, R, T] (T
 * contiguous) normalised (si_net_normalise_survey), velocity [B, H, W]
 * normalised to [0, 1] (si_net_normalise_velocity). */
#ifndef SEISINV_TRAIN_H
#define SEISINV_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "seisinv/error.h"
#include "seisinv/model.h"
#include "seisinv/safetensors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct si_net si_net;

typedef struct si_net_options {
    /* Configuration for si_net_create (0 = SPEC §1 paper default); si_net_load
     * takes them from the file's metadata and ignores these. */
    int S, R, T, H, W;
    double v_min, v_max; /* both 0: 1500, 4000 m/s */
    double seis_scale;   /* 0: 1 */
    int seis_log1p;      /* 0 / 1 */
    int batch;           /* largest B of a step (arena sized for it); 0: 12 */
    int threads;         /* 0: one per online CPU (at most 64) */
    float dropout;       /* feature-map dropout p in [0, 1) when training */
    uint64_t seed;       /* initial weights (si_net_create) and the dropout stream */
} si_net_options;

/* A new net with PyTorch's default initialisation drawn from o->seed
 * (Conv/Linear weights and biases U(±1/√fan_in), BatchNorm γ 1, β 0,
 * running mean 0, running var 1). */
si_err si_net_create(si_net **n, const si_net_options *o);

/* A net from a safetensors state dict (SPEC §1 names and shapes; the
 * configuration from its "__metadata__"). Errors name the tensor at fault. */
si_err si_net_load(si_net **n, const char *weights, const si_net_options *o);

void si_net_free(si_net *n);

/* Configuration, normalisation, threads, kernel set, parameter count. */
const si_model_info *si_net_config(const si_net *n);
int si_net_batch(const si_net *n);

/* The SPEC §1 "__metadata__" pairs of this net (arch, S, R, T, H, W, v_min,
 * v_max, seis_scale, seis_log1p); strings owned by the net. Returns the count
 * (at most 16) written to kv. */
int si_net_metadata(const si_net *n, si_st_kv *kv, int max);

/* Writes the state dict (parameters, running statistics and
 * num_batches_tracked) atomically, loadable by si_model_load, si_net_load and
 * PyTorch's load_state_dict; `extra` metadata pairs are added to the
 * configuration's (provenance: "seisinv.trained_on", ...). */
si_err si_net_save(const si_net *n, const char *path, const si_st_kv *extra, size_t nextra);

/* --- tensors ---------------------------------------------------------------
 * In state-dict order. grad is NULL for buffers (running_mean, running_var);
 * gradients are those of the last si_net_backward. */
typedef struct si_net_tensor {
    const char *name;
    int ndim;
    int64_t shape[4];
    size_t numel;
    float *data;
    float *grad;
} si_net_tensor;

int si_net_tensor_count(const si_net *n);
si_net_tensor si_net_tensor_at(const si_net *n, int i);
/* Index of the tensor called `name`, or -1. */
int si_net_tensor_find(const si_net *n, const char *name);

/* BatchNorm num_batches_tracked (one counter: every BatchNorm updates at each
 * training forward). */
int64_t si_net_batches_tracked(const si_net *n);
void si_net_set_batches_tracked(si_net *n, int64_t count);

/* --- steps --------------------------------------------------------------- */

/* What a forward does. */
enum {
    SI_NET_BATCH_STATS = 1u << 0,  /* BatchNorm on batch statistics (else running) */
    SI_NET_UPDATE_STATS = 1u << 1, /* running statistics updated, momentum 0.1 */
    SI_NET_DROPOUT = 1u << 2,      /* feature-map dropout with the net's p */
    SI_NET_TRAIN = SI_NET_BATCH_STATS | SI_NET_UPDATE_STATS | SI_NET_DROPOUT,
    SI_NET_EVAL = 0,
};

/* Forward of B ≤ batch surveys x [B, S, R, T] (normalised) to y [B, H, W]
 * (normalised velocity; y may be NULL). Keeps what si_net_backward needs. */
si_err si_net_forward(si_net *n, const float *x, int B, unsigned mode, float *y);

/* Gradients of a loss given dy = d loss / d y [B, H, W] for the last
 * forward (which must have used SI_NET_BATCH_STATS); overwrites every grad. */
si_err si_net_backward(si_net *n, const float *dy);

/* One training step without the optimiser: forward with SI_NET_TRAIN (or
 * `mode`), the loss against target y [B, H, W], backward. `loss` is a
 * si_loss_kind of runtime/train/loss.h (0 L1, 1 L2, 2 L2 + (1 − MS-SSIM)). */
si_err si_net_train_batch(si_net *n, const float *x, const float *y, int B, int loss, unsigned mode,
                          double *loss_out);

/* Eval-mode forward (running statistics, no dropout) into y [B, H, W]. */
si_err si_net_eval_batch(si_net *n, const float *x, int B, float *y);

/* Dropout stream state (seed, counter): saved with a checkpoint and restored
 * for a bit-exact resume. */
void si_net_rng_get(const si_net *n, uint64_t state[2]);
void si_net_rng_set(si_net *n, const uint64_t state[2]);
void si_net_set_dropout(si_net *n, float p);

/* --- normalisation (SPEC §1; constants from the net's configuration) ----- */

/* One raw survey in `layout` to the network's [S, R, T]; a non-finite sample
 * is an SI_EDATA error naming shot, receiver and time (nothing written). */
si_err si_net_normalise_survey(const si_net *n, const float *raw, si_layout layout, float *out);

/* count velocities in m/s to (v − v_min)/(v_max − v_min); a non-finite value
 * is an SI_EDATA error naming its index. */
si_err si_net_normalise_velocity(const si_net *n, const float *v_ms, size_t count, float *out);

/* --- memory ----------------------------------------------------------------- */

size_t si_net_arena_bytes(const si_net *n); /* activations, gradients, scratch */
size_t si_net_param_bytes(const si_net *n); /* parameters, buffers, gradients */

#ifdef __cplusplus
}
#endif
#endif
