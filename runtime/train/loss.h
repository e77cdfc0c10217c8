/* Training losses of SPEC §1 on normalised velocity (the Sigmoid's [0, 1]):
 * L1, L2 (MSE) and L2 + (1 − MS-SSIM), each with its exact gradient.
 *
 * Scratch: si_loss needs si_loss_scratch_floats(k, H, W) floats in all,
 * whatever B is (one image's worth, reused image after image), aligned to
 * 8 bytes (any malloc'ed block is): the MS-SSIM statistics are kept in
 * double. L1 and L2 need none (0; scratch may then be NULL). */
#ifndef SI_TRAIN_LOSS_H
#define SI_TRAIN_LOSS_H

#include <stddef.h>

#include "seisinv/error.h"

typedef enum si_loss_kind { SI_LOSS_L1, SI_LOSS_L2, SI_LOSS_L2_MSSSIM } si_loss_kind;

/* Smallest image side L2 + MS-SSIM accepts: five scales need side >= 16. */
#define SI_LOSS_MSSSIM_MIN_SIDE 16

/* Scratch floats for one image (reused for all B), 0 for L1/L2. */
size_t si_loss_scratch_floats(si_loss_kind k, int H, int W);

/* Mean loss over B images of H×W (normalised velocity), pred and target
 * [B, H, W]; grad (may be NULL) = d loss / d pred, same shape as pred,
 * overwritten. L1: gradient sign(ŷ − y)/N, 0 where equal (as PyTorch).
 * L2 + MS-SSIM: mean (ŷ − y)² + mean over B of (1 − MS-SSIM); needs
 * H, W >= SI_LOSS_MSSSIM_MIN_SIDE (else NaN). Sums are taken in double. */
double si_loss(si_loss_kind k, const float *pred, const float *target, int B, int H, int W,
               float *grad, float *scratch);

/* "l1", "l2" (or "mse"), "l2+msssim"; SI_EINVAL naming the choices otherwise. */
si_err si_loss_parse(const char *name, si_loss_kind *k);

/* The canonical name of k ("l1", "l2", "l2+msssim"). */
const char *si_loss_name(si_loss_kind k);

#endif
