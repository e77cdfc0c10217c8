/* The field workflow in the CLI: what kind a file is, SEG-Y surveys mapped
 * onto a model's geometry (invert), shot records and velocity models
 * written by the output's extension (simulate, invert). */
#ifndef SI_CLI_SEGY_H
#define SI_CLI_SEGY_H

#include "seisinv/error.h"
#include "seisinv/sim.h"

typedef enum si_file_kind {
    SI_FILE_UNKNOWN,
    SI_FILE_NPY,
    SI_FILE_SEGY,
    SI_FILE_SAFETENSORS,
    SI_FILE_PNG,
} si_file_kind;

/* By magic bytes (.npy, PNG, safetensors), else the extension (.sgy,
 * .segy), else the SEG-Y text header's first byte and format code.
 * SI_FILE_UNKNOWN also when the file cannot be read. */
si_file_kind si_cli_file_kind(const char *path);

/* 1 when path ends in `ext` (".sgy"), any case. */
int si_cli_has_ext(const char *path, const char *ext);

/* 1 for .sgy / .segy names. */
int si_cli_segy_name(const char *path);

/* The geometry a model expects, from the command line. */
typedef struct si_cli_geom {
    double dx;  /* grid spacing, metres */
    double dt;  /* sample interval, seconds */
    double x0;  /* NAN: automatic */
    double tol; /* 0: dx / 2 */
    int force;
    const char *src_x, *rec_x; /* grid columns ('a,b,c' or 'start:stop:step'), NULL: defaults */
} si_cli_geom;

/* Reads a SEG-Y survey and maps it into srt [S, R, T] (T contiguous) for a
 * model W columns wide: sources at round(linspace(2, W-3, S)), receivers at
 * round(linspace(0, W-1, R)) unless given. Prints the mapping report on
 * stdout. Returns 0, or the exit code after printing the problem. */
int si_cli_segy_survey(const char *cmd, const char *path, int S, int R, int T, int W,
                       const si_cli_geom *g, float *srt);

/* Writes a velocity model [H, W] by the path's extension: .sgy/.segy a
 * depth section, .png a picture with the colour range [vmin, vmax], else .npy. */
si_err si_cli_write_velocity(const char *path, const float *vel, int H, int W, double dx,
                             double vmin, double vmax);

/* Writes shot records [nsrc, nt, nrec] from a simulation as SEG-Y (rev 1,
 * IEEE): one trace per (shot, receiver), FieldRecord = shot + 1,
 * TraceNumber = receiver + 1, positions and depths in metres from cfg.
 * Returns 0, or the exit code after printing the problem. */
int si_cli_write_shots_segy(const char *cmd, const char *path, const si_sim_config *cfg,
                            const float *shots);

#endif
