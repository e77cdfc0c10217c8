/* seisinv train — trains SeisInvNet (issue 5): shards or generated data,
 * Adam with the poly schedule, validation each epoch, checkpoints, resume. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli_data.h"
#include "seisinv/npy.h"
#include "train_run.h"

static const char usage[] =
    "usage: seisinv train (--data DIR | --generate N) -o RUN/ [options]\n"
    "       seisinv train --resume RUN/ [--steps N] [--threads N] [--save-every N]\n"
    "\n"
    "Trains SeisInvNet (SPEC 1) on surveys [S, T, R] and their velocity models\n"
    "(m/s): the data_K.npy / model_K.npy shards `seisinv dataset` writes (the\n"
    "configuration S, T, R, H, W comes from their shapes), or N surveys generated\n"
    "on the fly from (seed, index) with the network's geometry. Adam (0.9, 0.999,\n"
    "1e-8), learning rate lr (1 - step/max_step)^0.9 over epochs x (N / batch)\n"
    "steps, a new shuffle each epoch. After each epoch: validation loss and\n"
    "metrics, and RUN/loss.png. RUN/checkpoint.safetensors (weights, Adam state,\n"
    "counters, random streams) every --save-every steps, at the end and on\n"
    "Ctrl-C; RUN/model.safetensors holds the weights (for `seisinv invert` and\n"
    "PyTorch's load_state_dict). --resume continues bit for bit.\n"
    "\n"
    "  -d, --data PATH      training shards: a folder or one data_K.npy\n"
    "      --generate N     N training surveys generated on the fly instead\n"
    "      --val PATH       validation shards (optional)\n"
    "  -o, --output RUN     run folder (created; must not hold a checkpoint)\n"
    "      --resume RUN     continue the run in RUN with its own settings\n"
    "      --epochs N       passes over the data (default 200)\n"
    "  -b, --batch N        surveys per step (default 12)\n"
    "      --lr X           initial learning rate (default 5e-5)\n"
    "      --loss NAME      l1, l2 or l2+msssim (default l1)\n"
    "      --dropout P      feature-map dropout (default 0.2)\n"
    "  -s, --seed S         initial weights, shuffle, flips, dropout, generated data\n"
    "                       (default 0)\n"
    "      --init W         start from these weights (fine-tuning); their\n"
    "                       configuration and normalisation are kept\n"
    "      --flip           augment: mirror half of the samples left-right\n"
    "                       (model columns, shot order and receiver order reversed)\n"
    "      --seis-scale X   d_norm = d * X (default 1; with --init: the weights')\n"
    "      --log1p          sign(d) log1p(|d|) before the scale\n"
    "      --steps N        stop after N optimiser steps in all\n"
    "      --save-every N   checkpoint every N steps (default 500; 0: at the end)\n"
    "  -j, --threads N      threads (default: one per CPU)\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit codes: 0 done, 1 failure (e.g. the loss diverged), 2 bad input,\n"
    "130 interrupted (checkpoint saved).\n";

enum {
    OPT_GEN = OPT_FIRST_FREE,
    OPT_VAL,
    OPT_RESUME,
    OPT_EPOCHS,
    OPT_LR,
    OPT_LOSS,
    OPT_DROPOUT,
    OPT_INIT,
    OPT_FLIP,
    OPT_SCALE,
    OPT_LOG1P,
    OPT_STEPS,
    OPT_SAVE
};

static const struct option options[] = {{"data", required_argument, 0, 'd'},
                                        {"generate", required_argument, 0, OPT_GEN},
                                        {"val", required_argument, 0, OPT_VAL},
                                        {"output", required_argument, 0, 'o'},
                                        {"resume", required_argument, 0, OPT_RESUME},
                                        {"epochs", required_argument, 0, OPT_EPOCHS},
                                        {"batch", required_argument, 0, 'b'},
                                        {"lr", required_argument, 0, OPT_LR},
                                        {"loss", required_argument, 0, OPT_LOSS},
                                        {"dropout", required_argument, 0, OPT_DROPOUT},
                                        {"seed", required_argument, 0, 's'},
                                        {"init", required_argument, 0, OPT_INIT},
                                        {"flip", no_argument, 0, OPT_FLIP},
                                        {"seis-scale", required_argument, 0, OPT_SCALE},
                                        {"log1p", no_argument, 0, OPT_LOG1P},
                                        {"steps", required_argument, 0, OPT_STEPS},
                                        {"save-every", required_argument, 0, OPT_SAVE},
                                        {"threads", required_argument, 0, 'j'},
                                        {"help", no_argument, 0, 'h'},
                                        {0, 0, 0, 0}};

typedef struct args {
    tr_settings s;
    const char *resume, *init, *loss_name;
    double seis_scale;
    int log1p;
    int run_flags; /* flags given that a resumed run takes from its checkpoint */
} args;

