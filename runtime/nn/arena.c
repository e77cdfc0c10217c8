/* Greedy arena planner: buffers are placed largest first, each at the lowest
 * 64-byte aligned offset where it overlaps (in memory) no already placed
 * buffer whose step range [first, last] overlaps its own. Buffers that are
 * never alive together share memory. */
#include <stdlib.h>

#include "nn_internal.h"

enum { ALIGN = 64 };

static size_t bytes_of(const nn_buf *b) {
    return (b->floats * sizeof(float) + ALIGN - 1) / ALIGN * ALIGN;
}

static int live_together(const nn_buf *a, const nn_buf *b) {
    return a->first <= b->last && b->first <= a->last;
}

void nn_arena_place(nn_buf *bufs, int n, size_t *total_bytes) {
    int order[NN_MAX_BUFS], placed[NN_MAX_BUFS], np = 0;
    for (int i = 0; i < n; i++)
        order[i] = i;
    /* largest first (insertion sort: a few dozen buffers) */
    for (int i = 1; i < n; i++) {
        int v = order[i], j = i;
        for (; j > 0 && bytes_of(&bufs[order[j - 1]]) < bytes_of(&bufs[v]); j--)
            order[j] = order[j - 1];
        order[j] = v;
    }
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        nn_buf *b = &bufs[order[i]];
        const size_t size = bytes_of(b);
        size_t off = 0;
        /* Move past every conflicting placed buffer until none conflicts;
         * each move goes strictly up, so this ends. */
        for (int moved = 1; moved;) {
            moved = 0;
            for (int k = 0; k < np; k++) {
                const nn_buf *o = &bufs[placed[k]];
                if (!live_together(b, o)) continue;
                if (off < o->offset + bytes_of(o) && o->offset < off + size) {
                    off = o->offset + bytes_of(o);
                    moved = 1;
                }
            }
        }
        b->offset = off;
        placed[np++] = order[i];
        if (off + size > total) total = off + size;
    }
    *total_bytes = total;
}
