/* manifest.json: the configuration a resume must match, the shard list and
 * the normalisation statistics. Written atomically (temporary + rename). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error_internal.h"
#include "../io/atomic_file.h"
#include "dataset_internal.h"
#include "seisinv/velgen.h"

/* A float setting as the double of its shortest decimal (0.001, not
 * 0.0010000000474974513): readable, and the same on every run. */
static double fdec(float f) {
    char buf[32];
    for (int digits = 6; digits <= 9; digits++) { /* 9 always round-trips a float */
        snprintf(buf, sizeof buf, "%.*g", digits, (double)f);
        if ((float)strtod(buf, NULL) == f) break;
    }
    return strtod(buf, NULL);
}

static json_t *int_array(const int *v, int n) {
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_integer(v[i]));
    return a;
}

static json_t *geometry_json(const si_sim_config *s) {
    return json_pack("{s:i, s:i, s:f, s:f, s:f, s:i, s:f, s:i, s:i, s:b, s:i, s:o, s:i, s:o}", "nz",
                     s->nz, "nx", s->nx, "dx", fdec(s->dx), "dz", fdec(s->dx), "dt", fdec(s->dt),
                     "nt", s->nt, "f0", fdec(s->f0), "order", s->order, "npml", s->npml,
                     "free_surface", s->free_surface, "src_z", s->src_z, "src_x",
                     int_array(s->src_x, s->nsrc), "rec_z", s->rec_z, "rec_x",
                     int_array(s->rec_x, s->nrec));
}

json_t *si_ds_config_json(const si_dataset_config *cfg) {
    /* "generator" names the model family so a future generator never
     * resumes into shards of this one. */
    return json_pack("{s:I, s:s, s:[i,i], s:I, s:i, s:o, s:{s:s, s:f, s:f}}", "seed",
                     (json_int_t)cfg->seed, "split", cfg->split, "types", cfg->type_lo,
                     cfg->type_hi, "count", (json_int_t)cfg->count, "shard_size", cfg->shard_size,
                     "geometry", geometry_json(&cfg->sim), "velocity", "generator",
                     "seisinv-layered-1", "v_min", (double)SI_VEL_MIN, "v_max", (double)SI_VEL_MAX);
}

/* Compact text of a JSON value for messages, cut to fit. */
static void brief(const json_t *v, char *buf, size_t cap) {
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    snprintf(buf, cap, "%s", s ? s : "(absent)");
    if (s && strlen(s) >= cap && cap > 4) strcpy(buf + cap - 4, "...");
    free(s);
}

/* Descends to the first field where two unequal JSON objects differ: *a and
 * *b become the differing values, `where` their dotted name. */
static void first_difference(const json_t **a, const json_t **b, char *where, size_t cap) {
    while (json_is_object(*a) && json_is_object(*b)) {
        const char *key, *found = NULL;
        json_t *v;
        json_object_foreach((json_t *)*b, key, v) {
            if (!json_equal(json_object_get(*a, key), v)) {
                found = key;
                break;
            }
        }
        json_object_foreach((json_t *)*a, key, v) {
            if (!found && !json_object_get(*b, key)) found = key; /* a field we no longer have */
        }
        if (!found) return;
        size_t n = strlen(where);
        snprintf(where + n, cap - n, "%s%s", n ? "." : "", found);
        *a = json_object_get(*a, found), *b = json_object_get(*b, found);
    }
}

