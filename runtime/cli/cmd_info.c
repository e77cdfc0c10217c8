/* seisinv info — what a file holds: .npy (shape, dtype, range), SEG-Y
 * (traces, samples, dt, format, shots, receivers, spacing, revision) or
 * safetensors weights (configuration, tensors, parameters, provenance). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_segy.h"
#include "seisinv/npy.h"
#include "seisinv/safetensors.h"
#include "seisinv/segy.h"

static const char usage[] =
    "usage: seisinv info FILE...\n"
    "\n"
    "Says what each file holds, found by its content (or a .sgy/.segy name):\n"
    "  .npy         shape, dtype, min / max / mean, non-finite values\n"
    "  SEG-Y        revision, sample format, byte order, traces, samples, dt,\n"
    "               shots, receivers per shot, spacings, offsets, header notes\n"
    "  safetensors  SeisInvNet configuration (metadata), tensor count, parameters,\n"
    "               provenance keys\n"
    "  PNG          image size\n"
    "\n"
    "Exit codes: 0 all described, 2 a file unreadable or of no known kind.\n";

static void shape_str(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t k = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, "]");
}

/* Streams the data (shards can be larger than memory) for the value range. */
static int info_npy(const char *path) {
    si_array h;
    int64_t off;
    si_err st = si_npy_read_header(path, &h, &off);
    if (st) return si_cli_report("info", st);
    char shape[256];
    shape_str(shape, sizeof shape, h.ndim, h.shape);
    const int64_t n = si_array_numel(&h);
    printf("%s: NumPy .npy, float32 little-endian, C order, shape %s (%lld values)\n", path, shape,
           (long long)n);
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, (long)off, SEEK_SET) != 0) {
        if (f) fclose(f);
        return si_cli_usage_error("info", "%s: cannot read the data", path);
    }
    enum { CHUNK = 1 << 16 };
    static float buf[CHUNK];
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    int64_t bad = 0, first_bad = -1, done = 0;
    while (done < n) {
        size_t want = n - done < CHUNK ? (size_t)(n - done) : CHUNK;
        if (fread(buf, sizeof(float), want, f) != want) break;
        for (size_t i = 0; i < want; i++) {
            if (!isfinite(buf[i])) {
                if (first_bad < 0) first_bad = done + (int64_t)i;
                bad++;
                continue;
            }
            lo = fmin(lo, buf[i]), hi = fmax(hi, buf[i]), sum += buf[i];
        }
        done += (int64_t)want;
    }
    fclose(f);
    if (done < n) return si_cli_usage_error("info", "%s: short read", path);
    if (n > bad) printf("  min %g, max %g, mean %g\n", lo, hi, sum / (double)(n - bad));
    if (bad)
        printf("  %lld non-finite values (NaN/Inf), the first at flat index %lld\n", (long long)bad,
               (long long)first_bad);
    const char *what = h.ndim == 2                      ? "a velocity model [H, W]"
                       : h.ndim == 3                    ? "a survey [S, T, R]"
                       : h.ndim == 4 && h.shape[1] == 1 ? "velocity models [n, 1, H, W]"
                       : h.ndim == 4                    ? "a shard [n, S, T, R]"
                                                        : NULL;
    if (what) printf("  as seisinv reads it: %s\n", what);
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of the positive steps v[i+1] - v[i] picked by the caller. */
static double median(double *v, int n) {
    if (n <= 0) return 0;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static int info_segy(const char *path) {
    si_segy s;
    si_err st = si_segy_read(path, 0, &s);
    if (st) return si_cli_report("info", st);
    printf("%s: SEG-Y rev %d.%d, %s (format %d), %s-endian\n", path, s.revision, s.minor,
           si_segy_format_name(s.format), s.format, s.lsb ? "little" : "big");
    if (s.depth) { /* a velocity model: its range, not a survey's geometry */
        si_segy_free(&s);
        if ((st = si_segy_read(path, 1, &s))) return si_cli_report("info", st);
        float lo = s.data[0], hi = s.data[0];
        for (int64_t i = 0; i < s.ntraces * s.ns; i++)
            lo = fminf(lo, s.data[i]), hi = fmaxf(hi, s.data[i]);
        printf("  depth section (seisinv velocity): %lld traces (columns) of %d samples, dz %g m\n"
               "  velocity %g to %g m/s\n",
               (long long)s.ntraces, s.ns, s.dt, lo, hi);
        si_segy_free(&s);
        return 0;
    }
    if (s.dt > 0)
        printf("  %lld traces of %d samples, sample interval %g ms (%g s recorded)\n",
               (long long)s.ntraces, s.ns, s.dt * 1e3, s.ns * s.dt);
    else
        printf("  %lld traces of %d samples, sample interval unknown (0 in the headers)\n",
               (long long)s.ntraces, s.ns);
    int lo = 1 << 30, hi = 0;
    double *steps = malloc((size_t)(s.ntraces + s.nshots + 1) * sizeof *steps);
    int nsteps = 0;
    for (int k = 0; k < s.nshots; k++) {
        const si_segy_shot *sh = &s.shots[k];
        lo = sh->count < lo ? sh->count : lo, hi = sh->count > hi ? sh->count : hi;
        for (int j = 1; steps && j < sh->count; j++) {
            double d = s.traces[sh->first + j].u_rec - s.traces[sh->first + j - 1].u_rec;
            if (d > 1e-6) steps[nsteps++] = d;
        }
    }
    const double rec_step = steps ? median(steps, nsteps) : 0;
    nsteps = 0;
    for (int k = 1; steps && k < s.nshots; k++)
        if (s.shots[k].u - s.shots[k - 1].u > 1e-6)
            steps[nsteps++] = s.shots[k].u - s.shots[k - 1].u;
    const double shot_step = steps ? median(steps, nsteps) : 0;
    free(steps);
    printf("  %d shots (%s), %d to %d receivers per shot (ordered by %s)\n", s.nshots,
           s.shot_key == SI_SEGY_BY_POSITION ? "by source position" : "by FieldRecord", lo, hi,
           s.rec_key == SI_SEGY_BY_POSITION ? "group position"
           : s.rec_key == SI_SEGY_BY_OFFSET ? "offset"
                                            : "file order");
    if (s.shot_key == SI_SEGY_BY_POSITION)
        printf("  shot spacing %g m (median), sources from %g to %g m along the line\n", shot_step,
               s.shots[0].u, s.shots[s.nshots - 1].u);
    if (s.rec_key != SI_SEGY_BY_ORDER)
        printf("  receiver spacing %g m (median within a shot)\n", rec_step);
    double olo = INFINITY, ohi = -INFINITY;
    for (int64_t i = 0; i < s.ntraces; i++)
        olo = fmin(olo, s.traces[i].offset), ohi = fmax(ohi, s.traces[i].offset);
    printf("  offsets %g to %g m; line direction (%.4g, %.4g), %g m across it\n", olo, ohi,
           s.line[0], s.line[1], s.crossline);
    for (const char *p = s.notes; *p;) {
        size_t len = strcspn(p, "\n");
        printf("  note: %.*s\n", (int)len, p);
        p += len + (p[len] == '\n');
    }
    int shown = 0; /* the text header's first non-blank lines */
    for (int i = 0; i < 40 && shown < 4; i++) {
        const char *line = s.text + 80 * i;
        int len = 80;
        while (len > 0 && line[len - 1] == ' ')
            len--;
        if (len > 4) printf("  text: %.*s\n", len, line), shown++;
    }
    si_segy_free(&s);
    return 0;
}

static int trainable(const char *name) {
    static const char *stats[] = {".running_mean", ".running_var", ".num_batches_tracked"};
    for (size_t i = 0; i < sizeof stats / sizeof *stats; i++)
        if (si_cli_has_ext(name, stats[i])) return 0;
    return 1;
}

static int info_weights(const char *path) {
    si_st_file *f;
    si_err st = si_st_open(path, &f);
    if (st) return si_cli_report("info", st);
    const size_t n = si_st_count(f);
    int64_t values = 0, params = 0, bytes = 0;
    int per_dtype[SI_ST_DTYPE_COUNT] = {0};
    for (size_t i = 0; i < n; i++) {
        const si_st_tensor *t = si_st_at(f, i);
        values += t->numel, bytes += (int64_t)t->nbytes;
        if (trainable(t->name)) params += t->numel;
        per_dtype[t->dtype]++;
    }
    printf("%s: safetensors, %zu tensors, %lld values (%.1f MB of data)\n", path, n,
           (long long)values, bytes / 1e6);
    printf("  dtypes:");
    for (int d = 0; d < SI_ST_DTYPE_COUNT; d++)
        if (per_dtype[d]) printf(" %s %d", si_st_dtype_name((si_st_dtype)d), per_dtype[d]);
    printf("\n  parameters %lld (BatchNorm running statistics not counted)\n", (long long)params);
    static const char *config[] = {"arch", "S",     "R",     "T",          "H",
                                   "W",    "v_min", "v_max", "seis_scale", "seis_log1p"};
    static const char *paper[] = {"seisinvnet", "20",   "32",   "1000", "100",
                                  "100",        "1500", "4000", "1",    "0"};
    printf("  config:");
    for (size_t i = 0; i < sizeof config / sizeof *config; i++) {
        char key[64];
        snprintf(key, sizeof key, "seisinv.%s", config[i]);
        const char *v = si_st_meta(f, key);
        printf(" %s=%s%s", config[i], v ? v : paper[i], v ? "" : "(default)");
    }
    printf("\n");
    for (size_t i = 0; i < si_st_meta_count(f); i++) {
        const char *k, *v;
        si_st_meta_at(f, i, &k, &v);
        int known = 0;
        for (size_t c = 0; c < sizeof config / sizeof *config && !known; c++)
            known = strncmp(k, "seisinv.", 8) == 0 && strcmp(k + 8, config[c]) == 0;
        if (!known) printf("  %s: %s\n", k, v);
    }
    si_st_close(f);
    return 0;
}

static int info_png(const char *path) {
    unsigned char h[24];
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(h, 1, sizeof h, f) : 0;
    if (f) fclose(f);
    if (got < sizeof h) return si_cli_usage_error("info", "%s: truncated PNG", path);
    printf("%s: PNG image, %u x %u pixels\n", path,
           (unsigned)h[16] << 24 | (unsigned)h[17] << 16 | (unsigned)h[18] << 8 | h[19],
           (unsigned)h[20] << 24 | (unsigned)h[21] << 16 | (unsigned)h[22] << 8 | h[23]);
    return 0;
}

int cmd_info(int argc, char **argv) {
    if (argc < 2) return si_cli_usage_error("info", "a FILE is required (see --help)");
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, stdout);
        return SI_EXIT_OK;
    }
    int rc = 0;
    for (int i = 1; i < argc; i++) {
        int r;
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            r = si_cli_usage_error("info", "cannot open %s", argv[i]);
        } else {
            fclose(f);
            switch (si_cli_file_kind(argv[i])) {
            case SI_FILE_NPY:
                r = info_npy(argv[i]);
                break;
            case SI_FILE_SEGY:
                r = info_segy(argv[i]);
                break;
            case SI_FILE_SAFETENSORS:
                r = info_weights(argv[i]);
                break;
            case SI_FILE_PNG:
                r = info_png(argv[i]);
                break;
            default:
                r = si_cli_usage_error("info", "%s: not a .npy, SEG-Y, safetensors or PNG file",
                                       argv[i]);
            }
        }
        if (r && !rc) rc = r;
    }
    return rc;
}
