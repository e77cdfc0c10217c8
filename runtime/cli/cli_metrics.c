/* True-model reading and metric printing shared by invert and eval. */
#include "cli_metrics.h"

#include <math.h>
#include <string.h>

#include "cli.h"

static void shape_text(char *buf, size_t cap, const si_array *a) {
    size_t k = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < a->ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%lld", i ? ", " : "", (long long)a->shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, "]");
}

int si_cli_truth_read(const char *cmd, const char *path, long long n, int H, int W, si_array *out) {
    si_array a;
    si_err st = si_npy_read_header(path, &a, NULL);
    if (st) return si_cli_report(cmd, st);
    const int64_t *d = a.shape;
    int ok = a.ndim >= 2 && d[a.ndim - 2] == H && d[a.ndim - 1] == W;
    if (ok && n == 1) /* [H, W] with any leading 1s */
        ok = si_array_numel(&a) == (int64_t)H * W;
    else if (ok) /* [n, 1, H, W] as model_K.npy, or [n, H, W] */
        ok = d[0] == n && (a.ndim == 3 || (a.ndim == 4 && d[1] == 1));
    if (!ok) {
        char got[128];
        shape_text(got, sizeof got, &a);
        if (n == 1)
            return si_cli_usage_error(cmd,
                                      "%s: true model of shape %s does not fit the "
                                      "prediction: need [H, W] = [%d, %d]",
                                      path, got, H, W);
        return si_cli_usage_error(cmd,
                                  "%s: true models of shape %s do not fit the predictions: "
                                  "need [n, 1, H, W] = [%lld, 1, %d, %d]",
                                  path, got, n, H, W);
    }
    if ((st = si_npy_read(path, out))) return si_cli_report(cmd, st);
    return 0;
}

static void put(FILE *f, const char *name, double v, const char *fmt, const char *unit) {
    fprintf(f, "  %s ", name);
    if (isnan(v))
        fputs("n/a", f);
    else
        fprintf(f, fmt, v);
    fputs(unit, f);
}

void si_cli_print_metrics(FILE *f, const char *prefix, const si_metrics *m) {
    fputs(prefix, f);
    put(f, "MAE", m->mae, "%.5f", "");
    put(f, "MSE", m->mse, "%.3g", "");
    put(f, "RMSE", m->rmse, "%.5f", "");
    put(f, "PSNR", m->psnr, "%.2f", " dB");
    put(f, "SSIM", m->ssim, "%.4f", "");
    put(f, "MS-SSIM", m->msssim, "%.4f", "");
    put(f, "MAE", m->mae_ms, "%.1f", " m/s");
    put(f, "RMSE", m->rmse_ms, "%.1f", " m/s");
    fputc('\n', f);
}
