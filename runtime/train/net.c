/* The public training-graph API (seisinv/train.h): create, load, free,
 * getters and the steps. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error_internal.h"
#include "loss.h"
#include "net_internal.h"

static int default_threads(void) {
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c < 1 ? 1 : c > 64 ? 64 : (int)c;
}

static double forward_flops(const si_net *n) {
    double macs = 0;
    const double N = n->S, M = (double)n->S * n->R;
    for (int i = 0; i < TR_GLOB; i++) {
        const tr_conv *c = &n->glob[i].conv;
        macs += N * c->rows * (double)c->k * (double)c->npix;
    }
    for (int i = 0; i < TR_NEIG; i++) {
        const tr_conv *c = &n->neig[i].conv;
        macs += N * c->rows * (double)c->k * (double)c->npix;
    }
    for (int i = 0; i < TR_GEN; i++)
        macs += M * n->gen[i].lin.in * n->gen[i].lin.out;
    for (int i = 0; i < TR_UP; i++)
        for (int j = 0; j < 2; j++) {
            const tr_conv *c = &n->up[i][j].conv;
            macs += (double)c->rows * (double)c->k * (double)c->npix;
        }
    for (int d = 0; d < TR_DIL; d++) {
        const tr_conv *c = &n->dil[d].conv;
        macs += (double)c->rows * (double)c->k * (double)c->npix;
    }
    macs += (double)n->head.conv.rows * (double)n->head.conv.k * (double)n->head.conv.npix;
    return 2 * macs;
}

/* Everything but the tensor values: options, kernels, tables, memory. */
static si_err setup(si_net *n, const si_net_options *o) {
    if (o->batch < 0 || o->batch > 4096)
        return si_fail(SI_EINVAL, "batch %d: need 1..4096", o->batch);
    if (!(o->dropout >= 0 && o->dropout < 1))
        return si_fail(SI_EINVAL, "dropout %g: need a probability in [0, 1)", (double)o->dropout);
    if (o->threads < 0) return si_fail(SI_EINVAL, "threads %d: need >= 0", o->threads);
    n->batch = o->batch ? o->batch : 12;
    n->threads = o->threads ? o->threads : default_threads();
    n->dropout = o->dropout;
    n->rng_seed = o->seed, n->rng_counter = 0;
    const si_isa isa = si_isa_active();
    n->gemm = si_gemm_kernels_for(isa);
    n->conv = si_conv_kernels_for(isa);
    n->c2i = si_col2im_kernels_for(isa);
    n->bnk = si_bntrain_kernels_for(isa);
    si_err st = tr_build(n);
    if (st) return st;
    int64_t params = 0;
    for (int i = 0; i < n->ntensors; i++)
        if (n->tensors[i].has_grad) params += (int64_t)n->tensors[i].numel;
    n->info.parameters = params;
    n->info.flops = forward_flops(n);
    n->info.threads = n->threads;
    n->info.isa = si_isa_name(isa);
    return tr_alloc(n);
}

/* The configuration of si_net_create from the options (paper defaults),
 * checked like a file's metadata. */
static si_err config_from_options(si_model_info *in, const si_net_options *o) {
    *in = (si_model_info){.S = o->S ? o->S : 20,
                          .R = o->R ? o->R : 32,
                          .T = o->T ? o->T : 1000,
                          .H = o->H ? o->H : 100,
                          .W = o->W ? o->W : 100,
                          .v_min = o->v_min || o->v_max ? o->v_min : 1500,
                          .v_max = o->v_min || o->v_max ? o->v_max : 4000,
                          .seis_scale = o->seis_scale ? o->seis_scale : 1,
                          .seis_log1p = o->seis_log1p ? 1 : 0};
    if (in->S < 1 || in->S > 4096 || in->R < 1 || in->T < 1)
        return si_fail(SI_EINVAL, "S=%d, R=%d, T=%d: need positive sizes", in->S, in->R, in->T);
    if (in->H < 1 || in->H > NN_DEC_SIZE || in->W < 1 || in->W > NN_DEC_SIZE)
        return si_fail(SI_EINVAL, "H=%d, W=%d: need 1..%d (the decoder's map is %dx%d)", in->H,
                       in->W, NN_DEC_SIZE, NN_DEC_SIZE, NN_DEC_SIZE);
    if (!(in->v_min < in->v_max) || !isfinite(in->v_min) || !isfinite(in->v_max))
        return si_fail(SI_EINVAL, "v_min %g must be below v_max %g", in->v_min, in->v_max);
    if (!isfinite(in->seis_scale))
        return si_fail(SI_EINVAL, "seis_scale %g is not finite", in->seis_scale);
    int h[NN_GLOB], w[NN_GLOB];
    if (nn_glob_sizes(in->R, in->T, h, w) < NN_GLOB || h[NN_GLOB - 1] != 1 || w[NN_GLOB - 1] != 1)
        return si_fail(SI_EINVAL,
                       "R=%d, T=%d: the Global branch's last 4x4 conv must see exactly 4x4 to "
                       "end at 1x1 (needs R in 25..32 and T in 769..1024)",
                       in->R, in->T);
    return SI_OK;
}

