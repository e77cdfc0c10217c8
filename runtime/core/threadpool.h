/* A small persistent thread pool: threads are started once (at model load)
 * and parked on a condition variable between jobs, so running a job neither
 * allocates nor creates threads. The calling thread takes part 0. */
#ifndef SI_THREADPOOL_H
#define SI_THREADPOOL_H

#include "seisinv/error.h"

typedef struct si_pool si_pool;

/* Job body: part `part` of `parts` (parts = the pool's thread count). */
typedef void (*si_pool_fn)(void *ctx, int part, int parts);

/* threads >= 1 (1: no worker threads, jobs run on the caller). */
si_err si_pool_create(si_pool **pool, int threads);

/* Runs fn(ctx, i, n) for i = 0..n-1 at once, i = 0 on the caller; returns
 * when all parts are done. Not reentrant: one job at a time per pool. */
void si_pool_run(si_pool *pool, si_pool_fn fn, void *ctx);

int si_pool_threads(const si_pool *pool);

void si_pool_free(si_pool *pool);

#endif
