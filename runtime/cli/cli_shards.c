/* Shard pairs: finding, checking and reading them. */
#include "cli_shards.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "seisinv/npy.h"

static void shape_text(char *buf, size_t cap, const si_array *a) {
    size_t k = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < a->ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%lld", i ? ", " : "", (long long)a->shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, "]");
}

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int exists(const char *p) {
    struct stat st;
    return stat(p, &st) == 0;
}

/* Checks both headers of shard sh against the set's shapes and opens them. */
static int check_shard(const char *cmd, si_shardset *set, si_shard *sh) {
    si_array d, m;
    char got[128];
    si_err st = si_npy_read_header(sh->data, &d, &sh->data_off);
    if (st) return si_cli_report(cmd, st);
    if (d.ndim != 4 || d.shape[0] < 1 || d.shape[1] != set->S || d.shape[2] != set->T ||
        d.shape[3] != set->R) {
        shape_text(got, sizeof got, &d);
        return si_cli_usage_error(cmd,
                                  "%s: shape %s does not fit the model: need a shard "
                                  "[n, S, T, R] = [n, %d, %d, %d]",
                                  sh->data, got, set->S, set->T, set->R);
    }
    if ((st = si_npy_read_header(sh->model, &m, &sh->model_off))) return si_cli_report(cmd, st);
    const int lead = m.ndim == 4 ? 2 : 1;
    if ((m.ndim != 4 && m.ndim != 3) || m.shape[0] != d.shape[0] ||
        (m.ndim == 4 && m.shape[1] != 1) || m.shape[lead] != set->H ||
        m.shape[lead + 1] != set->W) {
        shape_text(got, sizeof got, &m);
        return si_cli_usage_error(cmd,
                                  "%s: shape %s does not fit: need [n, 1, H, W] = "
                                  "[%lld, 1, %d, %d] (n from %s)",
                                  sh->model, got, (long long)d.shape[0], set->H, set->W, sh->data);
    }
    sh->n = d.shape[0];
    sh->fd = fopen(sh->data, "rb");
    sh->fm = fopen(sh->model, "rb");
    if (!sh->fd || !sh->fm)
        return si_cli_usage_error(cmd, "%s: cannot open: %s", !sh->fd ? sh->data : sh->model,
                                  strerror(errno));
    set->total += sh->n;
    return 0;
}

static int add_shard(const char *cmd, si_shardset *set, const char *data, const char *model) {
    si_shard *grown = realloc(set->shard, (size_t)(set->count + 1) * sizeof *grown);
    if (!grown) return si_cli_usage_error(cmd, "out of memory listing shards");
    set->shard = grown;
    si_shard *sh = &set->shard[set->count++];
    memset(sh, 0, sizeof *sh);
    if (strlen(data) >= sizeof sh->data || strlen(model) >= sizeof sh->model)
        return si_cli_usage_error(cmd, "%s: path too long", data);
    strcpy(sh->data, data);
    strcpy(sh->model, model);
    return check_shard(cmd, set, sh);
}

/* data_K.npy's partner: model_K.npy in the same folder. */
static int partner(const char *data, char *model, size_t cap) {
    const char *base = strrchr(data, '/');
    base = base ? base + 1 : data;
    if (strncmp(base, "data_", 5) != 0) return -1;
    const int dirlen = (int)(base - data);
    if ((size_t)snprintf(model, cap, "%.*smodel_%s", dirlen, data, base + 5) >= cap) return -1;
    return 0;
}

int si_cli_shards_open(const char *cmd, const char *path, int S, int R, int T, int H, int W,
                       si_shardset *set) {
    memset(set, 0, sizeof *set);
    set->S = S, set->R = R, set->T = T, set->H = H, set->W = W;
    char data[4096], model[4096];
    int rc = 0;
    if (is_dir(path)) {
        for (int k = 0; !rc; k++) {
            snprintf(data, sizeof data, "%s/data_%d.npy", path, k);
            snprintf(model, sizeof model, "%s/model_%d.npy", path, k);
            if (!exists(data)) break;
            if (!exists(model)) {
                rc = si_cli_usage_error(cmd, "%s has no %s beside it (the true models)", data,
                                        model);
                break;
            }
            rc = add_shard(cmd, set, data, model);
        }
        if (!rc && !set->count)
            rc = si_cli_usage_error(cmd, "%s: no data_0.npy / model_0.npy shards in this folder",
                                    path);
    } else if (!exists(path)) {
        rc = si_cli_usage_error(cmd, "%s: no such file or folder", path);
    } else if (partner(path, model, sizeof model)) {
        rc = si_cli_usage_error(cmd,
                                "%s: need a folder of shards or a data_K.npy shard "
                                "(with model_K.npy beside it)",
                                path);
    } else if (!exists(model)) {
        rc = si_cli_usage_error(cmd, "%s has no %s beside it (the true models)", path, model);
    } else {
        rc = add_shard(cmd, set, path, model);
    }
    if (rc) si_cli_shards_close(set);
    return rc;
}

static int read_at(const char *cmd, FILE *f, const char *name, int64_t off, size_t count,
                   float *out) {
    if (fseeko(f, (off_t)off, SEEK_SET) != 0 || fread(out, sizeof(float), count, f) != count)
        return si_cli_usage_error(cmd, "%s: short read", name);
    return 0;
}

int si_cli_shards_read(const char *cmd, const si_shardset *set, int64_t i, float *survey,
                       float *model) {
    int k = 0;
    while (k < set->count && i >= set->shard[k].n)
        i -= set->shard[k++].n;
    if (k == set->count || i < 0) return si_cli_usage_error(cmd, "survey index out of range");
    const si_shard *sh = &set->shard[k];
    const size_t per = (size_t)set->S * set->T * set->R, mper = (size_t)set->H * set->W;
    int rc = 0;
    if (survey)
        rc = read_at(cmd, sh->fd, sh->data, sh->data_off + i * (int64_t)(per * sizeof(float)), per,
                     survey);
    if (!rc && model)
        rc = read_at(cmd, sh->fm, sh->model, sh->model_off + i * (int64_t)(mper * sizeof(float)),
                     mper, model);
    return rc;
}

void si_cli_shards_close(si_shardset *set) {
    for (int k = 0; k < set->count; k++) {
        if (set->shard[k].fd) fclose(set->shard[k].fd);
        if (set->shard[k].fm) fclose(set->shard[k].fm);
    }
    free(set->shard);
    memset(set, 0, sizeof *set);
}
