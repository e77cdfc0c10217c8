/* The weights file during load. Mapped (read-only, private) where the system
 * allows, so each tensor's pages can be handed back once it is packed: load
 * then never holds the whole file and the packed weights at once (peak
 * resident memory ≈ packed weights + one tensor, not + the file). Anything
 * that cannot be mapped (a pipe, an empty file, no mmap) is read whole by
 * si_st_open, which also gives the error messages. */
#define _DEFAULT_SOURCE /* madvise (glibc hides it under _POSIX_C_SOURCE) */
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error_internal.h"
#include "nn_internal.h"

si_err nn_wfile_open(nn_wfile *w, const char *path) {
    *w = (nn_wfile){0};
    const int fd = open(path, O_RDONLY);
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
        (uint64_t)sb.st_size <= SIZE_MAX) {
        void *p = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) w->map = p, w->len = (size_t)sb.st_size;
    }
    if (fd >= 0) close(fd); /* the mapping keeps the file */
    if (!w->map) return si_st_open(path, &w->f);
    si_err st = si_st_open_memory(w->map, w->len, &w->f);
    if (st) {
        nn_wfile_close(w);
        return si_fail_prefix(st, "%s", path); /* as si_st_open words it */
    }
    return SI_OK;
}

void nn_wfile_done(const nn_wfile *w, const void *data, size_t n) {
#ifdef MADV_DONTNEED
    if (!w->map || !n) return;
    /* Whole pages around the tensor: the mapping is never written, so a page
     * dropped here that a neighbour still needs is read again from the file. */
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), base = (uintptr_t)w->map;
    uintptr_t a = (uintptr_t)data & ~(page - 1), b = ((uintptr_t)data + n + page - 1) & ~(page - 1);
    if (a < base) a = base;
    if (b > base + w->len) b = base + w->len;
    if (b > a) madvise((void *)a, b - a, MADV_DONTNEED);
#else
    (void)w, (void)data, (void)n;
#endif
}

void nn_wfile_close(nn_wfile *w) {
    si_st_close(w->f);
    if (w->map) munmap(w->map, w->len);
    *w = (nn_wfile){0};
}
