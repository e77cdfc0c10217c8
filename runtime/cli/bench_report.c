/* Printing `seisinv bench` results: a short text summary, or one JSON object
 * (written by hand: the CLI has no JSON dependency of its own). */
#include <stdio.h>

#include "bench_report.h"

static double mib(double bytes) {
    return bytes / (1024.0 * 1024.0);
}

/* GFLOP/s at the median latency. */
static double rate(const bench_report *r) {
    return r->info->flops * 1e-9 / r->lat.median;
}

static double fraction(const bench_report *r) {
    return r->peak > 0 ? rate(r) / (r->peak * r->info->threads) : 0;
}

static void json_string(const char *s) {
    if (!s) {
        fputs("null", stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        const unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            printf("\\%c", ch);
        else if (ch < 0x20)
            printf("\\u%04x", ch);
        else
            putchar(ch);
    }
    putchar('"');
}

static void layer(const si_model *m, int i, const char **name, double *gflop, double *ms) {
    double flops, sec;
    int64_t n;
    si_model_step_stats(m, i, name, &flops, &sec, &n);
    *gflop = flops * 1e-9;
    *ms = n ? sec * 1e3 / (double)n : 0;
}

static void print_json(const bench_report *r) {
    const si_model_info *c = r->info;
    const bench_stats *l = &r->lat;
    printf("{\"weights\": ");
    json_string(r->weights);
    printf(", \"S\": %d, \"R\": %d, \"T\": %d, \"H\": %d, \"W\": %d, \"isa\": ", c->S, c->R, c->T,
           c->H, c->W);
    json_string(c->isa);
    printf(", \"threads\": %d, \"runs\": %d, \"warmup\": %d,\n", c->threads, r->runs, r->warmup);
    printf(" \"latency_ms\": {\"min\": %.4f, \"median\": %.4f, \"p90\": %.4f, \"max\": %.4f, "
           "\"mean\": %.4f},\n",
           l->min * 1e3, l->median * 1e3, l->p90 * 1e3, l->max * 1e3, l->mean * 1e3);
    printf(" \"gflop_per_pass\": %.6f, \"gflops\": %.3f, ", c->flops * 1e-9, rate(r));
    if (r->peak > 0)
        printf("\"peak_gflops_per_core\": %.3f, \"peak_fraction\": %.4f, ", r->peak, fraction(r));
    else
        printf("\"peak_gflops_per_core\": null, \"peak_fraction\": null, ");
    printf("\"peak_source\": ");
    json_string(r->peak <= 0 ? NULL : r->peak_measured ? r->kernel : "given");
    printf(",\n \"arena_bytes\": %zu, \"weight_bytes\": %zu, \"weights_file_bytes\": %lld, "
           "\"parameters\": %lld",
           r->arena, r->weight_bytes, r->file_bytes, (long long)c->parameters);
    if (r->model) {
        printf(",\n \"layers\": [");
        for (int i = 0; i < si_model_step_count(r->model); i++) {
            const char *name;
            double g, ms;
            layer(r->model, i, &name, &g, &ms);
            printf("%s\n  {\"name\": ", i ? "," : "");
            json_string(name);
            printf(", \"gflop\": %.6f, \"ms\": %.4f, \"gflops\": %.3f}", g, ms,
                   ms > 0 ? g / ms * 1e3 : 0.0);
        }
        printf("]");
    }
    printf("}\n");
}

static void print_layers(const si_model *m) {
    double total_ms = 0, total_g = 0;
    for (int i = 0; i < si_model_step_count(m); i++) {
        const char *name;
        double g, ms;
        layer(m, i, &name, &g, &ms);
        total_ms += ms, total_g += g;
    }
    printf("\n%-42s %8s %9s %9s %6s\n", "step (mean of the --layers passes)", "GFLOP", "ms",
           "GFLOP/s", "share");
    for (int i = 0; i < si_model_step_count(m); i++) {
        const char *name;
        double g, ms;
        layer(m, i, &name, &g, &ms);
        printf("%-42s %8.4f %9.3f %9.1f %5.1f%%\n", name, g, ms, ms > 0 ? g / ms * 1e3 : 0.0,
               total_ms > 0 ? 100 * ms / total_ms : 0.0);
    }
    printf("%-42s %8.4f %9.3f %9.1f\n", "total", total_g, total_ms,
           total_ms > 0 ? total_g / total_ms * 1e3 : 0.0);
}

static void print_text(const bench_report *r) {
    const si_model_info *c = r->info;
    const bench_stats *l = &r->lat;
    printf("SeisInvNet S=%d R=%d T=%d -> %dx%d, %s\n", c->S, c->R, c->T, c->H, c->W,
           r->weights ? r->weights : "random weights (paper configuration)");
    printf("kernels %s, %d thread%s, %d runs after %d warm-up\n", c->isa, c->threads,
           c->threads == 1 ? "" : "s", r->runs, r->warmup);
    printf("latency   min %.2f ms   median %.2f ms   p90 %.2f ms   max %.2f ms\n", l->min * 1e3,
           l->median * 1e3, l->p90 * 1e3, l->max * 1e3);
    printf("compute   %.2f GFLOP per pass, %.1f GFLOP/s at the median", c->flops * 1e-9, rate(r));
    if (r->peak > 0 && r->peak_measured)
        printf(" = %.2f of peak\n          (peak %d x %.1f GFLOP/s: one core's %s micro-kernel on "
               "L1-resident data, measured now)",
               fraction(r), c->threads, r->peak, r->kernel);
    else if (r->peak > 0)
        printf(" = %.2f of peak (%d x %.1f GFLOP/s, given)", fraction(r), c->threads, r->peak);
    printf("\nmemory    weights %.1f MiB packed", mib((double)r->weight_bytes));
    if (r->file_bytes >= 0) printf(" (file %.1f MiB)", mib((double)r->file_bytes));
    printf(", arena %.1f MiB\n", mib((double)r->arena));
    if (r->model) print_layers(r->model);
}

void bench_print(const bench_report *r, int json) {
    if (json)
        print_json(r);
    else
        print_text(r);
}
