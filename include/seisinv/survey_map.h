/* seisinv — fitting a recorded survey (SEG-Y, seisinv/segy.h) to the
 * geometry a model expects: S shots and R receivers at given positions along
 * the line, T samples at a given dt. Knows positions and time, not networks.
 *
 * Shots and receivers are selected by position, the nearest within a
 * tolerance; time is resampled band-limited (windowed sinc, with the cut-off
 * lowered to the new Nyquist when decimating) and padded with zeros or cut to
 * T. What was done is returned as a human-readable report. A survey that
 * does not fit (fewer shots than the model, a shot or receiver farther than
 * the tolerance from where the model wants it, an unknown sample interval,
 * coordinates in degrees) is refused with a message saying why, unless
 * `force` is set: then the nearest traces are used whatever the distance and
 * the report says so. */
#ifndef SEISINV_SURVEY_MAP_H
#define SEISINV_SURVEY_MAP_H

#include "seisinv/error.h"
#include "seisinv/segy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct si_survey_target {
    int S, R, T;
    double dt;           /* seconds per sample the model expects */
    const double *src_x; /* [S] source positions along the line, metres, model frame */
    const double *rec_x; /* [R] receiver positions, metres, model frame */
    double x0;           /* survey coordinate (along the line) of model x = 0; NAN: the
                            smallest source or receiver coordinate of the survey */
    double tol;          /* position tolerance in metres (> 0) */
    int force;           /* use the nearest traces even when the survey does not fit */
} si_survey_target;

/* Fills out [S, R, T] (T contiguous: SI_LAYOUT_SRT) from the survey (read
 * with data). *report (may be NULL) receives a malloc'ed text, a few lines
 * ending in '\n', also when the survey is refused; the caller frees it. */
si_err si_survey_map(const si_segy *sv, const si_survey_target *tg, float *out, char **report);

/* Band-limited resampling of one trace: in[k] is the signal at
 * t_in0 + k·dt_in (zero outside the record), out[j] receives it at j·dt_out.
 * Kaiser-windowed sinc (16 zero crossings a side); the cut-off is the lower
 * of the two Nyquist frequencies (× 0.95 when decimating, an anti-alias
 * low-pass). Samples that fall on input samples with equal dt are copied. */
void si_resample(const float *in, int nin, double dt_in, double t_in0, float *out, int nout,
                 double dt_out);

#ifdef __cplusplus
}
#endif
#endif
