/* What `seisinv bench` measured, and its two printed forms (text, JSON). */
#ifndef SI_CLI_BENCH_REPORT_H
#define SI_CLI_BENCH_REPORT_H

#include <stddef.h>

#include "seisinv/model.h"

typedef struct bench_stats {
    double min, median, p90, max, mean; /* seconds */
} bench_stats;

typedef struct bench_report {
    const char *weights; /* NULL: random paper-configuration weights */
    const si_model_info *info;
    int runs, warmup;
    bench_stats lat;
    size_t arena, weight_bytes;
    long long file_bytes; /* the weights file, -1 if unknown */
    double peak;          /* one core, GFLOP/s; 0 = unknown */
    int peak_measured;    /* measured with `kernel` rather than given */
    const char *kernel;
    const si_model *model; /* non-NULL: add the per-layer table (its profile) */
} bench_report;

void bench_print(const bench_report *r, int json);

#endif
