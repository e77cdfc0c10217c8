/* Fitting a read SEG-Y survey to a model's geometry: shots and receivers by
 * position (nearest within a tolerance), time by band-limited resampling,
 * and a report of every choice. */
#include "seisinv/survey_map.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/error_internal.h"

/* A growing text buffer for the report. */
typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (b->len + (size_t)n + 2 > b->cap) {
        size_t cap = 2 * (b->len + (size_t)n + 2) + 256;
        char *s = realloc(b->s, cap);
        if (!s) return; /* the report is best effort; the mapping is not */
        b->s = s, b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    b->s[b->len++] = '\n';
    b->s[b->len] = 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median spacing of positions (any order); 0 for fewer than two distinct. */
static double median_step(const double *v, int n) {
    if (n < 2) return 0;
    double *s = malloc((size_t)n * sizeof *s);
    if (!s) return 0;
    memcpy(s, v, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    int m = 0;
    for (int i = 1; i < n; i++)
        if (s[i] - s[i - 1] > 1e-6) s[m++] = s[i] - s[i - 1];
    qsort(s, (size_t)m, sizeof *s, cmp_double);
    double med = m ? s[m / 2] : 0;
    free(s);
    return med;
}

/* Index into [0, n) of the value nearest to `want`. */
static int nearest(const double *v, int n, double want) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (fabs(v[i] - want) < fabs(v[best] - want)) best = i;
    return best;
}

typedef struct ctx {
    const si_segy *sv;
    const si_survey_target *tg;
    text *rep;
    double x0;
    int *shot;   /* [S]: survey shot of each model shot */
    int64_t *tr; /* [S·R]: survey trace of each (shot, receiver) */
    double *scratch;
} ctx;

/* Refusal: into the report and the error message. */
static si_err refuse(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static si_err refuse(ctx *c, const char *fmt, ...) {
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    put(c->rep, "refused: %s", msg);
    return si_fail(SI_EDATA, "survey does not fit the model: %s", msg);
}

static si_err pick_shots(ctx *c) {
    const si_segy *sv = c->sv;
    const si_survey_target *tg = c->tg;
    const int S = tg->S, force = tg->force;
    if (sv->shot_key == SI_SEGY_BY_RECORD) {
        if (sv->nshots != S && !force)
            return refuse(c,
                          "no source positions, so shots are matched by FieldRecord order: the "
                          "survey has %d, the model needs exactly %d",
                          sv->nshots, S);
        for (int i = 0; i < S; i++)
            c->shot[i] = sv->nshots == S ? i
                         : S == 1        ? 0
                                         : (int)rint((double)i * (sv->nshots - 1) / (S - 1));
        put(c->rep, "shots: by FieldRecord order (no source positions): %d of %d%s", S, sv->nshots,
            sv->nshots != S ? ", spread evenly (forced)" : "");
        return SI_OK;
    }
    if (sv->nshots < S && !force)
        return refuse(c, "the survey has %d shot gathers, the model needs %d", sv->nshots, S);
    double *u = c->scratch;
    for (int k = 0; k < sv->nshots; k++)
        u[k] = sv->shots[k].u - c->x0;
    const double sv_step = median_step(u, sv->nshots), md_step = median_step(tg->src_x, S);
    double worst = 0;
    int worst_i = 0, far = 0;
    for (int i = 0; i < S; i++) {
        c->shot[i] = nearest(u, sv->nshots, tg->src_x[i]);
        double d = fabs(u[c->shot[i]] - tg->src_x[i]);
        far += d > tg->tol;
        if (d > worst) worst = d, worst_i = i;
    }
    for (int i = 1; i < S && !force; i++)
        for (int k = 0; k < i; k++)
            if (c->shot[i] == c->shot[k])
                return refuse(c,
                              "model shots %d and %d (x = %g and %g m) both fall on survey shot "
                              "at %g m: survey shots every %g m, the model's every %g m",
                              k, i, tg->src_x[k], tg->src_x[i], u[c->shot[i]], sv_step, md_step);
    if (far && !force)
        return refuse(c,
                      "model shot %d at x = %g m: the nearest survey shot is at %g m, %g m away "
                      "(tolerance %g m); survey shots every %g m from %g to %g m, the model's "
                      "every %g m",
                      worst_i, tg->src_x[worst_i], u[c->shot[worst_i]], worst, tg->tol, sv_step,
                      u[0], u[sv->nshots - 1], md_step);
    put(c->rep,
        "shots: %d of %d survey shots used (FieldRecord %d ... %d), largest position "
        "error %g m (tolerance %g m)%s",
        S, sv->nshots, (int)sv->shots[c->shot[0]].field_record,
        (int)sv->shots[c->shot[S - 1]].field_record, worst, tg->tol,
        far ? "; FORCED past the tolerance" : "");
    put(c->rep, "  spacing: survey shots every %g m, the model's every %g m", sv_step, md_step);
    return SI_OK;
}

/* Receivers of model shot i from its survey shot. */
static si_err pick_receivers(ctx *c, int i, double *worst, int *far, int *lo, int *hi) {
    const si_segy *sv = c->sv;
    const si_survey_target *tg = c->tg;
    const si_segy_shot *sh = &sv->shots[c->shot[i]];
    const si_segy_trace *t = sv->traces + sh->first;
    const int R = tg->R, n = sh->count;
    double *key = c->scratch;
    int unsigned_off = 1;
    for (int k = 0; k < n; k++)
        unsigned_off &= t[k].offset >= 0;
    *lo = n < *lo ? n : *lo, *hi = n > *hi ? n : *hi;
    if (sv->rec_key == SI_SEGY_BY_ORDER) {
        if (n != R && !tg->force)
            return refuse(c,
                          "no receiver positions or offsets, so receivers are matched by order: "
                          "shot %d has %d traces, the model needs exactly %d",
                          i, n, R);
        for (int j = 0; j < R; j++)
            c->tr[(size_t)i * R + j] =
                sh->first + (n == R   ? j
                             : R == 1 ? 0
                                      : (int)rint((double)j * (n - 1) / (R - 1)));
        return SI_OK;
    }
    for (int k = 0; k < n; k++)
        key[k] = sv->rec_key == SI_SEGY_BY_POSITION ? t[k].u_rec - c->x0 : t[k].offset;
    for (int j = 0; j < R; j++) {
        double want = tg->rec_x[j];
        if (sv->rec_key == SI_SEGY_BY_OFFSET) {
            want -= tg->src_x[i];
            if (unsigned_off) want = fabs(want);
        }
        int k = nearest(key, n, want);
        double d = fabs(key[k] - want);
        c->tr[(size_t)i * R + j] = sh->first + k;
        if (d > tg->tol) {
            if (!tg->force) {
                const double step = median_step(key, n);
                return refuse(
                    c,
                    "model shot %d, receiver %d at %s %g m: the nearest trace is at %g m, "
                    "%g m away (tolerance %g m); this shot's receivers every %g m from "
                    "%g to %g m, the model's every %g m",
                    i, j, sv->rec_key == SI_SEGY_BY_OFFSET ? "offset" : "x", want, key[k], d,
                    tg->tol, step, key[0], key[n - 1], median_step(tg->rec_x, R));
            }
            (*far)++;
        }
        if (d > *worst) *worst = d;
    }
    return SI_OK;
}

static si_err pick_all_receivers(ctx *c) {
    double worst = 0;
    int far = 0, lo = 1 << 30, hi = 0;
    for (int i = 0; i < c->tg->S; i++) {
        si_err st = pick_receivers(c, i, &worst, &far, &lo, &hi);
        if (st) return st;
    }
    const char *how = c->sv->rec_key == SI_SEGY_BY_POSITION ? "by group position"
                      : c->sv->rec_key == SI_SEGY_BY_OFFSET ? "by offset"
                                                            : "by order";
    put(c->rep, "receivers: %d per shot of %d to %d recorded, %s, largest position error %g m%s",
        c->tg->R, lo, hi, how, worst, far ? "; FORCED past the tolerance" : "");
    return SI_OK;
}

/* Resamples (or copies) every selected trace onto the model's time axis. */
static void fill_time(ctx *c, double dt_in, float *out) {
    const si_segy *sv = c->sv;
    const si_survey_target *tg = c->tg;
    const size_t n = (size_t)tg->S * tg->R;
    double t0lo = INFINITY, t0hi = -INFINITY;
    for (size_t q = 0; q < n; q++) {
        const si_segy_trace *t = &sv->traces[c->tr[q]];
        si_resample(sv->data + (size_t)c->tr[q] * sv->ns, sv->ns, dt_in, t->t0, out + q * tg->T,
                    tg->T, tg->dt);
        t0lo = fmin(t0lo, t->t0), t0hi = fmax(t0hi, t->t0);
    }
    const int same = fabs(dt_in - tg->dt) <= 1e-9 * tg->dt;
    if (same)
        put(c->rep, "time: %d samples at %g ms, the model's rate: copied", sv->ns, dt_in * 1e3);
    else
        put(c->rep, "time: %d samples at %g ms resampled to %g ms (windowed sinc, %s %g Hz)",
            sv->ns, dt_in * 1e3, tg->dt * 1e3,
            dt_in < tg->dt ? "anti-alias low-pass at" : "band limit",
            dt_in < tg->dt ? 0.95 * 0.5 / tg->dt : 0.5 / dt_in);
    if (t0hi != 0 || t0lo != 0)
        put(c->rep, "  recording delay %g to %g ms: samples shifted to start at time 0", t0lo * 1e3,
            t0hi * 1e3);
    const double have = t0lo + sv->ns * dt_in, want = tg->T * tg->dt;
    if (have < want - 0.5 * tg->dt)
        put(c->rep, "  recording ends at %g s, the model wants %g s: %d samples padded with zeros",
            have, want, (int)((want - have) / tg->dt + 0.5));
    else if (have > want + 0.5 * tg->dt)
        put(c->rep, "  recording ends at %g s, the model wants %g s: cut", have, want);
}

static si_err map(ctx *c, float *out) {
    const si_segy *sv = c->sv;
    const si_survey_target *tg = c->tg;
    if (tg->S < 1 || tg->R < 1 || tg->T < 1 || !(tg->dt > 0) || !(tg->tol > 0) || !tg->src_x ||
        !tg->rec_x)
        return si_fail(SI_EINVAL, "survey mapping: bad target geometry");
    for (int i = 0; i < tg->S; i++)
        if (!isfinite(tg->src_x[i])) return si_fail(SI_EINVAL, "survey mapping: bad source x");
    for (int j = 0; j < tg->R; j++)
        if (!isfinite(tg->rec_x[j])) return si_fail(SI_EINVAL, "survey mapping: bad receiver x");
    if (!sv->data || sv->ntraces < 1 || sv->nshots < 1)
        return si_fail(SI_EINVAL, "survey mapping: the survey was read without samples");
    int lo = 1 << 30, hi = 0;
    for (int k = 0; k < sv->nshots; k++)
        lo = sv->shots[k].count < lo ? sv->shots[k].count : lo,
        hi = sv->shots[k].count > hi ? sv->shots[k].count : hi;
    put(c->rep,
        "survey: %d shots, %d to %d receivers per shot, %d samples at %g ms (SEG-Y rev %d, %s)",
        sv->nshots, lo, hi, sv->ns, sv->dt * 1e3, sv->revision, si_segy_format_name(sv->format));
    for (const char *p = sv->notes; *p;) {
        size_t len = strcspn(p, "\n");
        put(c->rep, "  note: %.*s", (int)len, p);
        p += len + (p[len] == '\n');
    }
    if (sv->depth)
        return refuse(c, "the file is a depth section (a velocity model), not shot records");
    if (sv->geographic && !tg->force)
        return refuse(c, "coordinates are angles, not lengths: distances in metres are unknown");
    if (sv->geographic) put(c->rep, "  FORCED: angular coordinates taken as metres");
    double dt_in = sv->dt;
    if (!(dt_in > 0)) {
        if (!tg->force)
            return refuse(c, "the sample interval is 0 in the binary and trace headers");
        dt_in = tg->dt;
        put(c->rep, "time: sample interval unknown; FORCED to the model's %g ms", dt_in * 1e3);
    }
    if (dt_in < tg->dt / 100 || dt_in > tg->dt * 100) /* a factor beyond 100: a wrong header */
        return refuse(c, "sample interval %g ms is over 100 times off the model's %g ms",
                      dt_in * 1e3, tg->dt * 1e3);

    const int autox = isnan(tg->x0);
    c->x0 = tg->x0;
    if (autox) {
        c->x0 = INFINITY;
        for (int64_t q = 0; q < sv->ntraces; q++) {
            if (sv->shot_key == SI_SEGY_BY_POSITION) c->x0 = fmin(c->x0, sv->traces[q].u_src);
            if (sv->rec_key == SI_SEGY_BY_POSITION) c->x0 = fmin(c->x0, sv->traces[q].u_rec);
        }
        if (!isfinite(c->x0)) c->x0 = 0;
    }
    put(c->rep,
        "line: direction (%.4g, %.4g) in (x, y); model x = 0 at survey coordinate %g m (%s)",
        sv->line[0], sv->line[1], c->x0, autox ? "the first source or receiver" : "given");
    if (sv->crossline > tg->tol)
        put(c->rep,
            "  note: positions spread %g m across the line; only the along-line "
            "coordinate is used",
            sv->crossline);

    si_err st = pick_shots(c);
    if (!st) st = pick_all_receivers(c);
    if (!st) fill_time(c, dt_in, out);
    return st;
}

si_err si_survey_map(const si_segy *sv, const si_survey_target *tg, float *out, char **report) {
    text rep = {0};
    ctx c = {.sv = sv, .tg = tg, .rep = &rep};
    si_err st = SI_OK;
    int64_t most = sv->nshots;
    for (int k = 0; k < sv->nshots; k++)
        if (sv->shots[k].count > most) most = sv->shots[k].count;
    const size_t S = tg->S > 0 ? (size_t)tg->S : 1, R = tg->R > 0 ? (size_t)tg->R : 1;
    c.shot = malloc(S * sizeof *c.shot);
    c.tr = malloc(S * R * sizeof *c.tr);
    c.scratch = malloc((size_t)(most + 1) * sizeof *c.scratch);
    if (!c.shot || !c.tr || !c.scratch)
        st = si_fail(SI_ENOMEM, "out of memory mapping the survey");
    else
        st = map(&c, out);
    free(c.shot), free(c.tr), free(c.scratch);
    if (report)
        *report = rep.s;
    else
        free(rep.s);
    return st;
}
