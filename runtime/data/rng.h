/* Counter-based random numbers for reproducible datasets: a stream is a pure
 * function of its key (e.g. hash of seed and sample index), so sample i never
 * depends on how many samples were drawn before it. No global state. */
#ifndef SI_DATA_RNG_H
#define SI_DATA_RNG_H

#include <stdint.h>

/* splitmix64 finaliser: a bijective 64-bit mix. */
static inline uint64_t si_mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Combines two keys; asymmetric so (a, b) and (b, a) give different streams. */
static inline uint64_t si_hash2(uint64_t a, uint64_t b) {
    return si_mix64(si_mix64(a ^ 0x6a09e667f3bcc909ULL) + b * 0x9e3779b97f4a7c15ULL + 1);
}

typedef struct si_rng {
    uint64_t state;
} si_rng;

static inline void si_rng_init(si_rng *r, uint64_t key) {
    r->state = key;
}

/* splitmix64 step. */
static inline uint64_t si_rng_u64(si_rng *r) {
    r->state += 0x9e3779b97f4a7c15ULL;
    return si_mix64(r->state);
}

/* Uniform double in [0, 1) with 53 random bits. */
static inline double si_rng_uniform(si_rng *r) {
    return (double)(si_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* Uniform double in [lo, hi). */
static inline double si_rng_range(si_rng *r, double lo, double hi) {
    return lo + (hi - lo) * si_rng_uniform(r);
}

#endif
