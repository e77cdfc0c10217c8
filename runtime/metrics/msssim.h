/* Internal: SSIM and MS-SSIM of SPEC §1 on images in [0, 1], with the exact
 * gradient of MS-SSIM with respect to the first image (for the training
 * loss). Statistics in double.
 *
 * Window: a normalised Gaussian, σ = 1.5, min(11, side) taps along each
 * axis (each side of the image at that scale), symmetric about its centre,
 * applied without padding ("valid"); means are over the valid positions.
 * With 11 taps this is scikit-image's structural_similarity(gaussian_weights
 * = True, sigma = 1.5, use_sample_covariance = False, data_range = 1): its
 * truncate = 3.5 gives 11 taps, and it averages over the image cropped by 5
 * on every side, where the reflected padding never reaches. */
#ifndef SI_METRICS_MSSSIM_H
#define SI_METRICS_MSSSIM_H

#include <stddef.h>

#define SI_MSSSIM_SCALES 5
#define SI_SSIM_MAX_TAPS 11

/* Doubles of scratch si_msssim / si_ssim need for an H×W image. */
size_t si_msssim_scratch_doubles(int H, int W);
size_t si_ssim_scratch_doubles(int H, int W);

/* MS-SSIM of x against y ([H, W], H, W >= 16; NaN otherwise): five scales
 * (2×2 average pooling, stride 2, floor), cs_1..cs_4 and s_5, each clamped
 * at 0, weights 0.0448 0.2856 0.3001 0.2363 0.1333. If grad is not NULL,
 * adds gscale · dMS-SSIM/dx to it (a clamped term contributes nothing). */
double si_msssim(const float *x, const float *y, int H, int W, float *grad, double gscale,
                 double *scratch);

/* Mean SSIM (luminance × contrast-structure) of x against y, [H, W] with
 * H, W >= 2 (the window shrinks below 11 as in MS-SSIM; NaN otherwise). */
double si_ssim(const float *x, const float *y, int H, int W, double *scratch);

#endif
