/* Internal: the SeisInvNet runtime's plan, shared by the files of runtime/nn.
 *
 * Load builds a plan: a list of steps, each one pool job (all threads, then a
 * barrier). Every step reads and writes named buffers of one arena; weights
 * sit before the arena in the same allocation, packed for the kernels.
 *
 * Layouts: a survey shot is [R, T]; Global activations of one shot [C, H, W]
 * and all shots NCHW [S, C, H, W]; the embedding E [S·R, 128+S+R+T]; the
 * generator's rows [S·R, width]; decoder maps [C, H, W]. */
#ifndef SI_NN_INTERNAL_H
#define SI_NN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "act/act.h"
#include "conv/conv.h"
#include "core/threadpool.h"
#include "gemm/gemm.h"
#include "norm/norm.h"
#include "seisinv/model.h"
#include "seisinv/safetensors.h"
#include "winograd/winograd.h"

/* --- the architecture (SPEC §1) ------------------------------------------ */

enum { NN_GLOB = 11, NN_GEN = 5, NN_DEC_UP = 3, NN_DIL = 4, NN_NEIG = 3 };
enum { NN_GLOB_OUT = 128, NN_FMAP = 16, NN_DEC_SIZE = 128, NN_NEIG_C = 4 };

/* Tile origins per axis a Winograd conv may have ((n + 1) / 2 + dilation). */
enum { NN_WINO_ORIGINS = 80 };

/* Global layers 1-4 have kernels one row high: a shot goes through them a
 * band of receivers at a time, so each band's maps stay in L2. */
enum { NN_BAND = 8 };
#define NN_EPS 1e-5

typedef struct nn_glob_layer {
    int cin, cout, kh, kw, sh, sw, ph, pw;
} nn_glob_layer;

extern const nn_glob_layer nn_glob[NN_GLOB];
extern const int nn_gen_width[NN_GEN];    /* 1024, 512, 256, 256, 256 */
extern const int nn_dec_width[NN_DEC_UP]; /* 128, 64, 32 */
extern const int nn_dilation[NN_DIL];     /* 1, 3, 5, 7 */

/* Output size of each Global layer for a shot [R, T]; returns how many
 * layers have a non-empty output (NN_GLOB when all do). */
int nn_glob_sizes(int R, int T, int h[NN_GLOB], int w[NN_GLOB]);

/* Fills the configuration from the file's metadata (SPEC defaults for absent
 * keys) and checks it is one this network can run. */
si_err nn_config_read(const si_st_file *f, si_model_info *info);

/* --- kernels and per-thread scratch -------------------------------------- */

typedef struct nn_kernels {
    const si_gemm_kernels *gemm;
    const si_conv_kernels *conv;
    const si_norm_kernels *norm;
    const si_act_kernels *act;
    const si_wino_kernels *wino;
} nn_kernels;

/* A thread's scratch, inside the arena. */
typedef struct nn_scratch {
    float *bpack; /* im2col B chunk (packed panels) */
    float *ctmp;  /* GEMM output of a chunk that spans images */
    void *gemm_ws;
    float *priv; /* the per-shot buffers of the shots step */
} nn_scratch;

/* --- conv as GEMM ---------------------------------------------------------- */

/* A conv over `images` images run as A·B: A the packed weights [cout × K]
 * (BatchNorm folded), B im2col chunks of `chunk` columns, epilogue
 * + shift[co] and ReLU. Input image i at in + i·in_stride, output pixel
 * (i, co, p) at out + i·out_stride + co·out_cstride + p (out_cstride 0 at
 * setup: npix, plain NCHW). */
typedef struct nn_conv {
    si_conv_geom g;
    int cout, images, relu;
    size_t k, npix, in_stride, out_stride, out_cstride, chunk;
    size_t a_off, shift_off;    /* floats into the weights */
    const float *a, *shift;     /* resolved after allocation */
    char wname[48], bnname[48]; /* tensors: conv (prefix), its BatchNorm or "" */
    int phase;                  /* ConvTranspose phase 0..3, or -1 */
    /* Winograd F(2×2, 3×3) instead of im2col (3×3, stride 1, same padding):
     * `chunk` then counts tiles, A is 16 packed matrices a_stride apart. */
    int wino;
    si_wino_geom wg;
    int ty0[NN_WINO_ORIGINS], tx0[NN_WINO_ORIGINS];
    size_t tiles, a_stride, vstride, mstride;
} nn_conv;

