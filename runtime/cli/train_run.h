/* The training loop of `seisinv train` (train_run.c) and what it runs on,
 * set up by cmd_train.c. */
#ifndef SI_TRAIN_RUN_H
#define SI_TRAIN_RUN_H

#include <stdint.h>

#include "seisinv/safetensors.h"
#include "seisinv/train.h"
#include "train/loss.h"
#include "train_ckpt.h"
#include "train_data.h"

/* The run's settings; those marked (ckpt) are stored in the checkpoint
 * and come back from it on --resume. */
typedef struct tr_settings {
    const char *data, *val; /* (ckpt) shard folders/files; data NULL with generate */
    long long generate;     /* (ckpt) samples generated on the fly, 0: shards */
    long long epochs;       /* (ckpt) */
    long batch;             /* (ckpt) */
    double lr, dropout;     /* (ckpt) */
    si_loss_kind loss;      /* (ckpt) */
    uint64_t seed;          /* (ckpt) shuffle, flips, dropout, generated data */
    int flip;               /* (ckpt) */
    long long steps;        /* stop after this many steps in all (0: the whole schedule) */
    long long save_every;   /* checkpoint every N steps (0: at the end only) */
    long threads;
    const char *out; /* run folder */
} tr_settings;

typedef struct tr_run {
    const tr_settings *set;
    si_net *net;
    tr_source train, val; /* val.count 0: no validation */
    tr_state state;
    int64_t steps_per_epoch;
    const si_st_kv *ckpt_args; /* settings as checkpoint metadata */
    int nckpt_args;
} tr_run;

/* Trains until the schedule or --steps ends, or Ctrl-C (checkpoint saved,
 * SI_EXIT_INTERRUPTED). Returns an exit code; prints its own messages. */
int tr_run_train(tr_run *r);

#endif
