/* The simulator object and the time loop: shots run in parallel, one
 * workspace per thread, allocated once in si_sim_create. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error_internal.h"
#include "sim_internal.h"

void si_sim_free(si_sim *s) {
    if (!s) return;
    if (s->work)
        for (int t = 0; t < s->nthreads; t++)
            free(s->work[t].mem);
    free(s->work);
    free(s->v2dt2);
    free(s->ax);
    free(s->wavelet);
    free(s->src_off);
    free(s->rec_off);
    free(s);
}

static int thread_count(const si_sim_config *cfg) {
    long n = cfg->threads;
    if (n == 0) n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) n = 1;
    return n < cfg->nsrc ? (int)n : cfg->nsrc;
}

si_err si_sim_create_isa(si_sim **out, const si_sim_config *cfg, si_isa isa) {
    *out = NULL;
    si_err st = si_sim_check_config(cfg);
    if (st != SI_OK) return st;
    if (!si_isa_supported(isa))
        return si_fail(SI_EINVAL, "instruction set %s is not available on this CPU",
                       si_isa_name(isa));
    si_sim *s = calloc(1, sizeof *s);
    if (!s) return si_fail(SI_ENOMEM, "out of memory creating the simulator");
    s->cfg = *cfg;
    s->k = si_fd_kernels_for(isa);
    si_fd_stencil_init(&s->st, cfg->order, cfg->dx);
    si_sim_grid_plan(&s->g, cfg, s->k->align);
    const si_sim_grid *g = &s->g;
    s->nthreads = thread_count(cfg);

    /* Profiles: one block [ax | bx | az | bz], each padded for vector reads. */
    size_t nxp = (size_t)g->NX + 32, nzp = (size_t)g->NZ + 32;
    s->ax = calloc(2 * (nxp + nzp), sizeof(float));
    s->v2dt2 = si_sim_fields_alloc(g, 1);
    s->wavelet = malloc((size_t)cfg->nt * sizeof(float));
    s->src_off = malloc((size_t)cfg->nsrc * sizeof(ptrdiff_t));
    s->rec_off = malloc((size_t)cfg->nrec * sizeof(ptrdiff_t));
    s->work = calloc((size_t)s->nthreads, sizeof *s->work);
    int ok = s->ax && s->v2dt2 && s->wavelet && s->src_off && s->rec_off && s->work;
    for (int t = 0; ok && t < s->nthreads; t++) {
        si_sim_work *w = &s->work[t];
        w->mem = si_sim_fields_alloc(g, 6);
        ok = w->mem != NULL;
        if (!ok) break;
        float **f[6] = {&w->p[0], &w->p[1], &w->psi_x, &w->zeta_x, &w->psi_z, &w->zeta_z};
        for (int i = 0; i < 6; i++)
            *f[i] = w->mem + (size_t)i * g->field_floats;
    }
    if (!ok) {
        si_fail(SI_ENOMEM, "out of memory for a %d x %d simulation grid (%d threads, %.1f MB each)",
                g->NZ, g->NX, s->nthreads, 6.0 * g->field_floats * sizeof(float) / 1e6);
        si_sim_free(s);
        return SI_ENOMEM;
    }
    s->bx = s->ax + nxp, s->az = s->bx + nxp, s->bz = s->az + nzp;

    for (int n = 0; n < cfg->nt; n++)
        s->wavelet[n] = (float)si_ricker(n * (double)cfg->dt, cfg->f0);
    for (int i = 0; i < cfg->nsrc; i++)
        s->src_off[i] = (ptrdiff_t)(cfg->src_z + g->top) * g->stride + cfg->src_x[i] + g->pml;
    for (int i = 0; i < cfg->nrec; i++)
        s->rec_off[i] = (ptrdiff_t)(cfg->rec_z + g->top) * g->stride + cfg->rec_x[i] + g->pml;
    *out = s;
    return SI_OK;
}

si_err si_sim_create(si_sim **sim, const si_sim_config *cfg) {
    if (!sim) return si_fail(SI_EINVAL, "si_sim_create: no output pointer");
    return si_sim_create_isa(sim, cfg, si_isa_active());
}

si_isa si_sim_isa(const si_sim *s) {
    return s->k->isa;
}

