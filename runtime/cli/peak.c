/* The micro-kernel peak: the kernel table the model uses (same ISA choice),
 * its tile repeated over panels that stay in L1, so the figure is what the
 * arithmetic can do on this core, the ceiling the network's GEMMs chase. */
#include <stdlib.h>

#include "cli.h"
#include "gemm/gemm.h"
#include "peak.h"

double si_cli_peak_gflops(const char **kernel) {
    const si_gemm_kernels *k = si_gemm_kernels_for(si_isa_active());
    enum { KC = 256 }; /* a KC×MR + KC×NR pair stays within 48 KB of L1 */
    const size_t mr = k->mr, nr = k->nr;
    float *a = malloc(sizeof(float) * KC * mr), *b = malloc(sizeof(float) * KC * nr);
    float *c = malloc(sizeof(float) * mr * nr);
    *kernel = k->name;
    double best = 0;
    if (a && b && c) {
        for (size_t i = 0; i < KC * mr; i++)
            a[i] = 1e-3f * (float)(i % 7);
        for (size_t i = 0; i < KC * nr; i++)
            b[i] = 1e-3f * (float)(i % 5);
        const si_gemm_tile_epi epi = {0};
        size_t reps = 256;
        for (int trial = 0, grown = 0; trial < 3 && grown < 10;) {
            const double t0 = si_now_seconds();
            for (size_t r = 0; r < reps; r++)
                k->ukernel(KC, a, b, c, nr, mr, nr, &epi);
            const double dt = si_now_seconds() - t0;
            if (dt < 0.05) { /* too short to time: more repetitions */
                reps *= 4, grown++;
                continue;
            }
            const double g = 2.0 * (double)(mr * nr * KC) * (double)reps / dt * 1e-9;
            if (g > best) best = g;
            trial++;
        }
    }
    free(a), free(b), free(c);
    return best;
}
