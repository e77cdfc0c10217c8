/* Terminal progress bar with rate and ETA; quiet when stderr is a log file. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

double si_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void format_duration(char *buf, size_t n, double s) {
    if (s < 0 || s > 1e7) {
        snprintf(buf, n, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, n, "%02ld:%02ld", t / 60, t % 60);
}

void si_progress_start(si_progress *p, const char *label, int64_t total, int64_t already_done) {
    memset(p, 0, sizeof *p);
    p->label = label;
    p->total = total;
    p->done = p->start_done = already_done;
    p->t_start = si_now_seconds();
    p->tty = isatty(fileno(stderr));
}

static void draw(si_progress *p, double now, int final) {
    double el = now - p->t_start;
    double rate = el > 0 ? (double)(p->done - p->start_done) / el : 0;
    double eta = rate > 0 ? (double)(p->total - p->done) / rate : -1;
    char eta_s[32], el_s[32];
    format_duration(eta_s, sizeof eta_s, eta);
    format_duration(el_s, sizeof el_s, el);
    int width = 30;
    int fill = p->total > 0 ? (int)((double)width * (double)p->done / (double)p->total) : width;
    char bar[64];
    for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    fprintf(stderr, "\r%s [%s] %lld/%lld  %.2f/s  elapsed %s  ETA %s %s\033[K", p->label, bar,
            (long long)p->done, (long long)p->total, rate, el_s, final ? "00:00" : eta_s,
            p->extra);
    if (final) fputc('\n', stderr);
    fflush(stderr);
}

void si_progress_update(si_progress *p, int64_t done) {
    p->done = done;
    if (!p->tty) return;
    double now = si_now_seconds();
    if (now - p->t_last_draw < 0.1 && done < p->total) return;
    p->t_last_draw = now;
    draw(p, now, 0);
}

void si_progress_finish(si_progress *p) {
    double now = si_now_seconds();
    if (p->tty) {
        draw(p, now, 1);
        return;
    }
    double el = now - p->t_start;
    fprintf(stderr, "%s: %lld/%lld done in %.1f s (%.2f/s) %s\n", p->label, (long long)p->done,
            (long long)p->total, el, el > 0 ? (double)(p->done - p->start_done) / el : 0.0,
            p->extra);
}
