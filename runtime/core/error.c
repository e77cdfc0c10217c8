/* Per-thread error message storage. Thread-local so two models or two
 * simulations on different threads never overwrite each other's message. */
#include "error_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define SI_ERRBUF 1024
static _Thread_local char errbuf[SI_ERRBUF];

const char *si_last_error(void) { return errbuf; }

si_err si_fail(si_err code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, sizeof errbuf, fmt, ap);
    va_end(ap);
    return code;
}

si_err si_fail_prefix(si_err code, const char *fmt, ...) {
    char prefix[SI_ERRBUF], old[SI_ERRBUF];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, errbuf, sizeof old);
    size_t n = strlen(prefix);
    if (n > SI_ERRBUF - 3) n = SI_ERRBUF - 3;
    memcpy(errbuf, prefix, n);
    errbuf[n] = ':', errbuf[n + 1] = ' ';
    size_t m = strlen(old);
    if (m > SI_ERRBUF - n - 3) m = SI_ERRBUF - n - 3;
    memcpy(errbuf + n + 2, old, m);
    errbuf[n + 2 + m] = 0;
    return code;
}

const char *si_err_name(si_err s) {
    switch (s) {
    case SI_OK: return "SI_OK";
    case SI_EINVAL: return "SI_EINVAL";
    case SI_EDATA: return "SI_EDATA";
    case SI_EFORMAT: return "SI_EFORMAT";
    case SI_EIO: return "SI_EIO";
    case SI_ENOMEM: return "SI_ENOMEM";
    case SI_EUNSTABLE: return "SI_EUNSTABLE";
    case SI_EINTERRUPTED: return "SI_EINTERRUPTED";
    }
    return "SI_E?";
}

const char *si_version(void) { return SEISINV_VERSION_STRING; }
