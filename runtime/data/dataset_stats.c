/* Normalisation statistics read back from the finished shards, so the numbers
 * depend only on the data (a resumed run writes the same manifest). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error_internal.h"
#include "dataset_internal.h"
#include "seisinv/npy.h"

/* Cap on the values kept for the percentiles (8 MB of floats, sorted once). */
#define PCT_CAP (1 << 21)

typedef struct moments {
    double min, max, sum, sumsq;
    int64_t n;
} moments;

static void moments_add(moments *m, const float *x, size_t n) {
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (v < m->min) m->min = v;
        if (v > m->max) m->max = v;
        m->sum += v, m->sumsq += v * v;
    }
    m->n += (int64_t)n;
}

static void moments_final(const moments *m, double *mean, double *std) {
    *mean = m->n ? m->sum / (double)m->n : 0;
    double var = m->n ? m->sumsq / (double)m->n - *mean * *mean : 0;
    *std = var > 0 ? sqrt(var) : 0;
}

static int cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* numpy.percentile's default ("linear") on sorted data. */
static double percentile(const float *s, int64_t n, double q) {
    if (n == 0) return 0;
    double pos = q / 100.0 * (double)(n - 1);
    int64_t i = (int64_t)pos;
    if (i >= n - 1) return s[n - 1];
    return s[i] + (pos - (double)i) * (s[i + 1] - s[i]);
}

static si_err read_at(FILE *fp, const char *path, int64_t off, float *buf, size_t n) {
    errno = 0;
    if (fseek(fp, (long)off, SEEK_SET) != 0 || fread(buf, sizeof(float), n, fp) != n)
        return si_fail(SI_EIO, "cannot read %s: %s", path, errno ? strerror(errno) : "short read");
    return SI_OK;
}

/* Shard k's velocities, all of them. */
static si_err velocity_pass(const si_dataset_config *cfg, const char *dir, int k, float *buf,
                            moments *v) {
    char path[4096];
    si_array h;
    int64_t off;
    si_ds_shard_path(path, sizeof path, dir, "model", k);
    si_err st = si_npy_read_header(path, &h, &off);
    if (st) return st;
    FILE *fp = fopen(path, "rb");
    if (!fp) return si_fail(SI_EIO, "cannot open %s: %s", path, strerror(errno));
    size_t cells = (size_t)cfg->sim.nz * cfg->sim.nx;
    for (int64_t j = 0; j < h.shape[0] && !st; j++) {
        st = read_at(fp, path, off + j * (int64_t)cells * 4, buf, cells);
        if (!st) moments_add(v, buf, cells);
    }
    fclose(fp);
    return st;
}

/* Shard k's amplitudes: gather (i mod S) of every survey i; every stride-th
 * value (counted over the whole dataset via *seen) goes to pct. */
static si_err seismic_pass(const si_dataset_config *cfg, const char *dir, int k, float *buf,
                           moments *d, float *pct, int64_t *npct, int64_t stride, int64_t *seen) {
    char path[4096];
    si_array h;
    int64_t off;
    si_ds_shard_path(path, sizeof path, dir, "data", k);
    si_err st = si_npy_read_header(path, &h, &off);
    if (st) return st;
    FILE *fp = fopen(path, "rb");
    if (!fp) return si_fail(SI_EIO, "cannot open %s: %s", path, strerror(errno));
    si_ds_shard s = si_ds_shard_at(cfg, k);
    int64_t S = cfg->sim.nsrc, gather = (int64_t)cfg->sim.nt * cfg->sim.nrec;
    for (int64_t j = 0; j < h.shape[0] && !st; j++) {
        int64_t shot = (s.first + j) % S;
        st = read_at(fp, path, off + ((j * S + shot) * gather) * 4, buf, (size_t)gather);
        if (st) break;
        moments_add(d, buf, (size_t)gather);
        for (int64_t t = 0; t < gather; t++, (*seen)++)
            if (*seen % stride == 0 && *npct < PCT_CAP) pct[(*npct)++] = fabsf(buf[t]);
    }
    fclose(fp);
    return st;
}

si_err si_ds_stats_compute(const si_dataset_config *cfg, const char *dir, volatile int *interrupt,
                           si_ds_stats *st) {
    memset(st, 0, sizeof *st);
    int64_t gather = (int64_t)cfg->sim.nt * cfg->sim.nrec;
    int64_t cells = (int64_t)cfg->sim.nz * cfg->sim.nx;
    int64_t total = cfg->count * gather;
    st->pct_stride = (total + PCT_CAP - 1) / PCT_CAP;
    float *buf = malloc((size_t)(gather > cells ? gather : cells) * sizeof(float));
    int64_t cap = total < PCT_CAP ? total : PCT_CAP;
    float *pct = malloc((size_t)cap * sizeof(float));
    if (!buf || !pct) {
        free(buf), free(pct);
        return si_fail(SI_ENOMEM, "out of memory for the dataset statistics");
    }
    moments d = {INFINITY, -INFINITY, 0, 0, 0}, v = {INFINITY, -INFINITY, 0, 0, 0};
    int64_t seen = 0;
    si_err err = SI_OK;
    for (int k = 0; k < si_ds_nshards(cfg) && !err; k++) {
        if (interrupt && *interrupt) {
            err = si_fail(SI_EINTERRUPTED,
                          "interrupted while computing the statistics; every "
                          "shard is on disk, run the same command again to finish the manifest");
            break;
        }
        err = velocity_pass(cfg, dir, k, buf, &v);
        if (!err)
            err = seismic_pass(cfg, dir, k, buf, &d, pct, &st->pct_values, st->pct_stride, &seen);
    }
    if (!err) {
        qsort(pct, (size_t)st->pct_values, sizeof(float), cmp_float);
        st->d_min = d.min, st->d_max = d.max, st->d_values = d.n;
        moments_final(&d, &st->d_mean, &st->d_std);
        st->abs_p1 = percentile(pct, st->pct_values, 1);
        st->abs_p50 = percentile(pct, st->pct_values, 50);
        st->abs_p99 = percentile(pct, st->pct_values, 99);
        st->abs_p999 = percentile(pct, st->pct_values, 99.9);
        st->v_min = v.min, st->v_max = v.max, st->v_values = v.n;
        moments_final(&v, &st->v_mean, &st->v_std);
    }
    free(buf), free(pct);
    return err;
}
