/* SEG-Y geometry: the line's direction, coordinates along it, and the
 * grouping of traces into ordered shot gathers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error_internal.h"
#include "segy_internal.h"

typedef struct key {
    double k[5]; /* shot u, shot v, sx or record, sy, receiver key */
    int64_t idx;
} key;

static int same_shot(const key *a, const key *b) {
    return a->k[0] == b->k[0] && a->k[1] == b->k[1] && a->k[2] == b->k[2] && a->k[3] == b->k[3];
}

static int cmp_key(const void *a, const void *b) {
    const key *x = a, *y = b;
    for (int i = 0; i < 5; i++)
        if (x->k[i] != y->k[i]) return x->k[i] < y->k[i] ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Unit vector of the line: the principal direction of the points, exactly
 * an axis when the points all share one y (or one x). */
static void line_direction(si_segy *s, int use_src, int use_rec) {
    double n = 0, mx = 0, my = 0, xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (int pass = 0; pass < 2; pass++) {
        double cxx = 0, cyy = 0, cxy = 0;
        for (int64_t i = 0; i < s->ntraces; i++) {
            const si_segy_trace *t = &s->traces[i];
            for (int w = 0; w < 2; w++) {
                if (!(w ? use_rec : use_src)) continue;
                double x = w ? t->gx : t->sx, y = w ? t->gy : t->sy;
                if (pass == 0) {
                    n++, mx += x, my += y;
                    xlo = fmin(xlo, x), xhi = fmax(xhi, x), ylo = fmin(ylo, y), yhi = fmax(yhi, y);
                } else {
                    cxx += (x - mx) * (x - mx), cyy += (y - my) * (y - my);
                    cxy += (x - mx) * (y - my);
                }
            }
        }
        if (pass == 0) {
            s->line[0] = 1, s->line[1] = 0;
            if (n == 0 || yhi == ylo) return;
            if (xhi == xlo) {
                s->line[0] = 0, s->line[1] = 1;
                return;
            }
            mx /= n, my /= n;
            continue;
        }
        const double h = 0.5 * (cxx - cyy);
        const double lam = 0.5 * (cxx + cyy) + sqrt(h * h + cxy * cxy);
        double dx = lam - cyy, dy = cxy;
        if (fabs(dx) + fabs(dy) == 0) dx = 1, dy = 0;
        const double len = hypot(dx, dy);
        dx /= len, dy /= len;
        if (dx < 0 || (dx == 0 && dy < 0)) dx = -dx, dy = -dy;
        s->line[0] = dx, s->line[1] = dy;
    }
}

si_err si_segy_group(si_segy *s, int64_t **order) {
    const int64_t n = s->ntraces;
    int any_src = 0, any_rec = 0, any_off = 0;
    for (int64_t i = 0; i < n; i++) {
        const si_segy_trace *t = &s->traces[i];
        any_src |= t->sx != 0 || t->sy != 0;
        any_rec |= t->gx != 0 || t->gy != 0;
        any_off |= t->offset != 0;
    }
    s->shot_key = any_src ? SI_SEGY_BY_POSITION : SI_SEGY_BY_RECORD;
    s->rec_key = any_rec ? SI_SEGY_BY_POSITION : any_off ? SI_SEGY_BY_OFFSET : SI_SEGY_BY_ORDER;
    if (!any_src) si_segy_note(s, "source positions are all 0: shots grouped by FieldRecord");
    if (!any_rec)
        si_segy_note(s, "group positions are all 0: receivers ordered by %s",
                     any_off ? "offset" : "their order in the file");
    line_direction(s, any_src, any_rec);

    const double ex = s->line[0], ey = s->line[1];
    double vlo = INFINITY, vhi = -INFINITY;
    key *keys = malloc((size_t)n * sizeof *keys);
    si_segy_trace *sorted = malloc((size_t)n * sizeof *sorted);
    *order = malloc((size_t)n * sizeof **order);
    if (!keys || !sorted || !*order) {
        free(keys), free(sorted), free(*order), *order = NULL;
        return si_fail(SI_ENOMEM, "out of memory grouping %lld traces", (long long)n);
    }
    for (int64_t i = 0; i < n; i++) {
        si_segy_trace *t = &s->traces[i];
        const double vs = -t->sx * ey + t->sy * ex, vr = -t->gx * ey + t->gy * ex;
        t->u_src = t->sx * ex + t->sy * ey;
        t->u_rec = any_rec ? t->gx * ex + t->gy * ey : t->u_src + t->offset;
        if (any_src) vlo = fmin(vlo, vs), vhi = fmax(vhi, vs);
        if (any_rec) vlo = fmin(vlo, vr), vhi = fmax(vhi, vr);
        key *k = &keys[i];
        if (any_src) {
            k->k[0] = t->u_src, k->k[1] = vs, k->k[2] = t->sx, k->k[3] = t->sy;
        } else {
            k->k[0] = t->field_record, k->k[1] = k->k[2] = k->k[3] = 0;
        }
        k->k[4] = s->rec_key == SI_SEGY_BY_POSITION ? t->u_rec
                  : s->rec_key == SI_SEGY_BY_OFFSET ? t->offset
                                                    : 0;
        k->idx = i;
    }
    s->crossline = vhi > vlo ? vhi - vlo : 0;
    qsort(keys, (size_t)n, sizeof *keys, cmp_key);

    int nshots = 0;
    for (int64_t i = 0; i < n; i++)
        nshots += i == 0 || !same_shot(&keys[i], &keys[i - 1]);
    s->shots = calloc((size_t)nshots, sizeof *s->shots);
    if (!s->shots) {
        free(keys), free(sorted), free(*order), *order = NULL;
        return si_fail(SI_ENOMEM, "out of memory for %d shots", nshots);
    }
    s->nshots = 0;
    for (int64_t i = 0; i < n; i++) {
        sorted[i] = s->traces[keys[i].idx];
        (*order)[i] = keys[i].idx;
        if (i == 0 || !same_shot(&keys[i], &keys[i - 1])) {
            si_segy_shot *sh = &s->shots[s->nshots++];
            sh->first = i;
            sh->field_record = sorted[i].field_record;
            sh->u = any_src ? sorted[i].u_src : 0;
        }
        s->shots[s->nshots - 1].count++;
    }
    memcpy(s->traces, sorted, (size_t)n * sizeof *sorted);
    free(sorted), free(keys);
    return SI_OK;
}