static int bad_number(const char *flag, const char *v, const char *want) {
    return si_cli_usage_error("train", "--%s '%s': need %s", flag, v, want);
}

static int parse(int argc, char **argv, args *a) {
    int c;
    long v;
    optind = 1, opterr = 0;
    while ((c = getopt_long(argc, argv, ":d:o:b:s:j:h", options, NULL)) != -1) {
        const char *name = NULL;
        for (const struct option *o = options; o->name; o++)
            if (o->val == c) name = o->name;
        if (c != 'o' && c != 'j' && c != OPT_STEPS && c != OPT_SAVE && c != OPT_RESUME &&
            c != 'h' && c != '?' && c != ':')
            a->run_flags++;
        switch (c) {
        case 'd':
            a->s.data = optarg;
            break;
        case OPT_GEN:
            if (si_parse_int(optarg, 1, 1000000000L, &v))
                return bad_number(name, optarg, "an integer >= 1");
            a->s.generate = v;
            break;
        case OPT_VAL:
            a->s.val = optarg;
            break;
        case 'o':
            a->s.out = optarg;
            break;
        case OPT_RESUME:
            a->resume = optarg;
            break;
        case OPT_EPOCHS:
            if (si_parse_int(optarg, 1, 1000000L, &v))
                return bad_number(name, optarg, "an integer in [1, 1e6]");
            a->s.epochs = v;
            break;
        case 'b':
            if (si_parse_int(optarg, 1, 4096, &a->s.batch))
                return bad_number("batch", optarg, "an integer in [1, 4096]");
            break;
        case OPT_LR:
            if (si_parse_float(optarg, 0, 10, &a->s.lr) || a->s.lr <= 0)
                return bad_number(name, optarg, "a number in (0, 10]");
            break;
        case OPT_LOSS:
            a->loss_name = optarg;
            if (si_loss_parse(optarg, &a->s.loss)) return si_cli_report("train", SI_EINVAL);
            break;
        case OPT_DROPOUT:
            if (si_parse_float(optarg, 0, 0.99, &a->s.dropout))
                return bad_number(name, optarg, "a probability in [0, 0.99]");
            break;
        case 's':
            if (si_parse_u64(optarg, &a->s.seed)) return bad_number("seed", optarg, "an integer");
            break;
        case OPT_INIT:
            a->init = optarg;
            break;
        case OPT_FLIP:
            a->s.flip = 1;
            break;
        case OPT_SCALE:
            if (si_parse_float(optarg, 1e-30, 1e30, &a->seis_scale))
                return bad_number(name, optarg, "a positive number");
            break;
        case OPT_LOG1P:
            a->log1p = 1;
            break;
        case OPT_STEPS:
            if (si_parse_int(optarg, 1, 2000000000L, &v))
                return bad_number(name, optarg, "an integer >= 1");
            a->s.steps = v;
            break;
        case OPT_SAVE:
            if (si_parse_int(optarg, 0, 2000000000L, &v))
                return bad_number(name, optarg, "an integer >= 0");
            a->s.save_every = v;
            break;
        case 'j':
            if (si_parse_int(optarg, 1, 1024, &a->s.threads))
                return bad_number("threads", optarg, "an integer in [1, 1024]");
            break;
        case 'h':
            fputs(usage, stdout);
            return -1;
        default:
            return si_cli_bad_option("train", c, argv);
        }
    }
    if (optind < argc)
        return si_cli_usage_error("train", "unexpected argument '%s' (see --help)", argv[optind]);
    if (a->resume) {
        if (a->run_flags)
            return si_cli_usage_error("train", "--resume takes the run's settings from its "
                                               "checkpoint: only --steps, --threads, "
                                               "--save-every and -o may be given");
        if (!a->s.out) a->s.out = a->resume;
        return 0;
    }
    if (!a->s.data == !a->s.generate)
        return si_cli_usage_error("train", "give one of --data DIR and --generate N (see --help)");
    if (!a->s.out) return si_cli_usage_error("train", "-o RUN/ is required (see --help)");
    if (a->init && (a->seis_scale || a->log1p))
        return si_cli_usage_error("train", "--init keeps the weights' normalisation: drop "
                                           "--seis-scale and --log1p");
    return 0;
}

