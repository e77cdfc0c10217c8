/* Internal: SEG-Y header layout shared by the reader and the writer.
 * Offsets are 0-based byte positions (the standard's byte numbers minus 1,
 * binary header ones relative to the binary header). segyio hands headers
 * over big-endian whatever the file's byte order. */
#ifndef SI_SEGY_INTERNAL_H
#define SI_SEGY_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include "seisinv/segy.h"

enum {
    SEGY_TEXT_BYTES = 3200,
    SEGY_BIN_BYTES = 400,
    SEGY_TRACE_HDR_BYTES = 240,
    /* binary header */
    BH_TRACES_PER_ENSEMBLE = 12,
    BH_INTERVAL = 16,
    BH_SAMPLES = 20,
    BH_FORMAT = 24,
    BH_ENSEMBLE_FOLD = 26,
    BH_SORTING = 28,
    BH_MEASUREMENT = 54,  /* 1 metres, 2 feet */
    BH_EXT_SAMPLES = 68,  /* rev 2: int32, overrides BH_SAMPLES */
    BH_EXT_INTERVAL = 72, /* rev 2: IEEE double, µs, overrides BH_INTERVAL */
    BH_BYTE_ORDER = 96,   /* rev 2: int32 0x01020304 in the file's order */
    BH_REVISION = 300,    /* major, minor: one byte each */
    BH_FIXED_LENGTH = 302,
    BH_EXT_TEXT = 304,
    BH_EXT_TRACE_HDRS = 306, /* rev 2: additional 240-byte trace headers */
    /* trace header */
    TH_SEQ_LINE = 0,
    TH_SEQ_FILE = 4,
    TH_FIELD_RECORD = 8,
    TH_TRACE_NUMBER = 12,
    TH_CDP = 20,
    TH_TRACE_ID = 28,
    TH_OFFSET = 36,
    TH_REC_ELEV = 40,
    TH_SRC_DEPTH = 48,
    TH_ELEV_SCALAR = 68,
    TH_COORD_SCALAR = 70,
    TH_SX = 72,
    TH_SY = 76,
    TH_GX = 80,
    TH_GY = 84,
    TH_COORD_UNITS = 88,
    TH_DELAY = 108,
    TH_SAMPLES = 114,
    TH_INTERVAL = 116,
    TH_CDP_X = 180,
    TH_CDP_Y = 184,
    TH_INLINE = 188,
    TH_CROSSLINE = 192,
};

/* The text header line a seisinv depth section carries. */
#define SI_SEGY_DEPTH_MARK "DEPTH DOMAIN"

static inline uint32_t segy_be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint16_t segy_be16(const unsigned char *p) {
    return (uint16_t)(p[0] << 8 | p[1]);
}
static inline int32_t segy_i32(const unsigned char *p) {
    return (int32_t)segy_be32(p);
}
static inline int16_t segy_i16(const unsigned char *p) {
    return (int16_t)segy_be16(p);
}

static inline void segy_put32(unsigned char *p, int32_t v) {
    uint32_t u = (uint32_t)v;
    p[0] = (unsigned char)(u >> 24), p[1] = (unsigned char)(u >> 16);
    p[2] = (unsigned char)(u >> 8), p[3] = (unsigned char)u;
}
static inline void segy_put16(unsigned char *p, int v) {
    uint16_t u = (uint16_t)v;
    p[0] = (unsigned char)(u >> 8), p[1] = (unsigned char)u;
}

/* Bytes per sample of a supported format, 0 for any other code. */
static inline int segy_sample_bytes(int format) {
    switch (format) {
    case SI_SEGY_IBM:
    case SI_SEGY_INT32:
    case SI_SEGY_IEEE:
        return 4;
    case SI_SEGY_INT16:
        return 2;
    case SI_SEGY_INT8:
        return 1;
    default:
        return 0;
    }
}

/* Appends one line to s->notes (silently cut when full). */
void si_segy_note(si_segy *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Groups and orders the traces of s (traces filled in file order, index
 * set) into shots; fills shots, keys, line, crossline and the u fields, and
 * permutes s->traces. Sets *order[i] to the file index of the i-th trace in
 * the new order (malloc'ed, caller frees). */
si_err si_segy_group(si_segy *s, int64_t **order);

#endif
