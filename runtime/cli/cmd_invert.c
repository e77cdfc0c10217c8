/* seisinv invert — SeisInvNet inference: one survey [S, T, R] (.npy, or a
 * SEG-Y file mapped onto the model's geometry) to a velocity model [H, W]
 * (.npy, SEG-Y depth section or PNG), or a dataset shard [n, S, T, R] to
 * [n, 1, H, W] (m/s). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_data.h"
#include "cli_metrics.h"
#include "cli_segy.h"
#include "seisinv/model.h"
#include "seisinv/npy.h"
#include "seisinv/png.h"

static const char usage[] =
    "usage: seisinv invert --weights W.safetensors SHOTS.npy|SHOTS.sgy -o VEL.npy [options]\n"
    "\n"
    "Runs SeisInvNet (SPEC 1) on one survey, SHOTS.npy [S, T, R] float32, and\n"
    "writes the velocity model [H, W] in m/s; or on a dataset shard\n"
    "data_K.npy [n, S, T, R] (OpenFWI layout), writing [n, 1, H, W].\n"
    "S, R, T, H, W and the normalisation come from the weights' metadata.\n"
    "\n"
    "A SEG-Y survey (.sgy/.segy, or found by its headers) is mapped onto the\n"
    "model's geometry first: the shots nearest to columns round(linspace(2,\n"
    "W-3, S)) and the receivers nearest to round(linspace(0, W-1, R)), times dx,\n"
    "within a tolerance; time resampled to --dt and padded or cut to T. The\n"
    "report of what was done is printed; a survey that does not fit is refused.\n"
    "\n"
    "  -w, --weights FILE  model weights (.safetensors)\n"
    "  -o, --output FILE   velocity model(s): .npy float32 m/s; for one survey\n"
    "                      also .sgy/.segy (depth section: a trace per column,\n"
    "                      dz in mm in the sample interval) or .png\n"
    "      --png FILE      also draw the model (the first one of a shard)\n"
    "      --dx M          grid spacing of the model in metres (default 10)\n"
    "      --srt           the input is [S, R, T] ([n, S, R, T]): T contiguous\n"
    "      --truth V.npy   the true model(s) in m/s ([H, W], or [n, 1, H, W] for a\n"
    "                      shard): print MAE, MSE, RMSE, PSNR, SSIM, MS-SSIM (on\n"
    "                      velocity normalised to [0, 1]) and MAE, RMSE in m/s\n"
    "  -j, --threads N     threads (default: one per CPU)\n"
    "  -h, --help          this text\n"
    "SEG-Y input:\n"
    "      --dt S          the model's sample interval (default 0.001)\n"
    "      --src-x LIST    the model's source columns (default above)\n"
    "      --rec-x LIST    the model's receiver columns (default above)\n"
    "      --x0 M          survey coordinate along the line of column 0\n"
    "                      (default: the first source or receiver)\n"
    "      --tol M         position tolerance (default dx / 2)\n"
    "      --force         map a survey that does not fit: nearest traces\n"
    "\n"
    "Exit codes: 0 done, 2 bad input (nothing written), 130 interrupted.\n";

enum { OPT_PNG = OPT_FIRST_FREE, OPT_SRT, OPT_DX2, OPT_FORCE, OPT_X0, OPT_TOL, OPT_TRUTH };

static const struct option options[] = {{"weights", required_argument, 0, 'w'},
                                        {"output", required_argument, 0, 'o'},
                                        {"png", required_argument, 0, OPT_PNG},
                                        {"dx", required_argument, 0, OPT_DX2},
                                        {"srt", no_argument, 0, OPT_SRT},
                                        {"truth", required_argument, 0, OPT_TRUTH},
                                        {"threads", required_argument, 0, 'j'},
                                        {"help", no_argument, 0, 'h'},
                                        {"force", no_argument, 0, OPT_FORCE},
                                        {"dt", required_argument, 0, OPT_DT},
                                        {"x0", required_argument, 0, OPT_X0},
                                        {"tol", required_argument, 0, OPT_TOL},
                                        {"src-x", required_argument, 0, OPT_SRC_X},
                                        {"rec-x", required_argument, 0, OPT_REC_X},
                                        {0, 0, 0, 0}};

typedef struct args {
    const char *weights, *in, *out, *png, *truth;
    si_array truth_v; /* --truth, read and checked before inference */
    int srt;
    long threads;
    si_cli_geom geom; /* SEG-Y input; geom.dx is also the pictures' grid spacing */
} args;

