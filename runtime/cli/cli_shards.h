/* Dataset shards for `eval` and `train`: the data_K.npy / model_K.npy pairs
 * of a folder (K = 0, 1, ... while both exist) or one data_K.npy with its
 * model_K.npy beside it, checked against the network's shapes, read survey
 * by survey at any index (files held open; nothing loaded whole). */
#ifndef SI_CLI_SHARDS_H
#define SI_CLI_SHARDS_H

#include <stdint.h>
#include <stdio.h>

typedef struct si_shard {
    char data[4096], model[4096];
    int64_t n;                   /* surveys */
    int64_t data_off, model_off; /* where the arrays start */
    FILE *fd, *fm;
} si_shard;

typedef struct si_shardset {
    si_shard *shard;
    int count;
    int64_t total;     /* surveys over all shards */
    int S, T, R, H, W; /* data [n, S, T, R], models [n, 1, H, W] */
} si_shardset;

/* Opens `path` (a folder or a data_K.npy) for a network of S shots, R
 * receivers, T samples and H×W models. On a problem prints it (naming the
 * file, the shape found and the shape wanted) and returns SI_EXIT_BADINPUT
 * with nothing left open; 0 on success. */
int si_cli_shards_open(const char *cmd, const char *path, int S, int R, int T, int H, int W,
                       si_shardset *set);

/* Survey i of the set (over all shards in order) as [S, T, R] into survey
 * and its model [H, W] in m/s into model (either may be NULL). Prints a
 * short read naming the file and returns SI_EXIT_BADINPUT, or 0. */
int si_cli_shards_read(const char *cmd, const si_shardset *set, int64_t i, float *survey,
                       float *model);

void si_cli_shards_close(si_shardset *set);

#endif