/* Runs part `part` of `parts` of the conv (disjoint parts of the output). */
void nn_conv_run(const nn_conv *c, const nn_kernels *kern, const float *in, float *out, int part,
                 int parts, const nn_scratch *ws);

/* Winograd: whether a conv qualifies, its set-up (from nn_conv_setup) and
 * its run (from nn_conv_run). */
int nn_wino_eligible(const si_conv_geom *g);
void nn_wino_setup(nn_conv *c, const si_gemm_kernels *gemm);
void nn_wino_run(const nn_conv *c, const nn_kernels *kern, const float *in, float *out, int part,
                 int parts, const nn_scratch *ws);

/* Scratch floats nn_conv_run needs: bpack and ctmp. */
size_t nn_conv_bpack_floats(const nn_conv *c, const si_gemm_kernels *gemm);
size_t nn_conv_ctmp_floats(const nn_conv *c);

/* Sets up geometry, K, npix and the chunk width (c->images, in_stride,
 * out_stride, out_cstride are set by the caller first). */
void nn_conv_setup(nn_conv *c, const si_conv_geom *g, int cout, int relu,
                   const si_gemm_kernels *gemm);

/* --- linear (generator) ---------------------------------------------------- */

/* out[m × n] = relu((in[m × k] · Wᵀ + bias) · scale[row] + shift[row]):
 * Linear then BatchNorm1d over the m rows (row_bn; else no scale/shift).
 * W pre-packed as GEMM B. */
typedef struct nn_linear {
    size_t m, k, n;
    int row_bn;
    size_t b_off, bias_off, scale_off, shift_off;
    const float *b, *bias, *scale, *shift;
} nn_linear;

/* Global layer 11 (4×4 conv of a 4×4 map, no padding) is a Linear over the
 * shots: [S, 512·16] → [S, 128], its BatchNorm folded into W and bias. */
enum { NN_LIN_GLOB11 = NN_GEN };

/* --- steps ----------------------------------------------------------------- */

typedef enum nn_step_kind {
    NN_STEP_SHOTS,      /* per shot: input, Global 1..4, Neighbour, E's fixed part */
    NN_STEP_CONV,       /* 1..4 independent convs (phases, dilated branches) */
    NN_STEP_EMBED,      /* Global vectors into E */
    NN_STEP_LINEAR,     /* one generator layer */
    NN_STEP_INTERLEAVE, /* convT phases to the upsampled map */
    NN_STEP_HEAD,       /* 1×1 conv, BatchNorm, Sigmoid on the crop, to m/s */
} nn_step_kind;

enum { NN_MAX_BUFS = 72, NN_MAX_STEPS = 40, NN_MAX_PROF = 48 };

typedef struct nn_step {
    nn_step_kind kind;
    int conv0, nconv;             /* NN_STEP_CONV: convs[conv0 .. conv0+nconv) */
    int in, out;                  /* buffer ids */
    size_t in_off[4], out_off[4]; /* float offsets of each conv's input/output */
    int linear;                   /* NN_STEP_LINEAR */
    int prof;                     /* profile entry */
    int dec;                      /* NN_STEP_INTERLEAVE: decoder level */
    /* The step's own thread scratch (buffer ws, or -1 for none), alive for
     * this step only so the arena reuses it: per thread ws_bytes, the im2col
     * chunk (ws_bpack floats), then ctmp (ws_ctmp floats), then GEMM blocks. */
    int ws;
    size_t ws_bpack, ws_ctmp, ws_bytes;
} nn_step;

/* An arena buffer: floats, the first and last step that use it. */
typedef struct nn_buf {
    const char *name;
    size_t floats, offset; /* offset in bytes from the arena start */
    int first, last;
} nn_buf;

typedef struct nn_prof {
    char name[64];
    double flops, seconds;
    int64_t passes;
} nn_prof;

/* Offsets (floats) of the per-shot buffers inside a thread's `priv`. */
typedef struct nn_shot_layout {
    size_t x, g[3], na, nb, floats;
} nn_shot_layout;

/* The head: 1×1 conv (128 → 1) + BatchNorm folded into w and b. */
typedef struct nn_head {
    size_t w_off, b_off;
    const float *w, *b;
} nn_head;

