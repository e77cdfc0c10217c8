/* The configuration and normalisation from the safetensors "__metadata__"
 * (SPEC §1): absent keys take the paper defaults, present ones must parse
 * completely and make a network this runtime can build. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error_internal.h"
#include "nn_internal.h"

static si_err meta_int(const si_st_file *f, const char *key, long lo, long hi, int *out) {
    const char *v = si_st_meta(f, key);
    if (!v) return SI_OK;
    char *end;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (end == v || *end || errno || x < lo || x > hi)
        return si_fail(SI_EFORMAT, "metadata '%s' = '%s': need an integer in [%ld, %ld]", key, v,
                       lo, hi);
    *out = (int)x;
    return SI_OK;
}

static si_err meta_num(const si_st_file *f, const char *key, double *out) {
    const char *v = si_st_meta(f, key);
    if (!v) return SI_OK;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end || errno || !isfinite(x))
        return si_fail(SI_EFORMAT, "metadata '%s' = '%s': need a finite number", key, v);
    *out = x;
    return SI_OK;
}

si_err nn_config_read(const si_st_file *f, si_model_info *info) {
    *info = (si_model_info){.S = 20,
                            .R = 32,
                            .T = 1000,
                            .H = 100,
                            .W = 100,
                            .v_min = 1500,
                            .v_max = 4000,
                            .seis_scale = 1,
                            .seis_log1p = 0};
    const char *arch = si_st_meta(f, "seisinv.arch");
    if (arch && strcmp(arch, "seisinvnet") != 0)
        return si_fail(SI_EINVAL, "metadata 'seisinv.arch' = '%s': this runtime runs 'seisinvnet'",
                       arch);
    si_err st;
    if ((st = meta_int(f, "seisinv.S", 1, 4096, &info->S)) ||
        (st = meta_int(f, "seisinv.R", 1, 1 << 20, &info->R)) ||
        (st = meta_int(f, "seisinv.T", 1, 1 << 20, &info->T)) ||
        (st = meta_int(f, "seisinv.H", 1, NN_DEC_SIZE, &info->H)) ||
        (st = meta_int(f, "seisinv.W", 1, NN_DEC_SIZE, &info->W)) ||
        (st = meta_int(f, "seisinv.seis_log1p", 0, 1, &info->seis_log1p)) ||
        (st = meta_num(f, "seisinv.v_min", &info->v_min)) ||
        (st = meta_num(f, "seisinv.v_max", &info->v_max)) ||
        (st = meta_num(f, "seisinv.seis_scale", &info->seis_scale)))
        return st;
    if (!(info->v_min < info->v_max))
        return si_fail(SI_EINVAL, "metadata: v_min %g must be below v_max %g", info->v_min,
                       info->v_max);
    if (info->seis_scale == 0)
        return si_fail(SI_EINVAL, "metadata 'seisinv.seis_scale' is 0: every input would vanish");
    if ((long long)info->S * info->R > 65536)
        return si_fail(SI_EINVAL, "S=%d, R=%d: %lld traces, at most 65536", info->S, info->R,
                       (long long)info->S * info->R);
    int h[NN_GLOB], w[NN_GLOB];
    int ok = nn_glob_sizes(info->R, info->T, h, w);
    if (ok < NN_GLOB || h[NN_GLOB - 1] != 1 || w[NN_GLOB - 1] != 1) {
        if (ok >= NN_GLOB - 1)
            return si_fail(SI_EINVAL,
                           "R=%d, T=%d: the Global branch reaches %dx%d before its last 4x4 "
                           "conv, which must see exactly 4x4 to end at 1x1 (needs R in 25..32 "
                           "and T in 769..1024)",
                           info->R, info->T, h[NN_GLOB - 2], w[NN_GLOB - 2]);
        return si_fail(SI_EINVAL,
                       "R=%d, T=%d: the Global branch's maps vanish at layer %d; its last 4x4 "
                       "conv must see exactly 4x4 to end at 1x1 (needs R in 25..32 and T in "
                       "769..1024)",
                       info->R, info->T, ok + 1);
    }
    return SI_OK;
}
