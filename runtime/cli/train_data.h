/* Training data for `seisinv train`: surveys from stored shards or
 * generated on the fly (velocity model (seed, split, index) of SPEC §3,
 * simulated with the network's geometry), a per-epoch shuffle and the
 * optional flip augmentation, all pure functions of (seed, epoch, index) so
 * a resumed run sees the same batches. */
#ifndef SI_TRAIN_DATA_H
#define SI_TRAIN_DATA_H

#include <stdint.h>

#include "cli_shards.h"
#include "seisinv/sim.h"

typedef struct tr_source {
    int generated;   /* 0: shards in `set` */
    si_shardset set; /* shards */
    int64_t count;   /* samples */
    int S, T, R, H, W;
    si_sim *sim; /* generated: the simulator, its configuration, the split's seed */
    si_sim_config cfg;
    uint64_t split_seed;
    float *raw, *vel; /* one survey [S, T, R] and model [H, W] before flipping */
} tr_source;

/* Shards of `path` (a folder or a data_K.npy). Prints the problem and
 * returns SI_EXIT_BADINPUT, or 0. */
int tr_source_shards(const char *cmd, const char *path, int S, int R, int T, int H, int W,
                     tr_source *src);

/* `count` samples generated from (seed, split): models of types 1-4 in turn,
 * S sources at columns round(linspace(2, W-3, S)) and R receivers at
 * round(linspace(0, W-1, R)) on row 1, T samples at 1 ms, dx 10 m (the
 * `seisinv dataset` geometry, so S = 20 with R = 32 gives the same surveys). */
int tr_source_generated(const char *cmd, int64_t count, uint64_t seed, const char *split, int S,
                        int R, int T, int H, int W, int threads, tr_source *src);

/* Sample i: survey [S, T, R] raw amplitudes and model [H, W] in m/s, both
 * mirrored left-right when `flip` (shot and receiver order reversed).
 * Prints the problem and returns SI_EXIT_BADINPUT, or 0. */
int tr_source_get(const char *cmd, tr_source *src, int64_t i, int flip, float *survey,
                  float *model);

void tr_source_close(tr_source *src);

/* perm[0..n) = the order of epoch `epoch` (Fisher-Yates from (seed, epoch)). */
void tr_epoch_order(int64_t *perm, int64_t n, uint64_t seed, int64_t epoch);

/* Whether sample i is flipped in epoch `epoch` (probability 1/2). */
int tr_flip_for(uint64_t seed, int64_t epoch, int64_t i);

#endif
