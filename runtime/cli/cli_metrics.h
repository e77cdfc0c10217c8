/* Metrics in the CLI (`invert --truth`, `eval`): the true models read and
 * checked against the predictions' shape, and the metrics printed. */
#ifndef SI_CLI_METRICS_H
#define SI_CLI_METRICS_H

#include <stdio.h>

#include "seisinv/metrics.h"
#include "seisinv/npy.h"

/* Reads the true model(s) for n predictions of H×W: [H, W] (or [1, H, W],
 * [1, 1, H, W]) for one, [n, 1, H, W] or [n, H, W] for a shard. Prints the
 * problem naming the file and both shapes and returns SI_EXIT_BADINPUT, or
 * 0 with *out holding the data. */
int si_cli_truth_read(const char *cmd, const char *path, long long n, int H, int W, si_array *out);

/* "MAE 0.0123  MSE ...  PSNR 33.5 dB  SSIM ...  MS-SSIM ...  MAE 30.8 m/s
 * RMSE 53.0 m/s" on one line (NaN metrics, for small models, are "n/a"). */
void si_cli_print_metrics(FILE *f, const char *prefix, const si_metrics *m);

#endif
