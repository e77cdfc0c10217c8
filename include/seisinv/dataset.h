/* seisinv — SeisInv dataset generator (SPEC §3, §4).
 *
 * Writes N surveys as OpenFWI-layout shards in a folder:
 *   data_K.npy  [n, S, T, R] float32 (pressure, the simulator's output)
 *   model_K.npy [n, 1, H, W] float32 (velocity, m/s)
 *   manifest.json  geometry, seed, split, types, counts, shard list and
 *                  normalisation statistics (written atomically)
 * for K = 0, 1, ...; every shard holds shard_size samples except maybe the
 * last. Sample i is a pure function of (seed, split, i): its model is
 * si_velgen(si_velgen_type_for_index(lo, hi, i), split_seed, i) with
 * split_seed = si_dataset_split_seed(seed, split), so splits never overlap
 * and any shard can be regenerated alone.
 *
 * A shard appears under its name only when complete. A second run into the
 * same folder with the same configuration keeps the complete shards and
 * generates the rest (resume); a different configuration is refused. */
#ifndef SEISINV_DATASET_H
#define SEISINV_DATASET_H

#include <stdint.h>

#include "seisinv/error.h"
#include "seisinv/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SI_DATASET_MAX_SPLIT 32

typedef struct si_dataset_config {
    si_sim_config sim;                /* geometry, recorded in the manifest */
    uint64_t seed;                    /* below 2^63 (stored as a JSON integer) */
    char split[SI_DATASET_MAX_SPLIT]; /* "train", "val", "test" or any [A-Za-z0-9_-]+ */
    int type_lo, type_hi;             /* model types cycled over, within 1..4 */
    int64_t count;                    /* number of surveys */
    int shard_size;                   /* surveys per shard, default 500 */
} si_dataset_config;

/* SeisInv defaults for an nz x nx grid: si_sim_config_default geometry with
 * the 32 network receivers (si_sim_network_receivers), seed 0, split "train",
 * types 1..4, 12000 surveys, shards of 500. */
void si_dataset_config_default(si_dataset_config *cfg, int nz, int nx);

/* Replaces the receivers with one at every column of row rec_z (the "all
 * receivers" variant, 100 for the paper grid). */
void si_dataset_use_all_receivers(si_dataset_config *cfg);

/* The seed every model of a split is drawn from: seed mixed with the split name. */
uint64_t si_dataset_split_seed(uint64_t seed, const char *split);

/* Checks the configuration without touching the disk: geometry, types, counts,
 * split name, and that the fastest velocity (4000 m/s) is stable. Sets *ppw to
 * the points per wavelength of the slowest (1500 m/s) so callers can warn. */
si_err si_dataset_check(const si_dataset_config *cfg, double *ppw);

/* Called after every finished survey (and once at the start, with the number
 * already on disk), from the generating thread. */
typedef void (*si_dataset_progress_fn)(int64_t done, int64_t total, void *user);

typedef struct si_dataset_summary {
    int64_t resumed;   /* surveys found complete on disk and kept */
    int64_t generated; /* surveys simulated by this call */
    int shards;        /* number of shards of the whole dataset */
} si_dataset_summary;

/* Generates the dataset into dir (created if missing; its parent must exist).
 * `interrupt`, when not NULL, is polled between surveys: once it is non-zero
 * the open shard is discarded, finished shards and the manifest stay, and
 * SI_EINTERRUPTED is returned (run again to resume). summary may be NULL. */
si_err si_dataset_generate(const si_dataset_config *cfg, const char *dir,
                           si_dataset_progress_fn progress, void *user, volatile int *interrupt,
                           si_dataset_summary *summary);

#ifdef __cplusplus
}
#endif
#endif