si_err si_net_create(si_net **out, const si_net_options *o) {
    *out = NULL;
    const si_net_options def = {0};
    if (!o) o = &def;
    si_net *n = calloc(1, sizeof *n);
    if (!n) return si_fail(SI_ENOMEM, "out of memory");
    si_err st = config_from_options(&n->info, o);
    if (!st) st = setup(n, o);
    if (st) {
        si_net_free(n);
        return st;
    }
    tr_init_params(n, o->seed);
    *out = n;
    return SI_OK;
}

/* Tensor values from an open file: every tensor of the net present with its
 * shape and finite; nothing else but BatchNorm counters. */
static si_err read_tensors(si_net *n, const si_st_file *f) {
    for (int i = 0; i < n->ntensors; i++) {
        const tr_tensor *t = &n->tensors[i];
        const si_st_tensor *st;
        si_err e = si_st_require(f, t->name, t->ndim, t->shape, &st);
        if (e) return e;
        if (st->dtype != SI_ST_F32 && st->dtype != SI_ST_F16 && st->dtype != SI_ST_BF16)
            return si_fail(SI_EFORMAT, "tensor '%s' is %s: need F32, F16 or BF16", t->name,
                           si_st_dtype_name(st->dtype));
        float *v = tr_data(n, i);
        if ((e = si_st_to_f32(st, v))) return e;
        for (size_t j = 0; j < t->numel; j++)
            if (!isfinite(v[j]))
                return si_fail(SI_EDATA, "tensor '%s' element %zu is %g: need finite values",
                               t->name, j, (double)v[j]);
    }
    static const char tail[] = ".num_batches_tracked";
    const size_t tl = sizeof tail - 1;
    for (size_t i = 0; i < si_st_count(f); i++) {
        const si_st_tensor *t = si_st_at(f, i);
        if (si_net_tensor_find(n, t->name) >= 0) continue;
        const size_t len = strlen(t->name);
        if (len > tl && strcmp(t->name + len - tl, tail) == 0 && t->numel == 1) {
            if (t->dtype == SI_ST_I64) {
                int64_t v;
                memcpy(&v, t->data, sizeof v);
                n->batches_tracked = v;
            } else if (t->dtype == SI_ST_F32) {
                float v;
                memcpy(&v, t->data, sizeof v);
                n->batches_tracked = (int64_t)v;
            }
            continue;
        }
        return si_fail(SI_EFORMAT,
                       "unexpected tensor '%s': not part of SeisInvNet (S=%d, R=%d, T=%d)", t->name,
                       n->S, n->R, n->T);
    }
    return SI_OK;
}

si_err si_net_load(si_net **out, const char *path, const si_net_options *o) {
    *out = NULL;
    const si_net_options def = {0};
    if (!o) o = &def;
    si_st_file *f;
    si_err st = si_st_open(path, &f);
    if (st) return st;
    si_net *n = calloc(1, sizeof *n);
    if (!n) {
        si_st_close(f);
        return si_fail(SI_ENOMEM, "out of memory");
    }
    st = nn_config_read(f, &n->info);
    if (!st) st = setup(n, o);
    if (!st) st = read_tensors(n, f);
    si_st_close(f);
    if (st) {
        si_net_free(n);
        return si_fail_prefix(st, "%s: ", path);
    }
    *out = n;
    return SI_OK;
}

void si_net_free(si_net *n) {
    if (!n) return;
    if (n->pool) si_pool_free(n->pool);
    free(n->arena);
    free(n->scratch);
    free(n->params);
    free(n->grads);
    free(n);
}

