/* seisinv — quality of a predicted velocity model against the true one
 * (SPEC §1 Metrics). Both models are normalised to [0, 1] with the model's
 * v_min / v_max first; MAE, MSE, RMSE, PSNR (peak 1), SSIM (11×11 Gaussian,
 * σ 1.5, as scikit-image's structural_similarity with gaussian_weights,
 * population covariance, data range 1) and MS-SSIM (five scales, the
 * training loss's) are on that scale; mae_ms / rmse_ms are in m/s. */
#ifndef SEISINV_METRICS_H
#define SEISINV_METRICS_H

#include <stddef.h>

#include "seisinv/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct si_metrics {
    double mae, mse, rmse, psnr, ssim, msssim, mae_ms, rmse_ms;
} si_metrics;

/* Smallest side MS-SSIM takes (five halvings); on smaller models msssim is
 * NaN and the other metrics are still computed. SSIM needs a side >= 11. */
#define SI_METRICS_MSSSIM_MIN_SIDE 16
#define SI_METRICS_SSIM_MIN_SIDE 11

/* pred/truth velocity in m/s [H, W]; normalised with v_min/v_max to [0, 1]
 * first. PSNR is +inf for a perfect prediction. SI_EINVAL for a bad size or
 * v_max <= v_min, SI_EDATA (naming the cell) for a non-finite value.
 * Allocates its scratch per call (a few H·W doubles); si_metrics_acc
 * reuses one. */
si_err si_metrics_compute(const float *pred_ms, const float *truth_ms, int H, int W, double v_min,
                          double v_max, si_metrics *out);

/* Mean metrics over a dataset: every metric is the mean of the per-model
 * values (PSNR too: the mean of the PSNRs, as OpenFWI reports it). */
typedef struct si_metrics_acc si_metrics_acc;

si_err si_metrics_acc_new(si_metrics_acc **acc, int H, int W, double v_min, double v_max);
/* Adds one model pair (m/s) to the means; *one (may be NULL) gets its own metrics. */
si_err si_metrics_acc_add(si_metrics_acc *acc, const float *pred_ms, const float *truth_ms,
                          si_metrics *one);
/* The means so far (all zero with count 0). */
si_metrics si_metrics_acc_mean(const si_metrics_acc *acc);
long long si_metrics_acc_count(const si_metrics_acc *acc);
void si_metrics_acc_free(si_metrics_acc *acc);

#ifdef __cplusplus
}
#endif
#endif
