/* Band-limited resampling of a trace: a Kaiser-windowed sinc evaluated from
 * one table (the kernel in units of zero crossings does not depend on the
 * rates), linearly interpolated between its 512 points per zero crossing. */
#include <math.h>
#include <pthread.h>

#include "seisinv/survey_map.h"

#define NZ 16        /* zero crossings each side */
#define PER 512      /* table points per zero crossing */
#define BETA 8.0     /* Kaiser shape: side lobes near -80 dB */
#define ROLLOFF 0.95 /* cut-off below the new Nyquist when decimating */
#define PI 3.14159265358979323846

static double table[NZ * PER + 2];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static double bessel_i0(double x) {
    double sum = 1, term = 1, q = 0.25 * x * x;
    for (int k = 1; k < 200 && term > 1e-17 * sum; k++) {
        term *= q / ((double)k * k);
        sum += term;
    }
    return sum;
}

static void fill_table(void) {
    const double norm = bessel_i0(BETA);
    for (int i = 0; i <= NZ * PER; i++) {
        const double x = (double)i / PER, r = x / NZ;
        const double sinc = i == 0 ? 1.0 : sin(PI * x) / (PI * x);
        table[i] = (sinc * bessel_i0(BETA * sqrt(fmax(0.0, 1 - r * r))) / norm);
    }
    table[NZ * PER + 1] = 0;
}

/* Kernel at |x| zero crossings from its centre. */
static inline double kernel(double x) {
    if (x >= NZ) return 0;
    const double p = x * PER;
    const int i = (int)p;
    return table[i] + (p - i) * (table[i + 1] - table[i]);
}

void si_resample(const float *in, int nin, double dt_in, double t_in0, float *out, int nout,
                 double dt_out) {
    /* Same rate and a whole-sample shift: a copy, exact. */
    const double shift = t_in0 / dt_in;
    if (fabs(dt_in - dt_out) <= 1e-9 * dt_out && fabs(shift - rint(shift)) < 1e-6) {
        const long k0 = lrint(shift);
        for (int j = 0; j < nout; j++) {
            const long k = j - k0;
            out[j] = k >= 0 && k < nin ? in[k] : 0.0f;
        }
        return;
    }
    pthread_once(&table_once, fill_table);
    const double nyq = dt_out > dt_in ? ROLLOFF * 0.5 / dt_out : 0.5 / dt_in;
    const double zc = 2 * nyq;      /* zero crossings per second */
    const double gain = zc * dt_in; /* the kernel's sum over the input grid is 1 */
    const double half = NZ / zc;    /* seconds each side */
    for (int j = 0; j < nout; j++) {
        const double t = j * dt_out - t_in0; /* on the input's time axis */
        long lo = (long)ceil((t - half) / dt_in), hi = (long)floor((t + half) / dt_in);
        if (lo < 0) lo = 0;
        if (hi > nin - 1) hi = nin - 1;
        double acc = 0;
        for (long k = lo; k <= hi; k++)
            acc += in[k] * kernel(fabs(zc * (t - k * dt_in)));
        out[j] = (float)(gain * acc);
    }
}
