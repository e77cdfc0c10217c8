/* Files that appear under their final name only when complete.
 * Data goes to "<path>.tmp.XXXXXX" in the same folder (so rename is atomic);
 * commit flushes, fsyncs and renames; abort removes the temporary. An existing
 * file at `path` is untouched until a successful commit. */
#ifndef SI_ATOMIC_FILE_H
#define SI_ATOMIC_FILE_H

#include <stdio.h>

#include "seisinv/error.h"

typedef struct si_afile {
    FILE *fp;
    char *path;
    char *tmp;
} si_afile;

si_err si_afile_open(si_afile *f, const char *path);
si_err si_afile_commit(si_afile *f);
void si_afile_abort(si_afile *f);

#endif
