/* Argument parsing, error reporting and interrupt handling for the CLI. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int si_cli_report(const char *cmd, si_err st) {
    fprintf(stderr, "seisinv %s: %s\n", cmd, si_last_error());
    switch (st) {
    case SI_OK: return SI_EXIT_OK;
    case SI_ENOMEM: return SI_EXIT_FAIL;
    case SI_EINTERRUPTED: return SI_EXIT_INTERRUPTED;
    default: return SI_EXIT_BADINPUT;
    }
}

int si_cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "seisinv%s%s: ", *cmd ? " " : "", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return SI_EXIT_BADINPUT;
}

int si_parse_int(const char *s, long lo, long hi, long *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int si_parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s || *s == '-') return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

int si_parse_float(const char *s, double lo, double hi, double *out) {
    if (!s || !*s) return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < lo || v > hi) return -1;
    *out = v;
    return 0;
}

int si_parse_int_list(const char *s, int *out, int cap) {
    if (!s || !*s) return -1;
    if (strchr(s, ':')) {
        long a, b, c = 1;
        char buf[64];
        if (strlen(s) >= sizeof buf) return -1;
        strcpy(buf, s);
        char *p1 = strchr(buf, ':');
        *p1++ = 0;
        char *p2 = strchr(p1, ':');
        if (p2) *p2++ = 0;
        if (si_parse_int(buf, -1000000, 1000000, &a) || si_parse_int(p1, -1000000, 1000000, &b) ||
            (p2 && si_parse_int(p2, -1000000, 1000000, &c)) || c == 0)
            return -1;
        int n = 0;
        for (long v = a; c > 0 ? v < b : v > b; v += c) {
            if (n == cap) return -1;
            out[n++] = (int)v;
        }
        return n;
    }
    int n = 0;
    const char *p = s;
    for (;;) {
        const char *q = strchr(p, ',');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        char buf[32];
        long v;
        if (len == 0 || len >= sizeof buf || n == cap) return -1;
        memcpy(buf, p, len);
        buf[len] = 0;
        if (si_parse_int(buf, -1000000, 1000000, &v)) return -1;
        out[n++] = (int)v;
        if (!q) break;
        p = q + 1;
    }
    return n;
}

static volatile int interrupted;

static void on_signal(int sig) {
    (void)sig;
    interrupted = 1;
}

volatile int *si_cli_interrupt_flag(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return &interrupted;
}
