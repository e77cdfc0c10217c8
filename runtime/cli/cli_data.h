/* Helpers shared by `simulate`, `model` and `dataset`: simulator flags,
 * model types, output path checks. */
#ifndef SI_CLI_DATA_H
#define SI_CLI_DATA_H

#include <getopt.h>

#include "seisinv/sim.h"

/* getopt_long codes of the simulator flags (above the ASCII range). */
enum {
    OPT_DX = 256,
    OPT_DT,
    OPT_NT,
    OPT_F0,
    OPT_ORDER,
    OPT_PML,
    OPT_FREE_SURFACE,
    OPT_SRC_X,
    OPT_SRC_Z,
    OPT_REC_X,
    OPT_REC_Z,
    OPT_THREADS,
    OPT_SHOTS,
    OPT_RECEIVERS,
    OPT_NZ,
    OPT_NX,
    OPT_FIRST_FREE /* first code a command may use for its own flags */
};

#define SI_SIM_LONG_OPTIONS                                                                        \
    {"dx", required_argument, 0, OPT_DX}, {"dt", required_argument, 0, OPT_DT},                    \
        {"nt", required_argument, 0, OPT_NT}, {"f0", required_argument, 0, OPT_F0},                \
        {"order", required_argument, 0, OPT_ORDER}, {"pml", required_argument, 0, OPT_PML},        \
        {"free-surface", no_argument, 0, OPT_FREE_SURFACE}, {                                      \
        "threads", required_argument, 0, OPT_THREADS                                               \
    }

/* Simulator flags as given; applied once the grid size is known (defaults
 * such as the source columns depend on it). NULL = not given. */
typedef struct si_sim_flags {
    const char *dx, *dt, *nt, *f0, *order, *pml, *src_x, *src_z, *rec_x, *rec_z, *threads, *shots,
        *receivers;
    int free_surface;
} si_sim_flags;

/* Stores a simulator flag; returns 1 if `opt` was one, else 0. */
int si_sim_flags_store(si_sim_flags *f, int opt, const char *arg);

/* Overrides cfg (already defaulted for its grid) with the given flags.
 * Prints the problem and returns SI_EXIT_BADINPUT, or 0. */
int si_sim_flags_apply(const char *cmd, const si_sim_flags *f, si_sim_config *cfg);

/* Prints the "points per wavelength below 4" warning when it applies. */
void si_warn_dispersion(const char *cmd, const si_sim_config *cfg, double ppw);

/* Model type "1".."4" or "I".."IV" (any case); -1 if neither. */
int si_parse_model_type(const char *s);

/* Fails (message, SI_EXIT_BADINPUT) unless `path` can be created: not a
 * folder, and its folder exists and is writable. Checked before any work so
 * a bad second output never leaves the first one written. */
int si_check_output_path(const char *cmd, const char *flag, const char *path);

/* Reports getopt_long's '?' / ':' with the offending option named. */
int si_cli_bad_option(const char *cmd, int c, char **argv);

#endif
