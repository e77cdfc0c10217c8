/* `seisinv train` checkpoints: one safetensors file, written atomically,
 * holding everything a bit-exact resume needs: every tensor of the net
 * ("model.<name>", running statistics included), Adam's moments
 * ("adam.m.<name>", "adam.v.<name>"), the loss history for the curve
 * ("history.train", "history.val": [n, 2] step, loss), and in the metadata
 * the configuration (seisinv.*), the counters (train.step, train.epoch,
 * train.pos, train.max_step, the dropout stream train.rng0/1,
 * train.batches_tracked) and the run's settings (train.* from the caller). */
#ifndef SI_TRAIN_CKPT_H
#define SI_TRAIN_CKPT_H

#include <stdint.h>

#include "seisinv/safetensors.h"
#include "seisinv/train.h"

typedef struct tr_history {
    float *xy; /* [n, 2]: step, loss */
    int n, cap;
} tr_history;

typedef struct tr_state {
    int64_t step;     /* optimiser steps done */
    int64_t epoch;    /* current epoch (0-based) */
    int64_t pos;      /* batches done in this epoch */
    int64_t max_step; /* the poly schedule's end */
    double epoch_sum; /* training losses of this epoch so far, and their count */
    int64_t epoch_n;
    tr_history train, val;
    float *m, *v; /* Adam moments of every tensor with a gradient, in tensor order */
    size_t nparam;
} tr_state;

/* Allocates zeroed Adam moments for net's parameters. */
si_err tr_state_init(tr_state *s, const si_net *n);
void tr_state_free(tr_state *s);
si_err tr_history_add(tr_history *h, double step, double value);

si_err tr_ckpt_save(const char *path, const si_net *n, const tr_state *s, const si_st_kv *args,
                    int nargs);

/* The net's options (configuration, normalisation) from an open checkpoint. */
si_err tr_ckpt_options(const si_st_file *f, si_net_options *o);

/* Restores net tensors, counters, dropout stream, moments and history from
 * an open checkpoint into a net created with tr_ckpt_options and a state
 * from tr_state_init. */
si_err tr_ckpt_restore(const si_st_file *f, si_net *n, tr_state *s);

#endif
