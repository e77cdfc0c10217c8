#define _GNU_SOURCE
#include "atomic_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/error_internal.h"

si_err si_afile_open(si_afile *f, const char *path) {
    memset(f, 0, sizeof *f);
    size_t n = strlen(path);
    f->path = strdup(path);
    f->tmp = malloc(n + 16);
    if (!f->path || !f->tmp) {
        si_afile_abort(f);
        return si_fail(SI_ENOMEM, "out of memory");
    }
    snprintf(f->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(f->tmp);
    if (fd < 0) {
        si_err st = si_fail(SI_EIO, "cannot create %s: %s", path, strerror(errno));
        free(f->tmp), f->tmp = NULL;
        si_afile_abort(f);
        return st;
    }
    /* mkstemp creates 0600; outputs are ordinary files, readable like any other. */
    (void)fchmod(fd, 0644);
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        close(fd);
        unlink(f->tmp);
        si_afile_abort(f);
        return si_fail(SI_EIO, "cannot open %s: %s", path, strerror(errno));
    }
    return SI_OK;
}

si_err si_afile_commit(si_afile *f) {
    int bad = ferror(f->fp) || fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0;
    int err = errno;
    if (fclose(f->fp) != 0 && !bad) bad = 1, err = errno;
    f->fp = NULL;
    if (!bad && rename(f->tmp, f->path) != 0) bad = 1, err = errno;
    si_err st = SI_OK;
    if (bad) {
        st = si_fail(SI_EIO, "cannot write %s: %s", f->path, strerror(err));
        unlink(f->tmp);
    }
    free(f->tmp), f->tmp = NULL;
    free(f->path), f->path = NULL;
    return st;
}

void si_afile_abort(si_afile *f) {
    if (f->fp) fclose(f->fp);
    if (f->tmp) unlink(f->tmp);
    free(f->tmp);
    free(f->path);
    memset(f, 0, sizeof *f);
}
