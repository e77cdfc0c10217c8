/* seisinv — SeisInv velocity-model generator (SPEC §3).
 *
 * Horizontally layered models with small random undulations along each
 * interface; each layer a constant velocity in [1500, 4000] m/s, increasing
 * with depth. Type I..IV = 2, 3, 4, 5 interfaces. Model i is a pure function
 * of (seed, i): the same call always yields the same model. */
#ifndef SEISINV_VELGEN_H
#define SEISINV_VELGEN_H

#include <stdint.h>

#include "seisinv/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SI_VEL_MIN 1500.0f
#define SI_VEL_MAX 4000.0f

/* Writes model (seed, index) of `type` (1..4) into vel [nz, nx], m/s. */
si_err si_velgen(int type, uint64_t seed, uint64_t index, int nz, int nx, float *vel);

/* Type of sample `index` in a dataset cycling over types [type_lo, type_hi]
 * (so a count divisible by the number of types has equal shares). */
int si_velgen_type_for_index(int type_lo, int type_hi, uint64_t index);

#ifdef __cplusplus
}
#endif
#endif
