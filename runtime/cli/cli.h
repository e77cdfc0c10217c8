/* Shared pieces of the command-line program: the subcommands, argument
 * parsing helpers, error reporting and the progress bar. Only the CLI prints
 * and chooses exit codes. */
#ifndef SI_CLI_H
#define SI_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "seisinv/error.h"

/* Exit codes: 0 success, 1 internal failure (out of memory), 2 bad input or
 * usage (the message says what), 130 interrupted. */
enum { SI_EXIT_OK = 0, SI_EXIT_FAIL = 1, SI_EXIT_BADINPUT = 2, SI_EXIT_INTERRUPTED = 130 };

int cmd_simulate(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_dataset(int argc, char **argv);
int cmd_invert(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_grad(int argc, char **argv);

/* Prints "seisinv <cmd>: <message>" for the last library error and returns
 * the exit code that status maps to. */
int si_cli_report(const char *cmd, si_err st);

/* Prints "seisinv <cmd>: <printf message>" and returns SI_EXIT_BADINPUT. */
int si_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict number parsing: the whole string must be a number in range.
 * Return 0 on success, -1 with nothing written on failure. */
int si_parse_int(const char *s, long lo, long hi, long *out);
int si_parse_u64(const char *s, uint64_t *out);
int si_parse_float(const char *s, double lo, double hi, double *out);

/* Parses "a,b,c" or "start:stop:step" (stop exclusive, Python style) or a
 * single integer into out[0..cap). Returns the count, or -1 if malformed or
 * longer than cap. */
int si_parse_int_list(const char *s, int *out, int cap);

/* Installs SIGINT/SIGTERM handlers that set the returned flag (long jobs
 * check it between work units, save and exit). */
volatile int *si_cli_interrupt_flag(void);

/* Progress bar for long jobs: on a terminal, one line redrawn at most 10
 * times a second with count, rate and ETA; when stderr is not a terminal,
 * silent except one summary line at the end. */
typedef struct si_progress {
    const char *label;
    int64_t total, done, start_done;
    double t_start, t_last_draw;
    int tty;
    char extra[96];
} si_progress;
void si_progress_start(si_progress *p, const char *label, int64_t total, int64_t already_done);
void si_progress_update(si_progress *p, int64_t done);
void si_progress_finish(si_progress *p);
double si_now_seconds(void);

#endif
