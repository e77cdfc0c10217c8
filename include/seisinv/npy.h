/* seisinv — NumPy .npy arrays (format v1.0/v2.0, little-endian float32, C order).
 *
 * Readers validate everything they are given: magic, header syntax, dtype,
 * order, shape against file size, and (for float data) NaN/Inf. Writers never
 * leave a half-written file: data goes to a temporary name in the same folder
 * and is renamed over the target only when complete. */
#ifndef SEISINV_NPY_H
#define SEISINV_NPY_H

#include <stddef.h>
#include <stdint.h>

#include "seisinv/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SI_NPY_MAX_DIMS 8

typedef struct si_array {
    int ndim;
    int64_t shape[SI_NPY_MAX_DIMS];
    float *data; /* malloc'ed, free with si_array_free */
} si_array;

/* Number of elements (product of the shape). */
int64_t si_array_numel(const si_array *a);

/* Reads a float32 .npy file. Rejects other dtypes, Fortran order, truncated
 * files and non-finite samples (the message names the first bad index). */
si_err si_npy_read(const char *path, si_array *out);

/* Same, from memory (used by the fuzzer and tests). */
si_err si_npy_parse(const void *buf, size_t len, si_array *out);

/* Writes a float32 .npy atomically (temporary file + rename). */
si_err si_npy_write(const char *path, int ndim, const int64_t *shape, const float *data);

void si_array_free(si_array *a);

/* Reads only the header (rank and shape into out, out->data stays NULL), sets
 * *data_offset (may be NULL) to where the data starts, and checks the file
 * holds exactly that much data; for validating and sampling large files, such
 * as dataset shards, without loading them. */
si_err si_npy_read_header(const char *path, si_array *out, int64_t *data_offset);

/* Streaming writer for arrays too large to hold in memory (dataset shards):
 * the shape is known up front, the data is appended in order, and the file
 * appears under its name only on commit. */
typedef struct si_npy_writer si_npy_writer;
si_err si_npy_writer_open(si_npy_writer **w, const char *path, int ndim, const int64_t *shape);
si_err si_npy_writer_append(si_npy_writer *w, const float *data, size_t count);
si_err si_npy_writer_commit(si_npy_writer *w); /* frees w */
void si_npy_writer_abort(si_npy_writer *w);        /* frees w, removes the temporary */

#ifdef __cplusplus
}
#endif
#endif
