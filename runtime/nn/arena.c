/* Greedy arena planner: buffers are placed one at a time, each at the lowest
 * 64-byte aligned offset where it overlaps (in memory) no already placed
 * buffer whose step range [first, last] overlaps its own. Buffers that are
 * never alive together share memory. The order matters, and no one order is
 * best for every plan, so a few are tried and the smallest arena kept. */
#include <stdlib.h>
#include <string.h>

#include "nn_internal.h"

enum { ALIGN = 64 };

static size_t bytes_of(const nn_buf *b) {
    return (b->floats * sizeof(float) + ALIGN - 1) / ALIGN * ALIGN;
}

static int live_together(const nn_buf *a, const nn_buf *b) {
    return a->first <= b->last && b->first <= a->last;
}

/* Orders tried: largest first; largest size × lifetime first; by first use. */
static int before(int how, const nn_buf *a, const nn_buf *b) {
    const size_t sa = bytes_of(a), sb = bytes_of(b);
    if (how == 1) {
        const double ea = (double)sa * (a->last - a->first + 1);
        const double eb = (double)sb * (b->last - b->first + 1);
        if (ea != eb) return ea > eb;
    } else if (how == 2 && a->first != b->first) {
        return a->first < b->first;
    }
    return sa > sb;
}

/* One greedy pass in order `how`: offsets into off[], returns the total. */
static size_t place(const nn_buf *bufs, int n, int how, size_t *off) {
    int order[NN_MAX_BUFS], placed[NN_MAX_BUFS], np = 0;
    for (int i = 0; i < n; i++) { /* insertion sort: a few dozen buffers */
        int j = i;
        for (; j > 0 && before(how, &bufs[i], &bufs[order[j - 1]]); j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        const nn_buf *b = &bufs[order[i]];
        const size_t size = bytes_of(b);
        size_t o = 0;
        /* Move past every conflicting placed buffer until none conflicts;
         * each move goes strictly up, so this ends. */
        for (int moved = 1; moved;) {
            moved = 0;
            for (int k = 0; k < np; k++) {
                const nn_buf *p = &bufs[placed[k]];
                if (!live_together(b, p)) continue;
                const size_t po = off[placed[k]];
                if (o < po + bytes_of(p) && po < o + size) {
                    o = po + bytes_of(p);
                    moved = 1;
                }
            }
        }
        off[order[i]] = o;
        placed[np++] = order[i];
        if (o + size > total) total = o + size;
    }
    return total;
}

void nn_arena_place(nn_buf *bufs, int n, size_t *total_bytes) {
    size_t off[NN_MAX_BUFS], best[NN_MAX_BUFS], best_total = 0;
    for (int how = 0; how < 3; how++) {
        const size_t total = place(bufs, n, how, off);
        if (how == 0 || total < best_total) {
            best_total = total;
            memcpy(best, off, (size_t)n * sizeof *off);
        }
    }
    for (int i = 0; i < n; i++)
        bufs[i].offset = best[i];
    *total_bytes = best_total;
}