/* The run folder: made once the run is set up (a refused run leaves none
 * behind); a new run refuses one that holds a checkpoint. */
static int check_out(const args *a) {
    struct stat st;
    if (stat(a->s.out, &st) != 0) {
        char parent[4096];
        snprintf(parent, sizeof parent, "%s", a->s.out);
        char *slash = strrchr(parent, '/');
        while (slash && slash > parent && slash[1] == 0) /* trailing slashes */
            *slash = 0, slash = strrchr(parent, '/');
        if (slash) *slash = 0;
        if (!slash || !*parent) snprintf(parent, sizeof parent, ".");
        if (stat(parent, &st) != 0 || !S_ISDIR(st.st_mode))
            return si_cli_usage_error("train", "-o %s: the folder %s does not exist", a->s.out,
                                      parent);
        return 0;
    }
    if (!S_ISDIR(st.st_mode)) return si_cli_usage_error("train", "-o %s: not a folder", a->s.out);
    char ck[4096];
    snprintf(ck, sizeof ck, "%s/checkpoint.safetensors", a->s.out);
    if (!a->resume && stat(ck, &st) == 0)
        return si_cli_usage_error("train",
                                  "%s already holds a run (%s): continue it with "
                                  "--resume %s, or choose another folder",
                                  a->s.out, ck, a->s.out);
    return 0;
}

/* S, T, R, H, W from the first shard of `path`. */
static int shard_config(const char *path, si_net_options *o) {
    char data[4096], model[4096];
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(data, sizeof data, "%s/data_0.npy", path);
        snprintf(model, sizeof model, "%s/model_0.npy", path);
    } else {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        snprintf(data, sizeof data, "%s", path);
        snprintf(model, sizeof model, "%.*smodel_%s", (int)(base - path), path,
                 strncmp(base, "data_", 5) == 0 ? base + 5 : base);
    }
    si_array d, m;
    if (si_npy_read_header(data, &d, NULL) || d.ndim != 4) return 0; /* the shard check says why */
    if (si_npy_read_header(model, &m, NULL) || m.ndim < 2) return 0;
    o->S = (int)d.shape[1], o->T = (int)d.shape[2], o->R = (int)d.shape[3];
    o->H = (int)m.shape[m.ndim - 2], o->W = (int)m.shape[m.ndim - 1];
    return 0;
}

/* Settings as checkpoint metadata (values in `buf`). */
static int settings_kv(const tr_settings *s, si_st_kv *kv, char (*buf)[4200]) {
    int n = 0;
#define KV(key, ...)                                                                               \
    (snprintf(buf[n], sizeof buf[n], __VA_ARGS__), kv[n] = (si_st_kv){key, buf[n]}, n++)
    KV("train.data", "%s", s->data ? s->data : "");
    KV("train.val", "%s", s->val ? s->val : "");
    KV("train.generate", "%lld", s->generate);
    KV("train.epochs", "%lld", s->epochs);
    KV("train.batch", "%ld", s->batch);
    KV("train.lr", "%.17g", s->lr);
    KV("train.dropout", "%.17g", s->dropout);
    KV("train.loss", "%s", si_loss_name(s->loss));
    KV("train.seed", "%llu", (unsigned long long)s->seed);
    KV("train.flip", "%d", s->flip);
#undef KV
    return n;
}

/* A resumed run's settings back from its checkpoint (strings kept in buf). */
static int settings_from(const si_st_file *f, tr_settings *s, char (*buf)[4200]) {
    static const char *const keys[] = {"train.data",  "train.val", "train.generate", "train.epochs",
                                       "train.batch", "train.lr",  "train.dropout",  "train.loss",
                                       "train.seed",  "train.flip"};
    const char *v[10];
    for (int i = 0; i < 10; i++) {
        v[i] = si_st_meta(f, keys[i]);
        if (!v[i])
            return si_cli_usage_error("train", "the checkpoint has no '%s': not from seisinv train",
                                      keys[i]);
        snprintf(buf[i], sizeof buf[i], "%s", v[i]);
    }
    s->data = *buf[0] ? buf[0] : NULL;
    s->val = *buf[1] ? buf[1] : NULL;
    s->generate = strtoll(v[2], NULL, 10);
    s->epochs = strtoll(v[3], NULL, 10);
    s->batch = strtol(v[4], NULL, 10);
    s->lr = strtod(v[5], NULL);
    s->dropout = strtod(v[6], NULL);
    s->seed = strtoull(v[8], NULL, 10);
    s->flip = v[9][0] == '1';
    if (si_loss_parse(v[7], &s->loss) || s->batch < 1 || s->epochs < 1 || s->lr <= 0)
        return si_cli_usage_error("train", "the checkpoint's settings are not valid");
    return 0;
}