struct si_model {
    si_model_info info;
    nn_kernels kern;
    si_pool *pool;
    int threads;

    /* derived sizes */
    int gh[NN_GLOB], gw[NN_GLOB]; /* Global layer outputs */
    int l1w;                      /* Global layer 1 output length */
    int band;                     /* receivers per band in Global layers 1-4 */
    size_t elen;                  /* embedding row length */
    int crop_top, crop_left;

    /* the plan */
    nn_conv convs[32];
    int nconvs;
    nn_linear lin[NN_GEN + 1];
    nn_head head;
    size_t g1_w, g1_scale, g1_shift; /* Global layer 1 (direct kernel) */
    const float *g1w, *g1s, *g1b;
    int glob_conv0; /* convs of Global layers 2..4 (shots step) */
    size_t neig_w[NN_NEIG], neig_b[NN_NEIG];
    const float *nw[NN_NEIG], *nbias[NN_NEIG];
    nn_step steps[NN_MAX_STEPS];
    int nsteps;
    nn_buf bufs[NN_MAX_BUFS];
    int nbufs;
    nn_shot_layout shot;
    int buf_priv, buf_gvec, buf_e, buf_survey;

    /* memory: one allocation, weights then arena */
    void *block;
    float *weights;
    size_t weight_floats;
    unsigned char *arena;
    size_t arena_bytes;
    nn_scratch *scratch; /* per thread (small, allocated at load), pointed at
                            the running step's scratch by the thread itself */

    /* the current inference */
    const float *survey;
    si_layout layout;
    float *velocity;

    /* timing */
    int profile;
    nn_prof prof[NN_MAX_PROF];
    int nprof;
    int shot_prof0;         /* first of the shots step's sub-entries */
    double *thread_seconds; /* [threads][NN_MAX_PROF], the shots step's sub-timers */
};

/* Buffer base pointer. */
static inline float *nn_buf_ptr(const si_model *m, int id) {
    return (float *)(m->arena + m->bufs[id].offset);
}

/* --- the pieces of load and inference ------------------------------------ */

/* Builds steps, buffers and weight offsets from m->info (no allocation). */
si_err nn_plan(si_model *m);

/* Places the buffers in the arena (greedy, reusing memory of buffers whose
 * step ranges do not overlap); sets offsets and m->arena_bytes. */
void nn_arena_place(nn_buf *bufs, int n, size_t *total_bytes);

/* The weights file while loading: mapped where possible (wfile.c). */
typedef struct nn_wfile {
    si_st_file *f;
    void *map; /* NULL: read whole into memory by si_st_open */
    size_t len;
} nn_wfile;

/* Opens and validates the file (messages as si_st_open's). */
si_err nn_wfile_open(nn_wfile *w, const char *path);

/* Tells that `n` bytes at `data` (a tensor of the file) are consumed: their
 * pages leave resident memory. */
void nn_wfile_done(const nn_wfile *w, const void *data, size_t n);

void nn_wfile_close(nn_wfile *w);

/* Reads, checks, folds and packs every tensor into m->weights; errors name
 * the tensor. Also rejects tensors the network does not have. */
si_err nn_pack_weights(si_model *m, const nn_wfile *w);

/* Points the plan's weight pointers into m->weights. */
void nn_resolve(si_model *m);

/* BatchNorm folding: per channel scale = γ/√(σ²+ε), shift = β − μ·scale
 * (+ bias·scale when bias is given), computed in double. */
void nn_bn_fold(int n, const float *gamma, const float *beta, const float *mean, const float *var,
                const float *bias, float *scale, float *shift);

/* Shot s of m->survey, normalised, into x [R, T]. */
void nn_input_shot(const si_model *m, int s, float *x);

/* Index of the first non-finite sample, or -1. */
long long nn_input_first_bad(const float *survey, size_t n);

/* The shots step for shot s on thread `part`. */
void nn_shot_run(si_model *m, int s, int part);

/* Global vectors [S, 128] into E's first 128 columns. */
void nn_embed_global(si_model *m, int part, int parts);

/* The head over rows [part share] of the crop, writing m/s. */
void nn_head_run(si_model *m, int part, int parts);

/* Runs the plan on m->survey into m->velocity. */
void nn_forward(si_model *m);

double nn_now(void);

#endif