static int parse(int argc, char **argv, args *a) {
    int c;
    optind = 1, opterr = 0;
    while ((c = getopt_long(argc, argv, ":w:o:j:h", options, NULL)) != -1) {
        switch (c) {
        case 'w':
            a->weights = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case OPT_PNG:
            a->png = optarg;
            break;
        case OPT_SRT:
            a->srt = 1;
            break;
        case OPT_TRUTH:
            a->truth = optarg;
            break;
        case 'j':
            if (si_parse_int(optarg, 1, 1024, &a->threads))
                return si_cli_usage_error("invert", "--threads '%s': need an integer in [1, 1024]",
                                          optarg);
            break;
        case OPT_DX2:
            if (si_parse_float(optarg, 0, 1e5, &a->geom.dx) || a->geom.dx <= 0)
                return si_cli_usage_error("invert", "--dx '%s': need a number in (0, 1e5]", optarg);
            break;
        case OPT_DT:
            if (si_parse_float(optarg, 0, 10, &a->geom.dt) || a->geom.dt <= 0)
                return si_cli_usage_error("invert", "--dt '%s': need seconds in (0, 10]", optarg);
            break;
        case OPT_TOL:
            if (si_parse_float(optarg, 0, 1e6, &a->geom.tol) || a->geom.tol <= 0)
                return si_cli_usage_error("invert", "--tol '%s': need metres in (0, 1e6]", optarg);
            break;
        case OPT_X0:
            if (si_parse_float(optarg, -1e9, 1e9, &a->geom.x0))
                return si_cli_usage_error("invert", "--x0 '%s': need metres in [-1e9, 1e9]",
                                          optarg);
            break;
        case OPT_FORCE:
            a->geom.force = 1;
            break;
        case OPT_SRC_X:
            a->geom.src_x = optarg;
            break;
        case OPT_REC_X:
            a->geom.rec_x = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return si_cli_bad_option("invert", c, argv);
        }
    }
    if (optind < argc) a->in = argv[optind++];
    if (optind < argc)
        return si_cli_usage_error("invert", "unexpected argument '%s' (see --help)", argv[optind]);
    if (!a->weights)
        return si_cli_usage_error("invert", "--weights W.safetensors is required (see --help)");
    if (!a->in)
        return si_cli_usage_error("invert",
                                  "the input SHOTS.npy or SHOTS.sgy is required (see --help)");
    if (!a->out) return si_cli_usage_error("invert", "-o VEL.npy is required (see --help)");
    int rc = si_check_output_path("invert", "-o", a->out);
    if (!rc && a->png) rc = si_check_output_path("invert", "--png", a->png);
    return rc;
}

static void shape_str(char *buf, size_t cap, int ndim, const int64_t *shape) {
    size_t k = (size_t)snprintf(buf, cap, "[");
    for (int i = 0; i < ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, "%s%lld", i ? ", " : "", (long long)shape[i]);
    if (k < cap) snprintf(buf + k, cap - k, "]");
}

/* The input's shape against the model: one survey or a shard of them.
 * Returns the number of surveys, or -1 after printing the problem. */
static long long check_shape(const args *a, const si_model_info *m, const si_array *h) {
    const int64_t want[3] = {m->S, a->srt ? m->R : m->T, a->srt ? m->T : m->R};
    const int lead = h->ndim - 3;
    int ok = (lead == 0 || lead == 1) && (lead == 0 || h->shape[0] >= 1);
    for (int i = 0; ok && i < 3; i++)
        ok = h->shape[lead + i] == want[i];
    if (ok) return lead ? h->shape[0] : 1;
    char got[128];
    shape_str(got, sizeof got, h->ndim, h->shape);
    si_cli_usage_error("invert",
                       "%s: shape %s does not fit the model: need [S, %s] = [%d, %d, %d] or a "
                       "shard [n, S, %s]%s",
                       a->in, got, a->srt ? "R, T" : "T, R", m->S, (int)want[1], (int)want[2],
                       a->srt ? "R, T" : "T, R",
                       a->srt ? "" : " (--srt for T-contiguous [S, R, T] input)");
    const int64_t r = h->ndim >= 3 ? h->shape[h->ndim - (a->srt ? 2 : 1)] : 0;
    if (r != m->R && r > m->R)
        fprintf(stderr,
                "seisinv invert: the survey has %lld receivers, the model takes %d: record "
                "those with `seisinv simulate --receivers %d`, or give SEG-Y (mapped by "
                "position)\n",
                (long long)r, m->R, m->R);
    return -1;
}

/* --png: the first model drawn with the model's velocity range. */
static si_err draw(const args *a, const si_model_info *m, const float *vel) {
    if (!a->png) return SI_OK;
    return si_png_write_velocity(a->png, vel, m->H, m->W, (float)a->geom.dx, (float)m->v_min,
                                 (float)m->v_max);
}

/* --truth: the true model(s) for n predictions, checked before any work. */
static int truth_read(args *a, const si_model_info *m, long long n) {
    if (!a->truth) return 0;
    return si_cli_truth_read("invert", a->truth, n, m->H, m->W, &a->truth_v);
}