si_err si_ds_manifest_check(const char *path, const json_t *config) {
    json_error_t jerr;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        if (errno == ENOENT) return SI_OK;
        return si_fail(SI_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    json_t *m = json_loadf(fp, 0, &jerr);
    fclose(fp);
    if (!m)
        return si_fail(SI_EFORMAT,
                       "%s is not valid JSON (line %d: %s); remove it or choose "
                       "another folder",
                       path, jerr.line, jerr.text);
    json_t *old = json_object_get(m, "config");
    si_err st = SI_OK;
    if (!json_is_object(old)) {
        st = si_fail(SI_EFORMAT, "%s has no \"config\" object; not a seisinv dataset manifest",
                     path);
    } else if (!json_equal(old, (json_t *)config)) {
        char where[128] = "", a[160], b[160];
        const json_t *have = old, *want = config;
        first_difference(&have, &want, where, sizeof where);
        brief(have, a, sizeof a), brief(want, b, sizeof b);
        st = si_fail(SI_EINVAL,
                     "%s describes a different dataset: \"%s\" is %s there, %s now; "
                     "use another folder or the same settings to resume",
                     path, where, a, b);
    }
    json_decref(m);
    return st;
}

static json_t *stats_json(const si_ds_stats *s) {
    char how[320];
    snprintf(how, sizeof how,
             "estimate: min/max/mean/std over shot gather (i mod S) of every survey i "
             "(%lld values); percentiles of |d| over %lld of those (stride %lld)",
             (long long)s->d_values, (long long)s->pct_values, (long long)s->pct_stride);
    return json_pack("{s:{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:s}, "
                     "s:{s:f, s:f, s:f, s:f, s:s}}",
                     "seismic", "min", s->d_min, "max", s->d_max, "mean", s->d_mean, "std",
                     s->d_std, "abs_p1", s->abs_p1, "abs_p50", s->abs_p50, "abs_p99", s->abs_p99,
                     "abs_p99.9", s->abs_p999, "method", how, "velocity", "min", s->v_min, "max",
                     s->v_max, "mean", s->v_mean, "std", s->v_std, "method",
                     "exact over every cell of every model, m/s");
}

static json_t *shards_json(const si_dataset_config *cfg, const unsigned char *complete,
                           int64_t *done) {
    json_t *a = json_array();
    char data[64], model[64];
    *done = 0;
    for (int k = 0; k < si_ds_nshards(cfg); k++) {
        si_ds_shard s = si_ds_shard_at(cfg, k);
        snprintf(data, sizeof data, "data_%d.npy", k);
        snprintf(model, sizeof model, "model_%d.npy", k);
        json_array_append_new(a, json_pack("{s:i, s:s, s:s, s:I, s:I, s:b}", "index", k, "data",
                                           data, "model", model, "first", (json_int_t)s.first,
                                           "count", (json_int_t)s.n, "complete", complete[k]));
        if (complete[k]) *done += s.n;
    }
    return a;
}

static json_t *per_type_json(const si_dataset_config *cfg) {
    json_t *o = json_object();
    int nt = cfg->type_hi - cfg->type_lo + 1;
    for (int t = cfg->type_lo; t <= cfg->type_hi; t++) {
        int64_t r = t - cfg->type_lo; /* indices i with i % nt == r */
        char key[8];
        snprintf(key, sizeof key, "%d", t);
        json_object_set_new(o, key,
                            json_integer((json_int_t)(cfg->count / nt + (r < cfg->count % nt))));
    }
    return o;
}

si_err si_ds_manifest_write(const char *dir, const si_dataset_config *cfg, const json_t *config,
                            const unsigned char *complete, const si_ds_stats *stats) {
    int64_t done;
    char split_seed[32], path[4096];
    snprintf(split_seed, sizeof split_seed, "0x%016llx",
             (unsigned long long)si_dataset_split_seed(cfg->seed, cfg->split));
    json_t *shards = shards_json(cfg, complete, &done);
    json_t *m =
        json_pack("{s:s, s:s, s:O, s:s, s:s, s:{s:s, s:s}, s:{s:I, s:I, s:i, s:o}, s:o}", "format",
                  "seisinv-dataset-1", "seisinv_version", si_version(), "config", config, "status",
                  stats ? "complete" : "in_progress", "split_seed", split_seed, "layout", "data",
                  "data_K.npy float32 [n, S, T, R] (shots, time samples, receivers)", "model",
                  "model_K.npy float32 [n, 1, H, W] velocity in m/s", "counts", "surveys",
                  (json_int_t)cfg->count, "complete", (json_int_t)done, "shards",
                  si_ds_nshards(cfg), "per_type", per_type_json(cfg), "shards", shards);
    if (!m) return si_fail(SI_ENOMEM, "out of memory building the manifest");
    json_object_set_new(m, "sample_rule",
                        json_string("model i = si_velgen(types[0] + i % (types[1] - types[0] + "
                                    "1), split_seed, i); split_seed = si_dataset_split_seed(seed, "
                                    "split)"));
    if (stats) json_object_set_new(m, "stats", stats_json(stats));

    snprintf(path, sizeof path, "%s/manifest.json", dir);
    si_afile f;
    si_err st = si_afile_open(&f, path);
    if (st == SI_OK) {
        if (json_dumpf(m, f.fp, JSON_INDENT(2)) != 0 || fputc('\n', f.fp) == EOF) {
            si_afile_abort(&f);
            st = si_fail(SI_EIO, "cannot write %s", path);
        } else {
            st = si_afile_commit(&f);
        }
    }
    json_decref(m);
    return st;
}
