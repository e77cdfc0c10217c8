/* Training samples: shards or the generator, shuffle and flip. */
#include "train_data.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data/rng.h"
#include "seisinv/dataset.h"
#include "seisinv/velgen.h"

int tr_source_shards(const char *cmd, const char *path, int S, int R, int T, int H, int W,
                     tr_source *src) {
    memset(src, 0, sizeof *src);
    src->S = S, src->R = R, src->T = T, src->H = H, src->W = W;
    int rc = si_cli_shards_open(cmd, path, S, R, T, H, W, &src->set);
    if (rc) return rc;
    src->count = src->set.total;
    src->raw = malloc((size_t)S * T * R * sizeof *src->raw);
    src->vel = malloc((size_t)H * W * sizeof *src->vel);
    if (!src->raw || !src->vel) {
        tr_source_close(src);
        fprintf(stderr, "seisinv %s: out of memory\n", cmd);
        return SI_EXIT_FAIL;
    }
    return 0;
}

int tr_source_generated(const char *cmd, int64_t count, uint64_t seed, const char *split, int S,
                        int R, int T, int H, int W, int threads, tr_source *src) {
    memset(src, 0, sizeof *src);
    src->generated = 1, src->count = count;
    src->S = S, src->R = R, src->T = T, src->H = H, src->W = W;
    if (S > SI_SIM_MAX_SHOTS || R > W || W < 6)
        return si_cli_usage_error(cmd,
                                  "cannot generate surveys of %d shots x %d receivers on a "
                                  "grid %d wide",
                                  S, R, W);
    si_sim_config *c = &src->cfg;
    si_sim_config_default(c, H, W);
    c->nt = T, c->threads = threads;
    c->nsrc = S; /* round(linspace(2, W-3, S)): linspace(0, W-5) shifted by 2 */
    si_sim_network_receivers(W - 4, S, c->src_x);
    for (int k = 0; k < S; k++)
        c->src_x[k] += 2;
    c->nrec = R;
    si_sim_network_receivers(W, R, c->rec_x);
    src->split_seed = si_dataset_split_seed(seed, split);
    si_err st = si_sim_create(&src->sim, c);
    src->raw = malloc((size_t)S * T * R * sizeof *src->raw);
    src->vel = malloc((size_t)H * W * sizeof *src->vel);
    if (!st && (!src->raw || !src->vel)) {
        tr_source_close(src);
        fprintf(stderr, "seisinv %s: out of memory\n", cmd);
        return SI_EXIT_FAIL;
    }
    if (st) {
        tr_source_close(src);
        return si_cli_report(cmd, st);
    }
    return 0;
}

static void flip_survey(float *dst, const float *src, int S, int T, int R) {
    for (int s = 0; s < S; s++)
        for (int t = 0; t < T; t++) {
            const float *in = src + ((size_t)(S - 1 - s) * T + t) * R;
            float *out = dst + ((size_t)s * T + t) * R;
            for (int r = 0; r < R; r++)
                out[r] = in[R - 1 - r];
        }
}

static void flip_model(float *dst, const float *src, int H, int W) {
    for (int h = 0; h < H; h++)
        for (int w = 0; w < W; w++)
            dst[(size_t)h * W + w] = src[(size_t)h * W + (W - 1 - w)];
}

int tr_source_get(const char *cmd, tr_source *src, int64_t i, int flip, float *survey,
                  float *model) {
    float *raw = flip ? src->raw : survey, *vel = flip ? src->vel : model;
    if (src->generated) {
        const int type = si_velgen_type_for_index(1, 4, (uint64_t)i);
        si_err st = si_velgen(type, src->split_seed, (uint64_t)i, src->H, src->W, vel);
        if (!st) st = si_sim_run(src->sim, vel, raw);
        if (st) return si_cli_report(cmd, st);
    } else {
        int rc = si_cli_shards_read(cmd, &src->set, i, raw, vel);
        if (rc) return rc;
    }
    if (flip) {
        flip_survey(survey, raw, src->S, src->T, src->R);
        flip_model(model, vel, src->H, src->W);
    }
    return 0;
}

void tr_source_close(tr_source *src) {
    si_cli_shards_close(&src->set);
    if (src->sim) si_sim_free(src->sim);
    free(src->raw);
    free(src->vel);
    memset(src, 0, sizeof *src);
}

void tr_epoch_order(int64_t *perm, int64_t n, uint64_t seed, int64_t epoch) {
    si_rng r;
    si_rng_init(&r, si_hash2(si_hash2(seed, 0x5348554646ULL), (uint64_t)epoch));
    for (int64_t i = 0; i < n; i++)
        perm[i] = i;
    for (int64_t i = n - 1; i > 0; i--) {
        const int64_t j = (int64_t)(si_rng_u64(&r) % (uint64_t)(i + 1));
        const int64_t t = perm[i];
        perm[i] = perm[j], perm[j] = t;
    }
}

int tr_flip_for(uint64_t seed, int64_t epoch, int64_t i) {
    return (int)(si_hash2(si_hash2(seed ^ 0x464c4950ULL, (uint64_t)epoch), (uint64_t)i) >> 63);
}