/* --truth: an accumulator for the metrics (NULL without --truth). */
static si_err truth_acc(const args *a, const si_model_info *m, si_metrics_acc **acc) {
    *acc = NULL;
    return a->truth ? si_metrics_acc_new(acc, m->H, m->W, m->v_min, m->v_max) : SI_OK;
}

/* --truth: metrics of prediction i against true model i. */
static si_err truth_add(const args *a, si_metrics_acc *acc, const float *vel, long long i) {
    if (!acc) return SI_OK;
    const size_t per = (size_t)a->truth_v.shape[a->truth_v.ndim - 2] *
                       (size_t)a->truth_v.shape[a->truth_v.ndim - 1];
    return si_metrics_acc_add(acc, vel, a->truth_v.data + (size_t)i * per, NULL);
}

/* Prints the metrics and frees the accumulator. */
static void truth_print(const args *a, si_metrics_acc *acc) {
    if (!acc) return;
    const si_metrics m = si_metrics_acc_mean(acc);
    const long long n = si_metrics_acc_count(acc);
    if (n > 1)
        printf("mean metrics of %lld models against %s:\n", n, a->truth);
    else
        printf("metrics against %s:\n", a->truth);
    si_cli_print_metrics(stdout, "", &m);
    si_metrics_acc_free(acc);
}

/* The survey is read straight into the model's own buffer (no copy of it
 * held here: SPEC's memory target counts every MB). The header was checked
 * against the file size already. */
static int run_single(const args *a, si_model *model, const si_model_info *m, int64_t offset) {
    const size_t n = (size_t)m->S * m->R * m->T;
    float *x = si_model_survey_buffer(model);
    errno = 0;
    FILE *fp = fopen(a->in, "rb");
    const int ok =
        fp && fseek(fp, (long)offset, SEEK_SET) == 0 && fread(x, sizeof(float), n, fp) == n;
    const int err = errno;
    if (fp) fclose(fp);
    if (!ok)
        return si_cli_usage_error("invert", "%s: cannot read: %s", a->in,
                                  err ? strerror(err) : "short read");
    float *vel = malloc((size_t)m->H * m->W * sizeof(float));
    if (!vel) {
        fprintf(stderr, "seisinv invert: out of memory\n");
        return SI_EXIT_FAIL;
    }
    si_err st = si_infer(model, x, a->srt ? SI_LAYOUT_SRT : SI_LAYOUT_STR, vel);
    if (st == SI_EDATA) {
        free(vel);
        return si_cli_usage_error("invert", "%s: %s", a->in, si_last_error());
    }
    si_metrics_acc *acc = NULL;
    if (!st) st = truth_acc(a, m, &acc);
    if (!st) st = truth_add(a, acc, vel, 0);
    if (!st) st = draw(a, m, vel);
    if (!st) st = si_cli_write_velocity(a->out, vel, m->H, m->W, a->geom.dx, m->v_min, m->v_max);
    free(vel);
    if (st) {
        si_metrics_acc_free(acc);
        return si_cli_report("invert", st);
    }
    printf("wrote %s [%d, %d] m/s\n", a->out, m->H, m->W);
    truth_print(a, acc);
    return SI_EXIT_OK;
}

/* A shard, one survey at a time: reading, inference and writing stream, so
 * a shard larger than memory works; the output appears only when complete. */
