/* Shard layout on disk: names, expected shapes, completeness, stale temporaries. */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dataset_internal.h"
#include "seisinv/npy.h"

int si_ds_nshards(const si_dataset_config *cfg) {
    return (int)((cfg->count + cfg->shard_size - 1) / cfg->shard_size);
}

si_ds_shard si_ds_shard_at(const si_dataset_config *cfg, int k) {
    si_ds_shard s;
    s.first = (int64_t)k * cfg->shard_size;
    s.n = cfg->count - s.first < cfg->shard_size ? cfg->count - s.first : cfg->shard_size;
    return s;
}

void si_ds_shard_path(char *buf, size_t cap, const char *dir, const char *kind, int k) {
    snprintf(buf, cap, "%s/%s_%d.npy", dir, kind, k);
}

void si_ds_data_shape(const si_dataset_config *cfg, int64_t n, int64_t shape[4]) {
    shape[0] = n, shape[1] = cfg->sim.nsrc, shape[2] = cfg->sim.nt, shape[3] = cfg->sim.nrec;
}

void si_ds_model_shape(const si_dataset_config *cfg, int64_t n, int64_t shape[4]) {
    shape[0] = n, shape[1] = 1, shape[2] = cfg->sim.nz, shape[3] = cfg->sim.nx;
}

static int has_shape(const char *path, const int64_t want[4]) {
    si_array h;
    if (si_npy_read_header(path, &h, NULL) != SI_OK || h.ndim != 4) return 0;
    for (int i = 0; i < 4; i++)
        if (h.shape[i] != want[i]) return 0;
    return 1;
}

int si_ds_shard_complete(const si_dataset_config *cfg, const char *dir, int k) {
    char path[4096];
    int64_t shape[4];
    si_ds_shard s = si_ds_shard_at(cfg, k);
    si_ds_shard_path(path, sizeof path, dir, "data", k);
    si_ds_data_shape(cfg, s.n, shape);
    if (!has_shape(path, shape)) return 0;
    si_ds_shard_path(path, sizeof path, dir, "model", k);
    si_ds_model_shape(cfg, s.n, shape);
    return has_shape(path, shape);
}

/* Matches "data_<digits>.npy" / "model_<digits>.npy", optionally followed by
 * the atomic writer's ".tmp.XXXXXX" suffix; returns 1 (final) or 2 (temporary). */
static int shard_name_kind(const char *name) {
    const char *p;
    if (strncmp(name, "data_", 5) == 0)
        p = name + 5;
    else if (strncmp(name, "model_", 6) == 0)
        p = name + 6;
    else if (strncmp(name, "manifest.json.tmp.", 18) == 0)
        return 2;
    else
        return 0;
    if (*p < '0' || *p > '9') return 0;
    while (*p >= '0' && *p <= '9')
        p++;
    if (strcmp(p, ".npy") == 0) return 1;
    return strncmp(p, ".npy.tmp.", 9) == 0 ? 2 : 0;
}

int si_ds_dir_has_shards(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)))
        found = shard_name_kind(e->d_name) == 1;
    closedir(d);
    return found;
}

void si_ds_remove_stale_temporaries(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char path[4096];
    while ((e = readdir(d))) {
        if (shard_name_kind(e->d_name) != 2) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}
