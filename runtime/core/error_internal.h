/* Internal: record an error message for si_last_error(). */
#ifndef SI_ERROR_INTERNAL_H
#define SI_ERROR_INTERNAL_H

#include "seisinv/error.h"

/* Formats the message, stores it for this thread and returns `code`, so a
 * failure site reads: return si_fail(SI_EDATA, "velocity %g at (%d,%d) ...", ...); */
si_err si_fail(si_err code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes the current message with context ("reading vel.npy: ..."). */
si_err si_fail_prefix(si_err code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
