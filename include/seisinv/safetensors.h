/* seisinv — safetensors files (https://huggingface.co/docs/safetensors).
 *
 * Layout: 8-byte little-endian header length N, N bytes of JSON
 *   {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets": [begin, end]}, ...}
 * then the byte buffer the offsets point into (little-endian values).
 *
 * The reader validates the whole header before returning: JSON syntax, known
 * dtypes, shape × dtype size == end − begin, offsets inside the buffer, no
 * overlaps or holes (the buffer is exactly covered, as the reference library
 * requires), no duplicate or empty names, string metadata values. Messages
 * name the tensor and the problem. Tensors are listed sorted by name.
 *
 * The writer stores float32 tensors the way the Python library does: header
 * with "__metadata__" first, tensors sorted by name, compact JSON padded with
 * spaces to a multiple of 8 bytes, so the data starts 8-byte aligned. The file
 * appears under its name only when complete. */
#ifndef SEISINV_SAFETENSORS_H
#define SEISINV_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#include "seisinv/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SI_ST_MAX_DIMS 8

/* Every dtype of the format; only F32, F16 and BF16 convert to float. */
typedef enum si_st_dtype {
    SI_ST_BOOL,
    SI_ST_U8,
    SI_ST_I8,
    SI_ST_I16,
    SI_ST_U16,
    SI_ST_I32,
    SI_ST_U32,
    SI_ST_I64,
    SI_ST_U64,
    SI_ST_F16,
    SI_ST_BF16,
    SI_ST_F32,
    SI_ST_F64,
    SI_ST_C64,
    SI_ST_F8_E5M2,
    SI_ST_F8_E4M3,
    SI_ST_F8_E8M0,
    SI_ST_F6_E2M3,
    SI_ST_F6_E3M2,
    SI_ST_F4,
    SI_ST_DTYPE_COUNT
} si_st_dtype;

typedef struct si_st_tensor {
    const char *name; /* UTF-8, owned by the file */
    si_st_dtype dtype;
    int ndim; /* 0 for a scalar */
    int64_t shape[SI_ST_MAX_DIMS];
    int64_t numel;
    const void *data; /* little-endian bytes inside the file; aligned only as far as the
                         file's offsets allow (use si_st_to_f32 to copy out) */
    size_t nbytes;
} si_st_tensor;

typedef struct si_st_file si_st_file;

/* Reads and validates a whole file (one allocation holds it). */
si_err si_st_open(const char *path, si_st_file **out);

/* Same over a caller's buffer, which is borrowed, not copied: it must outlive
 * the handle. Used by the fuzzer and the tests. */
si_err si_st_open_memory(const void *buf, size_t len, si_st_file **out);

void si_st_close(si_st_file *f);

/* Tensors, sorted by name. */
size_t si_st_count(const si_st_file *f);
const si_st_tensor *si_st_at(const si_st_file *f, size_t i);

/* The tensor called `name`, or NULL (no error recorded). */
const si_st_tensor *si_st_find(const si_st_file *f, const char *name);

/* The tensor called `name` with exactly this shape (shape NULL: any); the
 * error names the tensor and both shapes. */
si_err si_st_require(const si_st_file *f, const char *name, int ndim, const int64_t *shape,
                     const si_st_tensor **out);

/* Metadata value for `key`, or NULL when absent. */
const char *si_st_meta(const si_st_file *f, const char *key);

/* Metadata entries, sorted by key. */
size_t si_st_meta_count(const si_st_file *f);
void si_st_meta_at(const si_st_file *f, size_t i, const char **key, const char **value);

/* Copies a F32, F16 or BF16 tensor into `dst` (numel floats) as float32. */
si_err si_st_to_f32(const si_st_tensor *t, float *dst);

/* "F32", "BF16", ... and the size of one element in bits. */
const char *si_st_dtype_name(si_st_dtype d);
int si_st_dtype_bits(si_st_dtype d);

/* Writer input: one float32 tensor (C order) and one metadata pair. */
typedef struct si_st_entry {
    const char *name;
    int ndim;
    const int64_t *shape;
    const float *data;
} si_st_entry;

typedef struct si_st_kv {
    const char *key;
    const char *value;
} si_st_kv;

/* Writes `n` float32 tensors and `nmeta` metadata pairs (none: no
 * "__metadata__") atomically. Names and keys must be non-empty, unique, UTF-8. */
si_err si_st_write(const char *path, const si_st_entry *tensors, size_t n, const si_st_kv *meta,
                   size_t nmeta);

#ifdef __cplusplus
}
#endif
#endif
