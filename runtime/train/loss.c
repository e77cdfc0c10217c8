/* L1, L2 and L2 + (1 − MS-SSIM) over a batch, with gradients (SPEC §1). */
#include "loss.h"

#include <math.h>
#include <string.h>

#include "../core/error_internal.h"
#include "../metrics/msssim.h"

static double loss_l1(const float *p, const float *t, size_t n, float *grad) {
    double sum = 0;
    const float g = (float)(1.0 / (double)n);
    for (size_t i = 0; i < n; i++) {
        const float d = p[i] - t[i];
        sum += fabs((double)p[i] - (double)t[i]);
        if (grad) grad[i] = d > 0 ? g : d < 0 ? -g : 0.0f; /* sign, 0 at 0 as torch */
    }
    return sum / (double)n;
}

static double loss_l2(const float *p, const float *t, size_t n, float *grad) {
    double sum = 0;
    const double g = 2.0 / (double)n;
    for (size_t i = 0; i < n; i++) {
        const double d = (double)p[i] - (double)t[i];
        sum += d * d;
        if (grad) grad[i] = (float)(g * d);
    }
    return sum / (double)n;
}

size_t si_loss_scratch_floats(si_loss_kind k, int H, int W) {
    if (k != SI_LOSS_L2_MSSSIM) return 0;
    return 2 * si_msssim_scratch_doubles(H, W); /* doubles, as pairs of floats */
}

double si_loss(si_loss_kind k, const float *pred, const float *target, int B, int H, int W,
               float *grad, float *scratch) {
    const size_t per = (size_t)H * W, n = (size_t)B * per;
    if (B < 1 || H < 1 || W < 1) return NAN;
    switch (k) {
    case SI_LOSS_L1:
        return loss_l1(pred, target, n, grad);
    case SI_LOSS_L2:
        return loss_l2(pred, target, n, grad);
    case SI_LOSS_L2_MSSSIM:
        break;
    default:
        return NAN;
    }
    if (H < SI_LOSS_MSSSIM_MIN_SIDE || W < SI_LOSS_MSSSIM_MIN_SIDE) return NAN;
    double loss = loss_l2(pred, target, n, grad), term = 0;
    double *work = (double *)(void *)scratch;
    for (int b = 0; b < B; b++) {
        const size_t o = (size_t)b * per;
        /* d(mean over B of 1 − MS)/dŷ = −(1/B) dMS/dŷ */
        term += 1.0 - si_msssim(pred + o, target + o, H, W, grad ? grad + o : NULL, -1.0 / B, work);
    }
    return loss + term / B;
}

static const char *const names[] = {"l1", "l2", "l2+msssim"};

const char *si_loss_name(si_loss_kind k) {
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}

si_err si_loss_parse(const char *name, si_loss_kind *k) {
    if (name) {
        for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
            if (strcmp(name, names[i]) == 0) {
                *k = (si_loss_kind)i;
                return SI_OK;
            }
        if (strcmp(name, "mse") == 0) {
            *k = SI_LOSS_L2;
            return SI_OK;
        }
    }
    return si_fail(SI_EINVAL, "unknown loss '%s': choose l1, l2 or l2+msssim",
                   name ? name : "(null)");
}
