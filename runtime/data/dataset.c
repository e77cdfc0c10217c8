/* SeisInv dataset generation: models from si_velgen, surveys from the
 * simulator, streamed into OpenFWI-layout shards; resumable and interruptible. */
#include "seisinv/dataset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/error_internal.h"
#include "dataset_internal.h"
#include "rng.h"
#include "seisinv/npy.h"
#include "seisinv/velgen.h"

#define NETWORK_RECEIVERS 32
#define MAX_COUNT 1000000000LL
#define MAX_SHARD 1000000

void si_dataset_config_default(si_dataset_config *cfg, int nz, int nx) {
    memset(cfg, 0, sizeof *cfg);
    si_sim_config_default(&cfg->sim, nz, nx);
    cfg->sim.nrec = NETWORK_RECEIVERS;
    si_sim_network_receivers(nx, NETWORK_RECEIVERS, cfg->sim.rec_x);
    strcpy(cfg->split, "train");
    cfg->type_lo = 1, cfg->type_hi = 4;
    cfg->count = 12000;
    cfg->shard_size = 500;
}

void si_dataset_use_all_receivers(si_dataset_config *cfg) {
    cfg->sim.nrec = cfg->sim.nx < SI_SIM_MAX_RECS ? cfg->sim.nx : SI_SIM_MAX_RECS;
    for (int i = 0; i < cfg->sim.nrec; i++)
        cfg->sim.rec_x[i] = i;
}

uint64_t si_dataset_split_seed(uint64_t seed, const char *split) {
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a of the name */
    for (const unsigned char *p = (const unsigned char *)split; *p; p++)
        h = (h ^ *p) * 0x100000001b3ULL;
    return si_hash2(seed, h);
}

static si_err check_split(const char *s) {
    size_t n = strnlen(s, SI_DATASET_MAX_SPLIT);
    if (n == 0 || n == SI_DATASET_MAX_SPLIT)
        return si_fail(SI_EINVAL, "split name must be 1 to %d characters",
                       SI_DATASET_MAX_SPLIT - 1);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return si_fail(SI_EINVAL, "split name '%s' may only hold letters, digits, '_', '-'", s);
    }
    return SI_OK;
}

si_err si_dataset_check(const si_dataset_config *cfg, double *ppw) {
    si_err st = si_sim_check_config(&cfg->sim);
    if (st) return st;
    if (cfg->type_lo < 1 || cfg->type_hi > 4 || cfg->type_lo > cfg->type_hi)
        return si_fail(SI_EINVAL, "model types %d..%d are not a range within 1..4", cfg->type_lo,
                       cfg->type_hi);
    if (cfg->count < 1 || cfg->count > MAX_COUNT)
        return si_fail(SI_EINVAL, "survey count %lld is out of range (1..%lld)",
                       (long long)cfg->count, MAX_COUNT);
    if (cfg->shard_size < 1 || cfg->shard_size > MAX_SHARD)
        return si_fail(SI_EINVAL, "shard size %d is out of range (1..%d)", cfg->shard_size,
                       MAX_SHARD);
    if (cfg->seed >> 63)
        return si_fail(SI_EINVAL, "seed %llu is too large (must be below 2^63)",
                       (unsigned long long)cfg->seed);
    if ((st = check_split(cfg->split))) return st;
    size_t cells = (size_t)cfg->sim.nz * cfg->sim.nx;
    float *vel = malloc(cells * sizeof(float));
    if (!vel)
        return si_fail(SI_ENOMEM, "out of memory for a %d x %d model", cfg->sim.nz, cfg->sim.nx);
    /* The largest type needs the most rows; then the extreme velocities
     * bound stability (4000 m/s) and dispersion (1500 m/s). */
    st = si_velgen(cfg->type_hi, 0, 0, cfg->sim.nz, cfg->sim.nx, vel);
    if (!st) {
        for (size_t i = 0; i < cells; i++)
            vel[i] = SI_VEL_MAX;
        vel[0] = SI_VEL_MIN;
        double p;
        st = si_sim_check_model(&cfg->sim, vel, &p);
        if (ppw) *ppw = p;
    }
    free(vel);
    return st;
}

/* State of one generate call. */
typedef struct job {
    const si_dataset_config *cfg;
    const char *dir;
    const json_t *config;
    unsigned char *complete;
    si_sim *sim;
    float *vel, *gathers;
    uint64_t split_seed;
    int64_t done, on_disk;
    si_dataset_progress_fn progress;
    void *user;
    volatile int *interrupt;
} job;

static si_err make_dir(const char *dir) {
    if (mkdir(dir, 0777) == 0) return SI_OK;
    int err = errno;
    struct stat sb;
    if (err == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode)) return SI_OK;
    return si_fail(SI_EIO, "cannot create folder %s: %s", dir, strerror(err));
}

/* Simulates one survey and appends it to both open shard files. */
static si_err one_survey(job *jb, int64_t i, si_npy_writer *wd, si_npy_writer *wm) {
    const si_sim_config *s = &jb->cfg->sim;
    int type = si_velgen_type_for_index(jb->cfg->type_lo, jb->cfg->type_hi, (uint64_t)i);
    si_err st = si_velgen(type, jb->split_seed, (uint64_t)i, s->nz, s->nx, jb->vel);
    if (!st) st = si_sim_run(jb->sim, jb->vel, jb->gathers);
    if (st) return si_fail_prefix(st, "survey %lld", (long long)i);
    st = si_npy_writer_append(wd, jb->gathers, (size_t)s->nsrc * s->nt * s->nrec);
    if (!st) st = si_npy_writer_append(wm, jb->vel, (size_t)s->nz * s->nx);
    return st;
}

