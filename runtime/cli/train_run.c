/* The training loop: batches in the epoch's shuffled order, a training
 * step, Adam with the poly schedule, validation at each epoch's end,
 * checkpoints, the loss curve, Ctrl-C. */
#include "train_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "io/loss_curve.h"
#include "seisinv/metrics.h"
#include "train/adam.h"

/* Buffers for one batch. */
typedef struct batch_buf {
    float *x;     /* [B, S, R, T] normalised */
    float *y;     /* [B, H, W] normalised */
    float *raw;   /* one survey [S, T, R] */
    float *truth; /* [B, H, W] m/s */
    float *pred;  /* [B, H, W] */
    float *scratch;
    int64_t *perm;
} batch_buf;

static void path_in(char *buf, size_t cap, const char *dir, const char *name) {
    snprintf(buf, cap, "%s/%s", dir, name);
}

/* Sample i of src into slot b of the batch (network units, truth in m/s). */
static int load_sample(tr_run *r, tr_source *src, batch_buf *bb, int b, int64_t i, int flip) {
    const si_model_info *m = si_net_config(r->net);
    const size_t hw = (size_t)m->H * m->W;
    float *truth = bb->truth + b * hw;
    int rc = tr_source_get("train", src, i, flip, bb->raw, truth);
    if (rc) return rc;
    si_err st = si_net_normalise_survey(r->net, bb->raw, SI_LAYOUT_STR,
                                        bb->x + (size_t)b * m->S * m->R * m->T);
    if (!st) st = si_net_normalise_velocity(r->net, truth, hw, bb->y + b * hw);
    if (st)
        return si_cli_usage_error("train", "%s sample %lld: %s",
                                  src == &r->val ? "validation" : "training", (long long)i,
                                  si_last_error());
    return 0;
}

/* Mean loss and metrics over the validation set (eval mode). */
static int validate(tr_run *r, batch_buf *bb, double *loss, si_metrics *mean) {
    const si_model_info *m = si_net_config(r->net);
    const size_t hw = (size_t)m->H * m->W;
    const int B = (int)r->set->batch;
    si_metrics_acc *acc;
    si_err st = si_metrics_acc_new(&acc, m->H, m->W, m->v_min, m->v_max);
    if (st) return si_cli_report("train", st);
    double sum = 0;
    int rc = 0;
    for (int64_t i = 0; i < r->val.count && !rc; i += B) {
        const int nb = (int)(r->val.count - i < B ? r->val.count - i : B);
        for (int b = 0; b < nb && !rc; b++)
            rc = load_sample(r, &r->val, bb, b, i + b, 0);
        if (rc) break;
        if ((st = si_net_eval_batch(r->net, bb->x, nb, bb->pred))) {
            rc = si_cli_report("train", st);
            break;
        }
        sum += nb * si_loss(r->set->loss, bb->pred, bb->y, nb, m->H, m->W, NULL, bb->scratch);
        for (size_t k = 0; k < nb * hw; k++) /* to m/s for the metrics */
            bb->pred[k] = (float)(m->v_min + bb->pred[k] * (m->v_max - m->v_min));
        for (int b = 0; b < nb && !st; b++)
            st = si_metrics_acc_add(acc, bb->pred + b * hw, bb->truth + b * hw, NULL);
        if (st) rc = si_cli_report("train", st);
    }
    *loss = sum / (double)r->val.count;
    *mean = si_metrics_acc_mean(acc);
    si_metrics_acc_free(acc);
    return rc;
}

static void write_curve(const tr_run *r) {
    const tr_history *h[2] = {&r->state.train, &r->state.val};
    double *xy[2] = {NULL, NULL};
    si_curve c[2];
    int nc = 0;
    for (int k = 0; k < 2; k++) {
        if (!h[k]->n) continue;
        xy[k] = malloc((size_t)h[k]->n * 2 * sizeof(double));
        if (!xy[k]) break;
        for (int i = 0; i < h[k]->n; i++)
            xy[k][i] = h[k]->xy[2 * i], xy[k][h[k]->n + i] = h[k]->xy[2 * i + 1];
        c[nc++] = (si_curve){k ? "validation" : "training", xy[k], xy[k] + h[k]->n, h[k]->n,
                             k ? 0xd62728u : 0x1f77b4u};
    }
    char path[4096], ylabel[64];
    path_in(path, sizeof path, r->set->out, "loss.png");
    snprintf(ylabel, sizeof ylabel, "loss (%s)", si_loss_name(r->set->loss));
    if (nc && si_png_write_loss_curve(path, c, nc, "step", ylabel))
        fprintf(stderr, "seisinv train: warning: %s\n", si_last_error());
    free(xy[0]), free(xy[1]);
}

