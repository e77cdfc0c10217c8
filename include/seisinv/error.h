/* seisinv — status codes and error messages.
 *
 * Every library function that can fail returns an si_err. On failure a
 * human-readable message naming the problem is kept per thread and can be read
 * with si_last_error() until the next failing call on that thread. The library
 * never prints and never exits. */
#ifndef SEISINV_ERROR_H
#define SEISINV_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/* Named si_err, not si_status: <signal.h> defines si_status as a macro. */
typedef enum si_err {
    SI_OK = 0,
    SI_EINVAL = 1,       /* bad argument or configuration */
    SI_EDATA = 2,        /* bad input data: NaN/Inf, out-of-range values, wrong shape */
    SI_EFORMAT = 3,      /* corrupt or unsupported file */
    SI_EIO = 4,          /* the file system refused (open, read, write, rename) */
    SI_ENOMEM = 5,       /* allocation failed */
    SI_EUNSTABLE = 6,    /* simulator setting violates the CFL condition */
    SI_EINTERRUPTED = 7, /* a long job was asked to stop; finished work was kept */
} si_err;

/* Message of the last failure on this thread ("" if none). */
const char *si_last_error(void);

/* Name of a status code, e.g. "SI_EDATA". */
const char *si_err_name(si_err s);

/* Library version as "MAJOR.MINOR.PATCH". */
const char *si_version(void);

#ifdef __cplusplus
}
#endif
#endif
