/* libFuzzer target: the SEG-Y reader (segyio reads files, so the input goes
 * to a memory file first), then the survey mapping, refusing and forced,
 * onto a small model geometry. */
#define _GNU_SOURCE /* memfd_create */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "seisinv/segy.h"
#include "seisinv/survey_map.h"

static int fd = -1;
static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (fd < 0) {
        fd = memfd_create("fuzz_segy", 0);
        if (fd < 0) abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
    si_segy s;
    if (si_segy_read(path, 1, &s) != SI_OK) return 0;
    int64_t total = 0;
    for (int k = 0; k < s.nshots; k++)
        total += s.shots[k].count;
    if (total != s.ntraces || s.ns < 1) abort(); /* every trace in exactly one shot */
    static const double sx[2] = {20, 200}, rx[3] = {0, 100, 200};
    float out[2 * 3 * 16];
    for (int force = 0; force < 2; force++) {
        si_survey_target tg = {.S = 2,
                               .R = 3,
                               .T = 16,
                               .dt = 0.001,
                               .src_x = sx,
                               .rec_x = rx,
                               .x0 = force ? 0.0 : __builtin_nan(""),
                               .tol = 5,
                               .force = force};
        char *report = NULL;
        (void)si_survey_map(&s, &tg, out, &report);
        free(report);
    }
    si_segy_free(&s);
    return 0;
}
