/* Velocity-model metrics (SPEC §1) for one model and their means over a
 * dataset. The error metrics come straight from the m/s values in double;
 * SSIM and MS-SSIM take the models normalised to [0, 1]. */
#include "seisinv/metrics.h"

#include <math.h>
#include <stdlib.h>

#include "../core/error_internal.h"
#include "msssim.h"

struct si_metrics_acc {
    int H, W;
    double v_min, v_max;
    long long count;
    si_metrics sum;
    float *norm;  /* [2, H, W]: pred then truth, normalised */
    double *work; /* SSIM / MS-SSIM scratch */
};

static size_t work_doubles(int H, int W) {
    size_t a = si_msssim_scratch_doubles(H, W), b = si_ssim_scratch_doubles(H, W);
    return a > b ? a : b;
}

static si_err check_args(int H, int W, double v_min, double v_max) {
    if (H < 1 || W < 1 || (size_t)H * (size_t)W > ((size_t)1 << 30))
        return si_fail(SI_EINVAL, "metrics: model size %d x %d is out of range", H, W);
    if (!(v_max > v_min) || !isfinite(v_min) || !isfinite(v_max))
        return si_fail(SI_EINVAL, "metrics: need v_min < v_max, got %g and %g", v_min, v_max);
    return SI_OK;
}

static si_err check_finite(const float *v, int H, int W, const char *what) {
    for (size_t i = 0, n = (size_t)H * W; i < n; i++)
        if (!isfinite(v[i]))
            return si_fail(SI_EDATA, "%s velocity at row %zu col %zu is %s", what, i / (size_t)W,
                           i % (size_t)W, isnan(v[i]) ? "NaN" : "infinite");
    return SI_OK;
}

/* One pair with the given scratch (norm [2·H·W] floats, work doubles). */
static si_err compute(const float *pred, const float *truth, int H, int W, double v_min,
                      double v_max, float *norm, double *work, si_metrics *out) {
    si_err st = check_finite(pred, H, W, "predicted");
    if (!st) st = check_finite(truth, H, W, "true");
    if (st) return st;
    const size_t n = (size_t)H * W;
    const double range = v_max - v_min;
    double sad = 0, ssd = 0;
    float *pn = norm, *tn = norm + n;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)pred[i] - (double)truth[i];
        sad += fabs(d), ssd += d * d;
        pn[i] = (float)(((double)pred[i] - v_min) / range);
        tn[i] = (float)(((double)truth[i] - v_min) / range);
    }
    si_metrics m;
    m.mae_ms = sad / (double)n;
    m.rmse_ms = sqrt(ssd / (double)n);
    m.mae = m.mae_ms / range;
    m.mse = ssd / (double)n / (range * range);
    m.rmse = sqrt(m.mse);
    m.psnr = m.mse > 0 ? -10.0 * log10(m.mse) : INFINITY;
    m.ssim = H >= SI_METRICS_SSIM_MIN_SIDE && W >= SI_METRICS_SSIM_MIN_SIDE
                 ? si_ssim(pn, tn, H, W, work)
                 : NAN;
    m.msssim = H >= SI_METRICS_MSSSIM_MIN_SIDE && W >= SI_METRICS_MSSSIM_MIN_SIDE
                   ? si_msssim(pn, tn, H, W, NULL, 0, work)
                   : NAN;
    *out = m;
    return SI_OK;
}

si_err si_metrics_compute(const float *pred_ms, const float *truth_ms, int H, int W, double v_min,
                          double v_max, si_metrics *out) {
    si_metrics_acc *acc;
    si_err st = si_metrics_acc_new(&acc, H, W, v_min, v_max);
    if (st) return st;
    st = compute(pred_ms, truth_ms, H, W, v_min, v_max, acc->norm, acc->work, out);
    si_metrics_acc_free(acc);
    return st;
}

si_err si_metrics_acc_new(si_metrics_acc **acc, int H, int W, double v_min, double v_max) {
    *acc = NULL;
    si_err st = check_args(H, W, v_min, v_max);
    if (st) return st;
    si_metrics_acc *a = calloc(1, sizeof *a);
    if (a) {
        a->norm = malloc(2 * (size_t)H * W * sizeof *a->norm);
        a->work = malloc(work_doubles(H, W) * sizeof *a->work);
    }
    if (!a || !a->norm || !a->work) {
        si_metrics_acc_free(a);
        return si_fail(SI_ENOMEM, "metrics: out of memory for a %d x %d model", H, W);
    }
    a->H = H, a->W = W, a->v_min = v_min, a->v_max = v_max;
    *acc = a;
    return SI_OK;
}

si_err si_metrics_acc_add(si_metrics_acc *acc, const float *pred_ms, const float *truth_ms,
                          si_metrics *one) {
    si_metrics m;
    si_err st = compute(pred_ms, truth_ms, acc->H, acc->W, acc->v_min, acc->v_max, acc->norm,
                        acc->work, &m);
    if (st) return st;
    si_metrics *s = &acc->sum;
    s->mae += m.mae, s->mse += m.mse, s->rmse += m.rmse, s->psnr += m.psnr;
    s->ssim += m.ssim, s->msssim += m.msssim, s->mae_ms += m.mae_ms, s->rmse_ms += m.rmse_ms;
    acc->count++;
    if (one) *one = m;
    return SI_OK;
}

si_metrics si_metrics_acc_mean(const si_metrics_acc *acc) {
    si_metrics m = {0};
    if (!acc->count) return m;
    const double k = 1.0 / (double)acc->count;
    const si_metrics *s = &acc->sum;
    m.mae = s->mae * k, m.mse = s->mse * k, m.rmse = s->rmse * k, m.psnr = s->psnr * k;
    m.ssim = s->ssim * k, m.msssim = s->msssim * k, m.mae_ms = s->mae_ms * k;
    m.rmse_ms = s->rmse_ms * k;
    return m;
}

long long si_metrics_acc_count(const si_metrics_acc *acc) {
    return acc->count;
}

void si_metrics_acc_free(si_metrics_acc *acc) {
    if (!acc) return;
    free(acc->norm);
    free(acc->work);
    free(acc);
}
