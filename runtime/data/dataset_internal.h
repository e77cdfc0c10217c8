/* Internal pieces of the dataset generator: shard files, manifest, statistics. */
#ifndef SI_DATASET_INTERNAL_H
#define SI_DATASET_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "seisinv/dataset.h"

/* --- shards (dataset_shards.c) --- */

/* Shard k holds samples [first, first + n). */
typedef struct si_ds_shard {
    int64_t first, n;
} si_ds_shard;

int si_ds_nshards(const si_dataset_config *cfg);
si_ds_shard si_ds_shard_at(const si_dataset_config *cfg, int k);

/* "<dir>/data_<k>.npy" or "<dir>/model_<k>.npy" into buf; kind is "data" or "model". */
void si_ds_shard_path(char *buf, size_t cap, const char *dir, const char *kind, int k);

/* Expected .npy shapes of shard k: data [n, S, T, R], model [n, 1, H, W]. */
void si_ds_data_shape(const si_dataset_config *cfg, int64_t n, int64_t shape[4]);
void si_ds_model_shape(const si_dataset_config *cfg, int64_t n, int64_t shape[4]);

/* 1 when both files of shard k exist with the expected headers and sizes. */
int si_ds_shard_complete(const si_dataset_config *cfg, const char *dir, int k);

/* 1 when dir holds any data_K.npy / model_K.npy file. */
int si_ds_dir_has_shards(const char *dir);

/* Removes temporaries a killed run left behind (data_K.npy.tmp.*, ...). */
void si_ds_remove_stale_temporaries(const char *dir);

/* --- manifest (dataset_manifest.c) --- */

/* The configuration object that must match for a resume (new reference). */
json_t *si_ds_config_json(const si_dataset_config *cfg);

/* SI_OK when path is absent or its "config" equals `config`; otherwise an
 * error naming the first field that differs. */
si_err si_ds_manifest_check(const char *path, const json_t *config);

typedef struct si_ds_stats {
    /* seismic amplitudes, from a deterministic sample of the shards */
    double d_min, d_max, d_mean, d_std, abs_p1, abs_p50, abs_p99, abs_p999;
    int64_t d_values, pct_values, pct_stride;
    /* velocity, exact over every model */
    double v_min, v_max, v_mean, v_std;
    int64_t v_values;
} si_ds_stats;

/* Writes manifest.json atomically; complete[k] marks finished shards; stats
 * is NULL until every shard is done. */
si_err si_ds_manifest_write(const char *dir, const si_dataset_config *cfg, const json_t *config,
                            const unsigned char *complete, const si_ds_stats *stats);

/* --- statistics (dataset_stats.c) --- */

/* Reads back every (complete) shard: velocity statistics over all models;
 * amplitude statistics over shot gather (i mod S) of every survey i, with
 * percentiles of |d| over every pct_stride-th of those values. A pure
 * function of the files, so a resumed dataset gets the same numbers.
 * `interrupt` (may be NULL) is polled between shards. */
si_err si_ds_stats_compute(const si_dataset_config *cfg, const char *dir, volatile int *interrupt,
                           si_ds_stats *st);

#endif