/* Net, data and state for a new run or a resumed one. */
static int setup(args *a, tr_run *r, char (*buf)[4200]) {
    si_net_options o = {.batch = (int)a->s.batch,
                        .threads = (int)a->s.threads,
                        .dropout = (float)a->s.dropout,
                        .seed = a->s.seed,
                        .seis_scale = a->seis_scale,
                        .seis_log1p = a->log1p};
    si_err st;
    si_st_file *ck = NULL;
    int rc = 0;
    if (a->resume) {
        char path[4096];
        snprintf(path, sizeof path, "%s/checkpoint.safetensors", a->resume);
        if ((st = si_st_open(path, &ck))) return si_cli_report("train", st);
        rc = settings_from(ck, &a->s, buf);
        o.batch = (int)a->s.batch, o.dropout = (float)a->s.dropout, o.seed = a->s.seed;
        if (!rc && (st = tr_ckpt_options(ck, &o))) rc = si_cli_report("train", st);
        if (!rc && (st = si_net_create(&r->net, &o))) rc = si_cli_report("train", st);
    } else if (a->init) {
        if ((st = si_net_load(&r->net, a->init, &o))) return si_cli_report("train", st);
    } else {
        if (a->s.data) shard_config(a->s.data, &o);
        if ((st = si_net_create(&r->net, &o))) return si_cli_report("train", st);
    }
    const si_model_info *m = r->net ? si_net_config(r->net) : NULL;
    if (!rc)
        rc = a->s.generate
                 ? tr_source_generated("train", a->s.generate, a->s.seed, "train", m->S, m->R, m->T,
                                       m->H, m->W, (int)a->s.threads, &r->train)
                 : tr_source_shards("train", a->s.data, m->S, m->R, m->T, m->H, m->W, &r->train);
    if (!rc && a->s.val)
        rc = tr_source_shards("train", a->s.val, m->S, m->R, m->T, m->H, m->W, &r->val);
    if (!rc && (st = tr_state_init(&r->state, r->net))) rc = si_cli_report("train", st);
    if (!rc && ck && (st = tr_ckpt_restore(ck, r->net, &r->state))) rc = si_cli_report("train", st);
    if (ck) si_st_close(ck);
    if (rc) return rc;
    if (r->train.count < a->s.batch)
        return si_cli_usage_error("train", "%lld training surveys make no batch of %ld",
                                  (long long)r->train.count, a->s.batch);
    r->steps_per_epoch = r->train.count / a->s.batch;
    if (!a->resume) r->state.max_step = a->s.epochs * r->steps_per_epoch;
    return 0;
}

int cmd_train(int argc, char **argv) {
    args a = {.s = {.epochs = 200,
                    .batch = 12,
                    .lr = 5e-5,
                    .dropout = 0.2,
                    .loss = SI_LOSS_L1,
                    .save_every = 500}};
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? SI_EXIT_OK : rc;
    static char buf[24][4200];
    static si_st_kv kv[16];
    tr_run r = {.set = &a.s};
    rc = check_out(&a);
    if (!rc) rc = setup(&a, &r, buf);
    if (!rc && mkdir(a.s.out, 0777) != 0 && errno != EEXIST)
        rc = si_cli_usage_error("train", "cannot create the run folder %s: %s", a.s.out,
                                strerror(errno));
    if (!rc) {
        r.nckpt_args = settings_kv(&a.s, kv, buf + 12);
        r.ckpt_args = kv;
        const si_model_info *m = si_net_config(r.net);
        printf("training SeisInvNet S=%d R=%d T=%d %dx%d on %lld surveys%s, batch %ld, %lld "
               "steps/epoch, loss %s, lr %g (poly to step %lld)%s\n",
               m->S, m->R, m->T, m->H, m->W, (long long)r.train.count,
               a.s.generate ? " (generated)" : "", a.s.batch, (long long)r.steps_per_epoch,
               si_loss_name(a.s.loss), a.s.lr, (long long)r.state.max_step,
               a.resume ? ", resumed" : "");
        if (a.resume)
            printf("resuming at step %lld (epoch %lld)\n", (long long)r.state.step,
                   (long long)r.state.epoch + 1);
        fflush(stdout);
        rc = tr_run_train(&r);
    }
    tr_source_close(&r.train);
    tr_source_close(&r.val);
    tr_state_free(&r.state);
    si_net_free(r.net);
    return rc;
}