/* Checks the model and loads it with the CPML profiles it implies. */
static si_err load_model(si_sim *s, const float *vel) {
    si_err st = si_sim_check_model(&s->cfg, vel, NULL);
    if (st != SI_OK) return st;
    const si_sim_grid *g = &s->g;
    const si_sim_config *c = &s->cfg;
    double vmin, vmax;
    si_sim_fill_velocity(g, vel, c->dt, s->v2dt2, &vmin, &vmax);
    si_sim_cpml_profile(s->ax, s->bx, g->NX, g->pml, g->pml, c->dx, c->dt, vmax, c->f0,
                        SI_SIM_CPML_R);
    si_sim_cpml_profile(s->az, s->bz, g->NZ, g->top, g->pml, c->dx, c->dt, vmax, c->f0,
                        SI_SIM_CPML_R);
    return SI_OK;
}

static double model_energy(const si_sim *s, const float *p) {
    const si_sim_grid *g = &s->g;
    double e = 0;
    for (int i = 0; i < g->nz; i++) {
        const float *row = p + g->origin + (ptrdiff_t)(i + g->top) * g->stride + g->pml;
        for (int j = 0; j < g->nx; j++)
            e += (double)row[j] * row[j];
    }
    return e;
}

void si_sim_run_shot(const si_sim *s, si_sim_work *w, int shot, float *traces, double *energy) {
    const si_sim_config *c = &s->cfg;
    const ptrdiff_t o = s->g.origin;
    memset(w->mem, 0, s->g.field_floats * 6 * sizeof(float));
    float *cur = w->p[0], *prev = w->p[1];
    const ptrdiff_t src = o + s->src_off[shot];
    const float amp = s->v2dt2[src]; /* v(x_s)^2 dt^2, no 1/dx^2 (OpenFWI) */
    for (int n = 0;; n++) {
        if (traces) {
            float *row = traces + (size_t)n * c->nrec;
            for (int r = 0; r < c->nrec; r++)
                row[r] = cur[o + s->rec_off[r]];
        }
        if (energy) energy[n] = model_energy(s, cur);
        if (n == c->nt - 1) break;
        si_sim_step(s, w, prev, cur);
        prev[src] += amp * s->wavelet[n];
        if (c->free_surface) si_sim_free_surface(s, prev);
        float *t = cur;
        cur = prev, prev = t;
    }
}

typedef struct {
    const si_sim *s;
    float *out;
    atomic_int next_shot;
} job;

typedef struct {
    job *j;
    int tid;
} worker_arg;

static void *worker(void *arg) {
    worker_arg *a = arg;
    const si_sim *s = a->j->s;
    const size_t shot_floats = (size_t)s->cfg.nt * s->cfg.nrec;
    unsigned long fpenv = si_fd_denormals_off();
    for (;;) {
        int shot = atomic_fetch_add(&a->j->next_shot, 1);
        if (shot >= s->cfg.nsrc) break;
        si_sim_run_shot(s, &s->work[a->tid], shot, a->j->out + (size_t)shot * shot_floats, NULL);
    }
    si_fd_denormals_restore(fpenv);
    return NULL;
}

si_err si_sim_run(si_sim *s, const float *vel, float *out) {
    if (!s || !out) return si_fail(SI_EINVAL, "si_sim_run: no simulator or no output buffer");
    si_err st = load_model(s, vel);
    if (st != SI_OK) return st;
    job j = {.s = s, .out = out};
    atomic_init(&j.next_shot, 0);
    worker_arg args[s->nthreads];
    pthread_t tids[s->nthreads];
    int started = 0;
    /* Threads pull shots from a shared counter; if one cannot be started the
     * others (and this thread) simply take its shots. */
    for (int t = 1; t < s->nthreads; t++) {
        args[t] = (worker_arg){&j, t};
        if (pthread_create(&tids[started], NULL, worker, &args[t]) == 0) started++;
    }
    args[0] = (worker_arg){&j, 0};
    worker(&args[0]);
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    return SI_OK;
}

si_err si_simulate(const si_sim_config *cfg, const float *vel, float *out) {
    si_sim *s;
    si_err st = si_sim_create(&s, cfg);
    if (st != SI_OK) return st;
    st = si_sim_run(s, vel, out);
    si_sim_free(s);
    return st;
}

si_err si_sim_shot_energy(si_sim *s, const float *vel, int shot, float *traces, double *energy) {
    if (shot < 0 || shot >= s->cfg.nsrc)
        return si_fail(SI_EINVAL, "shot %d is outside 0..%d", shot, s->cfg.nsrc - 1);
    si_err st = load_model(s, vel);
    if (st != SI_OK) return st;
    unsigned long fpenv = si_fd_denormals_off();
    si_sim_run_shot(s, &s->work[0], shot, traces, energy);
    si_fd_denormals_restore(fpenv);
    return SI_OK;
}