static si_err write_shard(job *jb, int k) {
    si_ds_shard sh = si_ds_shard_at(jb->cfg, k);
    char dpath[4096], mpath[4096];
    int64_t dshape[4], mshape[4];
    si_ds_shard_path(dpath, sizeof dpath, jb->dir, "data", k);
    si_ds_shard_path(mpath, sizeof mpath, jb->dir, "model", k);
    si_ds_data_shape(jb->cfg, sh.n, dshape);
    si_ds_model_shape(jb->cfg, sh.n, mshape);
    si_npy_writer *wd, *wm;
    si_err st = si_npy_writer_open(&wd, dpath, 4, dshape);
    if (st) return st;
    if ((st = si_npy_writer_open(&wm, mpath, 4, mshape))) {
        si_npy_writer_abort(wd);
        return st;
    }
    for (int64_t j = 0; j < sh.n && !st; j++) {
        if (jb->interrupt && *jb->interrupt) {
            st = si_fail(SI_EINTERRUPTED,
                         "interrupted: %lld of %lld surveys are on disk in "
                         "complete shards; run the same command again to resume",
                         (long long)jb->on_disk, (long long)jb->cfg->count);
            break;
        }
        st = one_survey(jb, sh.first + j, wd, wm);
        if (!st && jb->progress) jb->progress(++jb->done, jb->cfg->count, jb->user);
    }
    if (st) {
        si_npy_writer_abort(wd);
        si_npy_writer_abort(wm);
        return st;
    }
    /* Data first: a shard counts as complete only when both files exist. */
    if ((st = si_npy_writer_commit(wd))) {
        si_npy_writer_abort(wm);
        return st;
    }
    if ((st = si_npy_writer_commit(wm))) return st;
    jb->complete[k] = 1;
    jb->on_disk += sh.n;
    return si_ds_manifest_write(jb->dir, jb->cfg, jb->config, jb->complete, NULL);
}

/* Refuses a folder that is not ours or holds another configuration. */
static si_err prepare_dir(const char *dir, const json_t *config) {
    struct stat sb;
    char mpath[4096];
    if (stat(dir, &sb) != 0) return make_dir(dir);
    if (!S_ISDIR(sb.st_mode)) return si_fail(SI_EINVAL, "%s exists and is not a folder", dir);
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    si_err st = si_ds_manifest_check(mpath, config);
    if (st) return st;
    if (stat(mpath, &sb) != 0 && si_ds_dir_has_shards(dir))
        return si_fail(SI_EINVAL,
                       "%s holds shard files but no manifest.json; refusing to mix "
                       "datasets",
                       dir);
    return SI_OK;
}

static si_err generate_missing(job *jb) {
    const si_sim_config *s = &jb->cfg->sim;
    jb->vel = malloc((size_t)s->nz * s->nx * sizeof(float));
    jb->gathers = malloc((size_t)s->nsrc * s->nt * s->nrec * sizeof(float));
    if (!jb->vel || !jb->gathers) return si_fail(SI_ENOMEM, "out of memory for one survey");
    si_err st = si_sim_create(&jb->sim, s);
    for (int k = 0; k < si_ds_nshards(jb->cfg) && !st; k++)
        if (!jb->complete[k]) st = write_shard(jb, k);
    return st;
}

si_err si_dataset_generate(const si_dataset_config *cfg, const char *dir,
                           si_dataset_progress_fn progress, void *user, volatile int *interrupt,
                           si_dataset_summary *summary) {
    if (summary) memset(summary, 0, sizeof *summary);
    si_err st = si_dataset_check(cfg, NULL);
    if (st) return st;
    json_t *config = si_ds_config_json(cfg);
    if (!config) return si_fail(SI_ENOMEM, "out of memory");
    if ((st = prepare_dir(dir, config))) {
        json_decref(config);
        return st;
    }
    si_ds_remove_stale_temporaries(dir);
    int nshards = si_ds_nshards(cfg);
    job jb = {.cfg = cfg,
              .dir = dir,
              .config = config,
              .complete = calloc((size_t)nshards, 1),
              .split_seed = si_dataset_split_seed(cfg->seed, cfg->split),
              .progress = progress,
              .user = user,
              .interrupt = interrupt};
    if (!jb.complete) st = si_fail(SI_ENOMEM, "out of memory");
    for (int k = 0; k < nshards && !st; k++) {
        jb.complete[k] = (unsigned char)si_ds_shard_complete(cfg, dir, k);
        if (jb.complete[k]) jb.on_disk += si_ds_shard_at(cfg, k).n;
    }
    int64_t resumed = jb.done = jb.on_disk;
    if (!st) st = si_ds_manifest_write(dir, cfg, config, jb.complete, NULL);
    if (!st && progress) progress(jb.done, cfg->count, user);
    if (!st && resumed < cfg->count) st = generate_missing(&jb);
    if (!st) {
        si_ds_stats stats;
        st = si_ds_stats_compute(cfg, dir, interrupt, &stats);
        if (!st) st = si_ds_manifest_write(dir, cfg, config, jb.complete, &stats);
    }
    if (summary) {
        summary->resumed = resumed;
        summary->generated = jb.on_disk - resumed;
        summary->shards = nshards;
    }
    if (jb.sim) si_sim_free(jb.sim);
    free(jb.vel), free(jb.gathers), free(jb.complete);
    json_decref(config);
    return st;
}
