/* Internal: the SeisInvNet training graph, shared by runtime/train/net*.c.
 *
 * The network is unfolded (conv, bias, BatchNorm γ/β and running statistics
 * as PyTorch keeps them). One allocation holds the parameters and buffers,
 * one their gradients (same offsets), one the arena: every activation the
 * backward needs, the gradient ping-pong buffers, per-thread scratch and the
 * per-thread weight-gradient partials of the conv layers.
 *
 * Layouts (B surveys, N = B·S shots, M = B·S·R trace rows):
 *   Global layer l        z, a  [N, C_l, h_l, w_l]
 *   Neighbour conv i      z, a  [N, c_i, R, T]
 *   embedding E                 [M, 128 + S + R + T]
 *   generator layer l     z, a  [M, width_l]   (= [B, S·R, width_l])
 *   dropout mask, F             [M, 256]       (= [B, S·R, 16, 16])
 *   decoder maps          z, a  [B, C, H, W]; the four dilated branches' a
 *                               inside the concat [B, 128, 128, 128]
 *   head                  z, s  [B, 1, 128, 128] (s: after BN and Sigmoid) */
#ifndef SI_TRAIN_NET_INTERNAL_H
#define SI_TRAIN_NET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "bntrain/bntrain.h"
#include "col2im/col2im.h"
#include "conv/conv.h"
#include "core/threadpool.h"
#include "gemm/gemm.h"
#include "nn/nn_internal.h"
#include "seisinv/train.h"

enum { TR_MAX_TENSORS = 192, TR_NAME = 64 };
enum { TR_GLOB = NN_GLOB, TR_NEIG = NN_NEIG, TR_GEN = NN_GEN, TR_UP = NN_DEC_UP, TR_DIL = NN_DIL };
#define TR_MOMENTUM 0.1
#define TR_EPS 1e-5

/* A tensor of the state dict: floats at `off` in the parameter block (and,
 * when has_grad, its gradient at the same offset of the gradient block). */
typedef struct tr_tensor {
    char name[TR_NAME + 32];
    int ndim;
    int64_t shape[4];
    size_t numel, off;
    int has_grad;
    double fan_in; /* PyTorch default init bound 1/√fan_in; 0: BatchNorm */
    int kind;      /* TR_T_* */
} tr_tensor;

enum { TR_T_WEIGHT, TR_T_BIAS, TR_T_GAMMA, TR_T_BETA, TR_T_RMEAN, TR_T_RVAR };

/* A conv or transposed conv as GEMMs around im2col / col2im.
 *
 * "hi" is the image im2col reads and col2im writes (conv: the input;
 * transposed: the output), geometry g over it; "lo" is the other side, a
 * [rows × npix] matrix per image (conv: the output, rows = cout; transposed:
 * the input, rows = cin). The weight as stored is the matrix Wm [rows × K],
 * K = g.cin·kh·kw, for both (ConvTranspose2d keeps [cin, cout, kh, kw]).
 *   conv:       lo = Wm · im2col(hi) + b          hi' += col2im(Wmᵀ · lo')
 *   transposed: hi = col2im(Wmᵀ · lo) + b         lo' = Wm · im2col(hi')
 *   both:       dWm += lo-side · im2col(hi-side)ᵀ */
typedef struct tr_conv {
    si_conv_geom g;
    int transposed;
    int rows;    /* lo channels */
    size_t npix; /* lo pixels per image: g.hout·g.wout */
    size_t hi_pix;
    size_t k;
    int w, b; /* tensor indices */
    size_t chunk;
} tr_conv;

/* BatchNorm (2d per channel, or 1d per trace row) over [N, C, P]. */
typedef struct tr_bn {
    int gamma, beta, rmean, rvar; /* tensor indices */
    int C;
    float *mean, *rstd; /* of the last forward (batch or running) */
} tr_bn;

typedef struct tr_linear {
    int in, out;
    int w, b;
} tr_linear;

/* One conv (or linear) + norm + activation, and the activations it keeps. */
typedef struct tr_layer {
    tr_conv conv;
    tr_linear lin;
    tr_bn bn;
    int C;        /* output channels */
    size_t P;     /* output pixels per image */
    float *z, *a; /* pre-norm output; post-activation (a_stride per image) */
    size_t a_stride;
} tr_layer;

/* A thread's scratch. */
typedef struct tr_scratch {
    float *col, *lo;
    void *gemm_ws;
    float *grads; /* weight-gradient partials (thread 0: the real gradients) */
} tr_scratch;

struct si_net {
    si_model_info info;
    int batch, threads;
    float dropout;
    uint64_t rng_seed, rng_counter;
    int64_t batches_tracked;

    const si_gemm_kernels *gemm;
    const si_conv_kernels *conv;
    const si_col2im_kernels *c2i;
    const si_bntrain_kernels *bnk;
    si_pool *pool;

