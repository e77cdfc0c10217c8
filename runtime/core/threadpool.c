/* Persistent pool. A job is published by bumping an atomic generation
 * counter; the parts run; each finished worker decrements `pending`. Both
 * sides spin briefly before sleeping on a condition variable: the steps of
 * an inference follow each other within microseconds, and a wake-up through
 * the kernel costs tens of them. Workers never exit between jobs. */
#include "threadpool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "error_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield")
#else
#define cpu_relax() ((void)0)
#endif

/* Polls before sleeping: about 50-100 µs of pause instructions. */
enum { SPIN = 1000 };

struct si_pool {
    int threads;
    pthread_t *tid;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    atomic_ulong generation; /* bumped per job; workers run each once */
    atomic_int pending;      /* worker parts of the current job not finished */
    atomic_int quit;
    int sleepers; /* workers waiting on `go` (under mu) */
    si_pool_fn fn;
    void *ctx;
    struct worker {
        si_pool *pool;
        int part;
    } * workers;
};

static void *worker_main(void *arg) {
    struct worker *w = arg;
    si_pool *p = w->pool;
    unsigned long seen = 0;
    for (;;) {
        unsigned long g = atomic_load_explicit(&p->generation, memory_order_acquire);
        for (int i = 0; g == seen && i < SPIN && !atomic_load(&p->quit); i++) {
            cpu_relax();
            g = atomic_load_explicit(&p->generation, memory_order_acquire);
        }
        if (g == seen) {
            pthread_mutex_lock(&p->mu);
            p->sleepers++;
            while ((g = atomic_load(&p->generation)) == seen && !atomic_load(&p->quit))
                pthread_cond_wait(&p->go, &p->mu);
            p->sleepers--;
            pthread_mutex_unlock(&p->mu);
        }
        if (atomic_load(&p->quit)) break;
        seen = g;
        p->fn(p->ctx, w->part, p->threads);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->mu); /* the caller may be asleep */
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

si_err si_pool_create(si_pool **pool, int threads) {
    *pool = NULL;
    if (threads < 1 || threads > 1024)
        return si_fail(SI_EINVAL, "thread pool: %d threads, need 1..1024", threads);
    si_pool *p = calloc(1, sizeof *p);
    if (!p) return si_fail(SI_ENOMEM, "thread pool: out of memory");
    p->threads = threads;
    if (threads > 1) {
        p->tid = calloc((size_t)threads, sizeof *p->tid);
        p->workers = calloc((size_t)threads, sizeof *p->workers);
        if (!p->tid || !p->workers) {
            free(p->tid), free(p->workers), free(p);
            return si_fail(SI_ENOMEM, "thread pool: out of memory");
        }
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    for (int i = 1; i < threads; i++) {
        p->workers[i] = (struct worker){p, i};
        if (pthread_create(&p->tid[i], NULL, worker_main, &p->workers[i]) != 0) {
            p->threads = i; /* the ones started are joined by free */
            si_pool_free(p);
            return si_fail(SI_ENOMEM, "thread pool: could not start thread %d of %d", i + 1,
                           threads);
        }
    }
    *pool = p;
    return SI_OK;
}

void si_pool_run(si_pool *p, si_pool_fn fn, void *ctx) {
    if (p->threads == 1) {
        fn(ctx, 0, 1);
        return;
    }
    p->fn = fn, p->ctx = ctx;
    atomic_store(&p->pending, p->threads - 1);
    atomic_fetch_add_explicit(&p->generation, 1, memory_order_release);
    pthread_mutex_lock(&p->mu);
    if (p->sleepers) pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    fn(ctx, 0, p->threads);
    for (int i = 0; atomic_load_explicit(&p->pending, memory_order_acquire) > 0 && i < SPIN; i++)
        cpu_relax();
    if (atomic_load_explicit(&p->pending, memory_order_acquire) > 0) {
        pthread_mutex_lock(&p->mu);
        while (atomic_load(&p->pending) > 0)
            pthread_cond_wait(&p->done, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
}

int si_pool_threads(const si_pool *p) {
    return p->threads;
}

void si_pool_free(si_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->quit, 1);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->threads; i++)
        pthread_join(p->tid[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    free(p->tid), free(p->workers), free(p);
}