/* Checkpoint and the current weights (model.safetensors), both atomic. */
static int save(const tr_run *r) {
    char path[4096], trained_on[4200], steps[32];
    path_in(path, sizeof path, r->set->out, "checkpoint.safetensors");
    si_err st = tr_ckpt_save(path, r->net, &r->state, r->ckpt_args, r->nckpt_args);
    if (r->set->generate)
        snprintf(trained_on, sizeof trained_on, "%lld generated SeisInv surveys (seed %llu)",
                 r->set->generate, (unsigned long long)r->set->seed);
    else
        snprintf(trained_on, sizeof trained_on, "%s", r->set->data);
    snprintf(steps, sizeof steps, "%lld", (long long)r->state.step);
    const si_st_kv extra[3] = {{"seisinv.trained_on", trained_on},
                               {"seisinv.train_steps", steps},
                               {"seisinv.train_loss", si_loss_name(r->set->loss)}};
    path_in(path, sizeof path, r->set->out, "model.safetensors");
    if (!st) st = si_net_save(r->net, path, extra, 3);
    return st ? si_cli_report("train", st) : 0;
}

static int batch_alloc(tr_run *r, batch_buf *bb) {
    const si_model_info *m = si_net_config(r->net);
    const size_t B = (size_t)r->set->batch, hw = (size_t)m->H * m->W;
    const size_t srt = (size_t)m->S * m->R * m->T,
                 ns = si_loss_scratch_floats(r->set->loss, m->H, m->W);
    bb->x = malloc(B * srt * sizeof(float));
    bb->y = malloc(B * hw * sizeof(float));
    bb->raw = malloc(srt * sizeof(float));
    bb->truth = malloc(B * hw * sizeof(float));
    bb->pred = malloc(B * hw * sizeof(float));
    bb->scratch = malloc((ns ? ns : 1) * sizeof(float));
    bb->perm = malloc((size_t)r->train.count * sizeof(int64_t));
    if (bb->x && bb->y && bb->raw && bb->truth && bb->pred && bb->scratch && bb->perm) return 0;
    fprintf(stderr, "seisinv train: out of memory for a batch of %zu\n", B);
    return SI_EXIT_FAIL;
}

static void batch_free(batch_buf *bb) {
    free(bb->x), free(bb->y), free(bb->raw), free(bb->truth), free(bb->pred);
    free(bb->scratch), free(bb->perm);
}

/* One optimiser step on batch `pos` of the current epoch. */
static int step(tr_run *r, batch_buf *bb, const si_optim_kernels *k, double *loss) {
    tr_state *s = &r->state;
    const int B = (int)r->set->batch;
    for (int b = 0; b < B; b++) {
        const int64_t i = bb->perm[s->pos * B + b];
        const int flip = r->set->flip && tr_flip_for(r->set->seed, s->epoch, i);
        int rc = load_sample(r, &r->train, bb, b, i, flip);
        if (rc) return rc;
    }
    si_err st = si_net_train_batch(r->net, bb->x, bb->y, B, (int)r->set->loss, SI_NET_TRAIN, loss);
    if (st) return si_cli_report("train", st);
    if (!isfinite(*loss)) {
        fprintf(stderr, "seisinv train: the loss is %g at step %lld; stopping (lower --lr?)\n",
                *loss, (long long)s->step + 1);
        return SI_EXIT_FAIL;
    }
    const si_adam_hparams hp = SI_ADAM_DEFAULTS;
    const double lr = si_lr_poly(r->set->lr, s->step, s->max_step);
    si_adam_step_net(k, &hp, r->net, s->m, s->v, lr, s->step + 1);
    s->step++, s->pos++;
    st = tr_history_add(&s->train, (double)s->step, *loss);
    return st ? si_cli_report("train", st) : 0;
}

