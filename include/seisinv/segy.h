/* seisinv — SEG-Y files (rev 0, 1 and 2) through segyio.
 *
 * The reader loads a pre-stack 2-D survey: every trace with its header
 * (positions in metres, scalars applied, feet converted), grouped into shot
 * gathers and ordered, plus the samples as float32. It knows the format, not
 * the network: fitting a survey to a model's geometry is si_survey_map
 * (seisinv/survey_map.h).
 *
 * Grouping: traces with the same source position (SourceX/SourceY, bytes
 * 73/77, scalar at 71) form one shot; when every source position is zero the
 * shots are the FieldRecord numbers (byte 9). Shots are ordered along the
 * line, receivers within a shot by group position (GroupX/GroupY, 81/85),
 * else by offset (37), else as stored. The line is the principal direction
 * of all source and group positions (exactly the x axis for an east-west
 * line); `u` is the coordinate along it.
 *
 * Checked: file size against the trace size (truncated files), sample
 * format (1 IBM, 2 int32, 3 int16, 5 IEEE, 8 int8), sample count, byte
 * order (rev 2 constant, else the format code), extended text headers,
 * per-trace sample counts, NaN/Inf samples. Messages start with the path. */
#ifndef SEISINV_SEGY_H
#define SEISINV_SEGY_H

#include <stdint.h>

#include "seisinv/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum si_segy_format {
    SI_SEGY_IBM = 1,   /* 4-byte IBM float */
    SI_SEGY_INT32 = 2, /* 4-byte two's complement */
    SI_SEGY_INT16 = 3, /* 2-byte two's complement */
    SI_SEGY_IEEE = 5,  /* 4-byte IEEE float */
    SI_SEGY_INT8 = 8,  /* 1-byte two's complement */
} si_segy_format;

/* How shots were told apart / receivers ordered. */
typedef enum si_segy_key {
    SI_SEGY_BY_POSITION = 0, /* source / group coordinates */
    SI_SEGY_BY_RECORD = 1,   /* shots: FieldRecord (no source positions) */
    SI_SEGY_BY_OFFSET = 2,   /* receivers: offset (no group positions) */
    SI_SEGY_BY_ORDER = 3,    /* receivers: as stored (neither) */
} si_segy_key;

/* One trace header, read or to be written. Lengths in metres. */
typedef struct si_segy_trace {
    int32_t field_record; /* byte 9 */
    int32_t trace_number; /* byte 13: number within the field record */
    double sx, sy;        /* source position, scalar (71) applied */
    double gx, gy;        /* receiver group position */
    double offset;        /* byte 37, signed as stored (the standard gives it no scalar) */
    double src_depth;     /* byte 49, scalar 69 applied */
    double rec_depth;     /* minus the receiver group elevation (41), scalar 69 */
    double t0;            /* seconds: delay recording time (109); sample 0 is at t0 */
    double u_src, u_rec;  /* reader only: coordinates along the line */
    int64_t index;        /* reader only: trace number in the file, from 0 */
} si_segy_trace;

/* One shot gather: traces[first .. first + count) of the survey. */
typedef struct si_segy_shot {
    int64_t first;
    int count;
    int32_t field_record; /* of its first trace */
    double u;             /* source coordinate along the line (0 when grouped by record) */
} si_segy_shot;

typedef struct si_segy {
    int revision, minor; /* 0, 1 or 2 (bytes 3501-3502); unknown values read as 0 */
    si_segy_format format;
    int lsb;        /* little-endian file (rev 2 byte-order constant, or guessed) */
    int ns;         /* samples per trace */
    double dt;      /* sample interval in seconds (0: unknown); dz in metres for a
                       depth section */
    int depth;      /* a seisinv velocity section (text header "DEPTH DOMAIN") */
    int geographic; /* coordinates are angles (units code 2-4), not lengths */
    si_segy_key shot_key, rec_key;
    double line[2];   /* unit vector of the line in (x, y) */
    double crossline; /* spread of the positions across the line, metres */
    int64_t ntraces;
    si_segy_trace *traces; /* shot by shot, receivers ordered */
    int nshots;
    si_segy_shot *shots; /* ordered along the line (or by FieldRecord) */
    float *data;         /* [ntraces, ns] in trace order; NULL when read without data */
    char text[3201];     /* textual header as ASCII, 40 lines of 80 */
    char notes[1024];    /* what the reader assumed, one line each ("" if nothing) */
} si_segy;

/* Reads a SEG-Y file; with_data 0 reads the headers only (for `info`).
 * On failure *out is left empty (safe to si_segy_free). */
si_err si_segy_read(const char *path, int with_data, si_segy *out);

void si_segy_free(si_segy *s);

/* Name of a format code: "IBM float", "IEEE float", ... ("unknown" otherwise). */
const char *si_segy_format_name(int format);

/* --- writing --------------------------------------------------------------- */

typedef struct si_segy_write_opts {
    si_segy_format format; /* SI_SEGY_IEEE (0 means IEEE) or SI_SEGY_IBM */
    int revision;          /* 1 (0 means 1) or 2; big-endian either way */
    double dt;             /* sample interval, seconds: a whole number of µs in [1, 32767] */
    const char *text;      /* lines for the text header after the standard ones ('\n'
                              separated, printable ASCII, NULL for none) */
} si_segy_write_opts;

/* Writes `ntraces` traces of `ns` samples, data [ntraces, ns], headers
 * hdr[ntraces] (reader-only fields ignored), atomically. Coordinates share
 * one scalar (71), depths another (69): the coarsest of 1, -10, ..., -10000
 * that stores every value to 1e-6 of its unit, else -10000 (rounded); offsets
 * are whole metres. Refused: non-finite samples, values beyond 32 bits,
 * a dt that is not a whole number of µs. */
si_err si_segy_write(const char *path, const si_segy_write_opts *opt, int64_t ntraces, int ns,
                     const float *data, const si_segy_trace *hdr);

/* A velocity model vel [nz, nx] (m/s, row = depth) as a depth section:
 * rev 1, IEEE, one trace per column (CDP = column + 1, SourceX = GroupX =
 * CDP X = column · dx, offset 0), nz samples per trace. The sample-interval
 * fields hold dz = dx in millimetres (so "ms" reads as metres in viewers;
 * dx must be a whole number of mm up to 32.767 m), the measurement system is
 * metres, and the text header says "DEPTH DOMAIN". */
si_err si_segy_write_velocity(const char *path, const float *vel, int nz, int nx, double dx);

#ifdef __cplusplus
}
#endif
#endif