    /* sizes */
    int S, R, T, H, W, E;
    int gh[TR_GLOB], gw[TR_GLOB];
    int crop_top, crop_left;

    /* the state dict */
    tr_tensor tensors[TR_MAX_TENSORS];
    int ntensors;
    size_t param_floats;
    float *params, *grads;

    /* layers */
    tr_layer glob[TR_GLOB];
    tr_layer neig[TR_NEIG];
    float *neig_mean[TR_NEIG], *neig_rstd[TR_NEIG];
    tr_layer gen[TR_GEN];
    tr_layer up[TR_UP][2]; /* [0] convT, [1] conv 3×3 */
    tr_layer dil[TR_DIL];
    tr_layer head;
    float *concat; /* [B, 128, P] */

    /* other activations */
    float *x;     /* [B, S, R, T] copy of the batch */
    float *e;     /* [M, E] */
    float *mask;  /* [M, 256] dropout multipliers */
    float *f;     /* [M, 256] decoder input */
    float *pred;  /* [B, H, W] */
    float *dpred; /* [B, H, W] loss gradient */
    float *loss_scratch;

    /* gradient buffers */
    float *g0, *g1; /* ping-pong, the largest activation each */
    float *dgvec;   /* [N, 128] */
    float *dneig;   /* [N, R, T] */
    float *dx3;     /* [B, 32, 128, 128] */

    tr_scratch *scratch; /* [threads] */

    void *arena;
    size_t arena_bytes;

    /* the current step */
    int B;
    unsigned mode;
    int have_forward;
};

static inline float *tr_data(const si_net *n, int t) {
    return n->params + n->tensors[t].off;
}
static inline float *tr_grad(const si_net *n, int t) {
    return n->grads + n->tensors[t].off;
}
/* Thread `part`'s gradient of tensor t (partials for conv weights). */
static inline float *tr_tgrad(const si_net *n, int part, int t) {
    return n->scratch[part].grads + n->tensors[t].off;
}

/* --- net_tensors.c ---------------------------------------------------------- */

/* Builds the state-dict table and the layer geometry for n->info (no memory). */
si_err tr_build(si_net *n);

/* PyTorch default init of every tensor from the seed. */
void tr_init_params(si_net *n, uint64_t seed);

/* --- net_arena.c -------------------------------------------------------------- */

/* Sizes and allocates the parameter, gradient and arena blocks, the pool and
 * the scratch table; points every buffer. */
si_err tr_alloc(si_net *n);

/* --- net_ops.c: the layer ops (each one pool job, all threads) ------------- */

/* Conv forward: a whole batch of `images`; lo = Wm·im2col(hi) + b (conv) or
 * hi = col2im(Wmᵀ·lo) + b (transposed). hi/lo image strides as given. */
void tr_conv_forward(si_net *n, const tr_conv *c, int images, float *hi, size_t hi_stride,
                     float *lo, size_t lo_stride);
/* Conv backward: weight and bias gradients into the thread partials, and the
 * data gradient when dx is not NULL (conv: dhi, accumulated, so zero it
 * first; transposed: dlo, overwritten). For a conv, hi = input, lo = dZ; for a
 * transposed conv, hi = dY, lo = input. */
void tr_conv_backward(si_net *n, const tr_conv *c, int images, const float *hi, size_t hi_stride,
                      const float *lo, size_t lo_stride, float *dx, size_t dx_stride);

/* BatchNorm forward over [N, C, P] z (contiguous) into a (a_stride per image),
 * ReLU when relu; batch or running statistics by n->mode. */
void tr_bn_forward(si_net *n, tr_bn *bn, int N, size_t P, const float *z, float *a, size_t a_stride,
                   int relu);
/* BatchNorm backward: da (a_stride per image), a for the ReLU mask (NULL:
 * none), z; dz contiguous [N, C, P] (may be da when a_stride = C·P); γ and β
 * gradients. */
void tr_bn_backward(si_net *n, tr_bn *bn, int N, size_t P, const float *da, const float *a,
                    size_t a_stride, const float *z, float *dz);

/* Block instance norm + ReLU per image of L floats, and its backward. */
void tr_inorm_forward(si_net *n, int N, size_t L, const float *z, float *a, float *mean,
                      float *rstd);
void tr_inorm_backward(si_net *n, int N, size_t L, const float *da, const float *a, const float *z,
                       const float *mean, const float *rstd, float *dz);

/* Linear: z [M, out] = x [M, in] · Wᵀ + b, and backward (dx may be NULL). */
void tr_linear_forward(si_net *n, const tr_linear *l, size_t M, const float *x, float *z);
void tr_linear_backward(si_net *n, const tr_linear *l, size_t M, const float *x, const float *dz,
                        float *dx);

/* Sums the threads' weight-gradient partials into the gradients. */
void tr_reduce_grads(si_net *n);

/* --- net_forward.c / net_backward.c ------------------------------------------ */

void tr_forward(si_net *n);
void tr_backward(si_net *n);

#endif