static int epoch_end(tr_run *r, batch_buf *bb) {
    tr_state *s = &r->state;
    const double train_sum = s->epoch_sum;
    const int64_t train_n = s->epoch_n;
    if (s->pos == 0) s->epoch_sum = 0, s->epoch_n = 0; /* a whole epoch reported */
    printf("epoch %lld/%lld  step %lld  train loss %.6g", (long long)s->epoch + (s->pos ? 1 : 0),
           r->set->epochs, (long long)s->step, train_n ? train_sum / (double)train_n : NAN);
    int rc = 0;
    if (r->val.count) {
        double vl = 0;
        si_metrics m;
        rc = validate(r, bb, &vl, &m);
        if (!rc) {
            printf("  val loss %.6g  MAE %.5f  MSE %.3g  SSIM %.4f  (MAE %.1f m/s)", vl, m.mae,
                   m.mse, m.ssim, m.mae_ms);
            si_err st = tr_history_add(&s->val, (double)s->step, vl);
            if (st) rc = si_cli_report("train", st);
        }
    }
    printf("\n");
    fflush(stdout);
    write_curve(r);
    return rc;
}

int tr_run_train(tr_run *r) {
    tr_state *s = &r->state;
    const int64_t B = r->set->batch, spe = r->steps_per_epoch;
    const int64_t stop = r->set->steps && r->set->steps < s->max_step ? r->set->steps : s->max_step;
    if (stop <= s->step) {
        printf("the run is at step %lld already (--steps %lld): nothing to do\n",
               (long long)s->step, (long long)stop);
        return 0;
    }
    batch_buf bb = {0};
    int rc = batch_alloc(r, &bb);
    if (rc) {
        batch_free(&bb);
        return rc;
    }
    const si_optim_kernels *k = si_optim_kernels_for(si_isa_active());
    volatile int *interrupt = si_cli_interrupt_flag();
    si_progress bar;
    si_progress_start(&bar, "train", stop, s->step);
    const double t0 = si_now_seconds();
    const int64_t first = s->step;
    int64_t last_val = -1, last_save = s->step;
    tr_epoch_order(bb.perm, r->train.count, r->set->seed, s->epoch);
    while (!rc && s->step < stop) {
        if (*interrupt) {
            si_progress_finish(&bar);
            rc = save(r);
            if (!rc)
                fprintf(stderr,
                        "seisinv train: interrupted at step %lld; checkpoint saved (continue "
                        "with --resume %s)\n",
                        (long long)s->step, r->set->out);
            batch_free(&bb);
            return rc ? rc : SI_EXIT_INTERRUPTED;
        }
        double loss;
        rc = step(r, &bb, k, &loss);
        if (rc) break;
        s->epoch_sum += loss, s->epoch_n++;
        snprintf(bar.extra, sizeof bar.extra, " loss %.4g  lr %.3g  epoch %lld", loss,
                 si_lr_poly(r->set->lr, s->step, s->max_step), (long long)s->epoch + 1);
        si_progress_update(&bar, s->step);
        if (s->pos == spe) { /* epoch done */
            s->pos = 0, s->epoch++;
            rc = epoch_end(r, &bb);
            last_val = s->step;
            tr_epoch_order(bb.perm, r->train.count, r->set->seed, s->epoch);
        }
        if (!rc && r->set->save_every && s->step % r->set->save_every == 0)
            rc = save(r), last_save = s->step;
    }
    si_progress_finish(&bar);
    if (!rc && last_val != s->step && s->step > first) rc = epoch_end(r, &bb);
    if (!rc && last_save != s->step) rc = save(r);
    if (!rc) write_curve(r);
    const double el = si_now_seconds() - t0;
    if (!rc)
        printf("trained %lld steps (%lld surveys) in %.1f s: %.2f surveys/s; weights in "
               "%s/model.safetensors\n",
               (long long)(s->step - first), (long long)((s->step - first) * B), el,
               el > 0 ? (double)(s->step - first) * (double)B / el : 0.0, r->set->out);
    batch_free(&bb);
    return rc;
}