const si_model_info *si_net_config(const si_net *n) {
    return &n->info;
}
int si_net_batch(const si_net *n) {
    return n->batch;
}
size_t si_net_arena_bytes(const si_net *n) {
    return n->arena_bytes;
}
size_t si_net_param_bytes(const si_net *n) {
    return 2 * n->param_floats * sizeof(float);
}

int si_net_tensor_count(const si_net *n) {
    return n->ntensors;
}

si_net_tensor si_net_tensor_at(const si_net *n, int i) {
    const tr_tensor *t = &n->tensors[i];
    si_net_tensor r = {.name = t->name,
                       .ndim = t->ndim,
                       .numel = t->numel,
                       .data = tr_data(n, i),
                       .grad = t->has_grad ? tr_grad(n, i) : NULL};
    memcpy(r.shape, t->shape, sizeof r.shape);
    return r;
}

int si_net_tensor_find(const si_net *n, const char *name) {
    for (int i = 0; i < n->ntensors; i++)
        if (strcmp(n->tensors[i].name, name) == 0) return i;
    return -1;
}

int64_t si_net_batches_tracked(const si_net *n) {
    return n->batches_tracked;
}
void si_net_set_batches_tracked(si_net *n, int64_t count) {
    n->batches_tracked = count;
}

void si_net_rng_get(const si_net *n, uint64_t state[2]) {
    state[0] = n->rng_seed, state[1] = n->rng_counter;
}
void si_net_rng_set(si_net *n, const uint64_t state[2]) {
    n->rng_seed = state[0], n->rng_counter = state[1];
}
void si_net_set_dropout(si_net *n, float p) {
    n->dropout = p >= 0 && p < 1 ? p : 0;
}

/* --- steps ------------------------------------------------------------------ */

si_err si_net_forward(si_net *n, const float *x, int B, unsigned mode, float *y) {
    if (B < 1 || B > n->batch)
        return si_fail(SI_EINVAL, "batch of %d surveys: this net takes 1..%d", B, n->batch);
    /* the Global branch's last BatchNorm sees one value per shot */
    if ((mode & SI_NET_BATCH_STATS) && B * n->S < 2)
        return si_fail(SI_EINVAL, "batch statistics need at least 2 shots per batch (B=%d, S=%d)",
                       B, n->S);
    if ((mode & ~(unsigned)SI_NET_TRAIN) ||
        ((mode & SI_NET_UPDATE_STATS) && !(mode & SI_NET_BATCH_STATS)))
        return si_fail(SI_EINVAL, "forward mode 0x%x is not valid", mode);
    n->B = B, n->mode = mode;
    memcpy(n->x, x, (size_t)B * n->S * n->R * n->T * sizeof(float));
    tr_forward(n);
    n->have_forward = (mode & SI_NET_BATCH_STATS) != 0;
    if (y) memcpy(y, n->pred, (size_t)B * n->H * n->W * sizeof(float));
    return SI_OK;
}

si_err si_net_backward(si_net *n, const float *dy) {
    if (!n->have_forward)
        return si_fail(SI_EINVAL, "backward needs a forward on batch statistics first");
    memcpy(n->dpred, dy, (size_t)n->B * n->H * n->W * sizeof(float));
    tr_backward(n);
    return SI_OK;
}

si_err si_net_train_batch(si_net *n, const float *x, const float *y, int B, int loss, unsigned mode,
                          double *loss_out) {
    if (loss < SI_LOSS_L1 || loss > SI_LOSS_L2_MSSSIM)
        return si_fail(SI_EINVAL, "loss kind %d is not one of L1, L2, L2+MS-SSIM", loss);
    if (!(mode & SI_NET_BATCH_STATS))
        return si_fail(SI_EINVAL, "a training step needs batch statistics");
    si_err st = si_net_forward(n, x, B, mode, NULL);
    if (st) return st;
    const double l =
        si_loss((si_loss_kind)loss, n->pred, y, B, n->H, n->W, n->dpred, n->loss_scratch);
    if (!isfinite(l)) return si_fail(SI_EDATA, "the loss is %g (not finite)", l);
    if (loss_out) *loss_out = l;
    tr_backward(n);
    return SI_OK;
}

si_err si_net_eval_batch(si_net *n, const float *x, int B, float *y) {
    return si_net_forward(n, x, B, SI_NET_EVAL, y);
}