static int run_batch(const args *a, si_model *model, const si_model_info *m, long long n,
                     int64_t offset) {
    const size_t per = (size_t)m->S * m->R * m->T, out_per = (size_t)m->H * m->W;
    float *x = si_model_survey_buffer(model), *vel = malloc(2 * out_per * sizeof(float));
    float *first = vel + out_per; /* kept for --png */
    FILE *fp = fopen(a->in, "rb");
    const int64_t shape[4] = {n, 1, m->H, m->W};
    si_npy_writer *w = NULL;
    si_metrics_acc *acc = NULL;
    si_err st = truth_acc(a, m, &acc);
    int rc = SI_EXIT_OK;
    if (!vel) {
        fprintf(stderr, "seisinv invert: out of memory\n");
        rc = SI_EXIT_FAIL;
        goto done;
    }
    if (st) goto done;
    if (!fp || fseek(fp, (long)offset, SEEK_SET) != 0) {
        rc = si_cli_usage_error("invert", "%s: cannot read: %s", a->in, strerror(errno));
        goto done;
    }
    if ((st = si_npy_writer_open(&w, a->out, 4, shape))) goto done;
    volatile int *stop = si_cli_interrupt_flag();
    si_progress bar;
    si_progress_start(&bar, "invert", n, 0);
    for (long long i = 0; i < n && !st; i++) {
        if (*stop) {
            si_progress_finish(&bar);
            fprintf(stderr,
                    "seisinv invert: interrupted after %lld of %lld surveys; nothing "
                    "written\n",
                    i, n);
            rc = SI_EXIT_INTERRUPTED;
            goto done;
        }
        if (fread(x, sizeof(float), per, fp) != per) {
            rc = si_cli_usage_error("invert", "%s: short read at survey %lld", a->in, i);
            goto done;
        }
        st = si_infer(model, x, a->srt ? SI_LAYOUT_SRT : SI_LAYOUT_STR, vel);
        if (st) {
            rc = si_cli_usage_error("invert", "%s: survey %lld: %s", a->in, i, si_last_error());
            st = SI_OK;
            goto done;
        }
        if (i == 0) memcpy(first, vel, out_per * sizeof(float));
        st = truth_add(a, acc, vel, i);
        if (!st) st = si_npy_writer_append(w, vel, out_per);
        si_progress_update(&bar, i + 1);
    }
    si_progress_finish(&bar);
    if (!st) st = draw(a, m, first);
    if (!st) {
        st = si_npy_writer_commit(w);
        w = NULL;
    }
    if (!st) printf("wrote %s [%lld, 1, %d, %d] m/s\n", a->out, n, m->H, m->W);
    if (!st) truth_print(a, acc), acc = NULL;
done:
    si_metrics_acc_free(acc);
    if (st) rc = si_cli_report("invert", st);
    if (w) si_npy_writer_abort(w);
    if (fp) fclose(fp);
    free(vel);
    return rc;
}

/* A SEG-Y survey: mapped onto the model's geometry (report printed) straight
 * into the model's survey buffer, inferred, written by the -o extension. */
static int run_segy(args *a) {
    if (a->srt) return si_cli_usage_error("invert", "--srt is for .npy input; %s is SEG-Y", a->in);
    si_model *model;
    const si_model_options opt = {.threads = (int)a->threads};
    si_err st = si_model_load(&model, a->weights, &opt);
    if (st) return si_cli_report("invert", st);
    const si_model_info *m = si_model_config(model);
    float *x = si_model_survey_buffer(model), *vel = malloc((size_t)m->H * m->W * sizeof(float));
    int rc = vel ? si_cli_segy_survey("invert", a->in, m->S, m->R, m->T, m->W, &a->geom, x)
                 : SI_EXIT_FAIL;
    si_metrics_acc *acc = NULL;
    if (!rc) rc = truth_read(a, m, 1);
    if (!rc && (st = truth_acc(a, m, &acc))) rc = si_cli_report("invert", st);
    if (!vel) fprintf(stderr, "seisinv invert: out of memory\n");
    if (!rc) st = si_infer(model, x, SI_LAYOUT_SRT, vel);
    if (!rc && !st) st = truth_add(a, acc, vel, 0);
    if (!rc && !st) st = draw(a, m, vel);
    if (!rc && !st)
        st = si_cli_write_velocity(a->out, vel, m->H, m->W, a->geom.dx, m->v_min, m->v_max);
    if (!rc && st) rc = si_cli_report("invert", st);
    if (!rc) printf("wrote %s [%d, %d] m/s\n", a->out, m->H, m->W);
    if (!rc) truth_print(a, acc), acc = NULL;
    si_metrics_acc_free(acc);
    si_array_free(&a->truth_v);
    free(vel);
    si_model_free(model);
    return rc;
}

int cmd_invert(int argc, char **argv) {
    args a = {.geom = {.dx = 10, .dt = 1e-3, .x0 = NAN}};
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? SI_EXIT_OK : rc;
    if (si_cli_file_kind(a.in) == SI_FILE_SEGY) return run_segy(&a);
    si_array h;
    int64_t offset;
    si_err st = si_npy_read_header(a.in, &h, &offset);
    if (st) return si_cli_report("invert", st);
    si_model *model;
    const si_model_options opt = {.threads = (int)a.threads};
    if ((st = si_model_load(&model, a.weights, &opt))) return si_cli_report("invert", st);
    const si_model_info *m = si_model_config(model);
    const long long n = check_shape(&a, m, &h);
    rc = n < 0 ? SI_EXIT_BADINPUT : truth_read(&a, m, n);
    if (!rc && h.ndim == 4 && (si_cli_segy_name(a.out) || si_cli_has_ext(a.out, ".png")))
        rc = si_cli_usage_error("invert",
                                "-o %s: a shard's models [n, 1, H, W] are written as .npy", a.out);
    else if (!rc)
        rc = h.ndim == 3 ? run_single(&a, model, m, offset) : run_batch(&a, model, m, n, offset);
    si_model_free(model);
    si_array_free(&a.truth_v);
    return rc;
}
