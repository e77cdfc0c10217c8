/* Random SeisInvNet weights with the state-dict names and shapes of SPEC §1
 * (see nn_random.h). Values: He-normal conv/linear weights, small biases,
 * BatchNorm γ in [0.8, 1.2], β and running means small, variances in
 * [0.5, 1.5], so activations keep a useful range through the network. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error_internal.h"
#include "nn_internal.h"
#include "nn_random.h"

enum { MAX_T = 256 };

typedef struct list {
    si_st_entry e[MAX_T];
    char names[MAX_T][96];
    int64_t shapes[MAX_T][4];
    float *data[MAX_T];
    int n;
    uint64_t rng;
    const nn_random_spec *spec;
    int failed;
} list;

static double uniform(list *l) { /* xorshift64*, (0, 1) */
    l->rng ^= l->rng >> 12, l->rng ^= l->rng << 25, l->rng ^= l->rng >> 27;
    return ((double)((l->rng * 2685821657736338717ull) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(list *l) {
    return sqrt(-2 * log(uniform(l))) * cos(6.283185307179586 * uniform(l));
}

typedef enum { HE, SMALL, GAMMA, VAR } init_kind;

static void add(list *l, const char *name, int ndim, int64_t a, int64_t b, int64_t c, int64_t d,
                init_kind kind, double fan_in) {
    if (l->spec->omit && strcmp(name, l->spec->omit) == 0) return;
    if (l->n >= MAX_T) {
        l->failed = 1;
        return;
    }
    const int i = l->n++;
    snprintf(l->names[i], sizeof l->names[i], "%s", name);
    int64_t *s = l->shapes[i];
    s[0] = a, s[1] = b, s[2] = c, s[3] = d;
    if (l->spec->reshape && strcmp(name, l->spec->reshape) == 0) s[0]++;
    int64_t n = 1;
    for (int k = 0; k < ndim; k++)
        n *= s[k];
    float *v = l->data[i] = malloc((size_t)n * sizeof(float));
    if (!v) {
        l->failed = 1;
        return;
    }
    for (int64_t k = 0; k < n; k++) {
        switch (kind) {
        case HE:
            v[k] = (float)(normal(l) * sqrt(2.0 / fan_in));
            break;
        case SMALL:
            v[k] = (float)(0.1 * normal(l));
            break;
        case GAMMA:
            v[k] = (float)(0.8 + 0.4 * uniform(l));
            break;
        case VAR:
            v[k] = (float)(0.5 + uniform(l));
            break;
        }
    }
    if (l->spec->poison && strcmp(name, l->spec->poison) == 0) v[n / 2] = NAN;
    l->e[i] = (si_st_entry){l->names[i], ndim, s, v};
}

static void add_bn(list *l, const char *prefix, int64_t c) {
    char n[96];
    snprintf(n, sizeof n, "%s.weight", prefix), add(l, n, 1, c, 0, 0, 0, GAMMA, 1);
    snprintf(n, sizeof n, "%s.bias", prefix), add(l, n, 1, c, 0, 0, 0, SMALL, 1);
    snprintf(n, sizeof n, "%s.running_mean", prefix), add(l, n, 1, c, 0, 0, 0, SMALL, 1);
    snprintf(n, sizeof n, "%s.running_var", prefix), add(l, n, 1, c, 0, 0, 0, VAR, 1);
}

static void add_conv(list *l, const char *prefix, int64_t cout, int64_t cin, int64_t kh, int64_t kw,
                     int transposed) {
    char n[96];
    snprintf(n, sizeof n, "%s.weight", prefix);
    if (transposed)
        add(l, n, 4, cin, cout, kh, kw, HE, (double)cin * kh * kw / 4);
    else
        add(l, n, 4, cout, cin, kh, kw, HE, (double)cin * kh * kw);
    snprintf(n, sizeof n, "%s.bias", prefix), add(l, n, 1, cout, 0, 0, 0, SMALL, 1);
}

static void build(list *l, int S, int R, int T) {
    char p[48], q[48];
    for (int i = 0; i < NN_GLOB; i++) {
        const nn_glob_layer *g = &nn_glob[i];
        snprintf(p, sizeof p, "encoder.glob.layer%d.0", i + 1);
        add_conv(l, p, g->cout, g->cin, g->kh, g->kw, 0);
        snprintf(p, sizeof p, "encoder.glob.layer%d.1", i + 1);
        add_bn(l, p, g->cout);
    }
    for (int i = 0; i < NN_NEIG; i++) {
        snprintf(p, sizeof p, "encoder.neig.conv%d", i + 1);
        add_conv(l, p, i == NN_NEIG - 1 ? 1 : NN_NEIG_C, i == 0 ? 1 : NN_NEIG_C, 5, 5, 0);
    }
    int64_t k = NN_GLOB_OUT + S + R + T;
    for (int i = 0; i < NN_GEN; i++) {
        snprintf(p, sizeof p, "generator.lin%d.weight", i + 1);
        add(l, p, 2, nn_gen_width[i], k, 0, 0, HE, (double)k);
        snprintf(p, sizeof p, "generator.lin%d.bias", i + 1);
        add(l, p, 1, nn_gen_width[i], 0, 0, 0, SMALL, 1);
        snprintf(p, sizeof p, "generator.bn%d", i + 1);
        add_bn(l, p, (int64_t)S * R);
        k = nn_gen_width[i];
    }
    int64_t cin = (int64_t)S * R;
    for (int i = 0; i < NN_DEC_UP; i++) {
        const int64_t c = nn_dec_width[i];
        snprintf(p, sizeof p, "decoder.layer%d.0", i + 1), add_conv(l, p, c, cin, 4, 4, 1);
        snprintf(p, sizeof p, "decoder.layer%d.1", i + 1), add_bn(l, p, c);
        snprintf(p, sizeof p, "decoder.layer%d.3", i + 1), add_conv(l, p, c, c, 3, 3, 0);
        snprintf(p, sizeof p, "decoder.layer%d.4", i + 1), add_bn(l, p, c);
        cin = c;
    }
    for (int d = 0; d < NN_DIL; d++) {
        snprintf(p, sizeof p, "decoder.layer4_%d.0", d), add_conv(l, p, cin, cin, 3, 3, 0);
        snprintf(q, sizeof q, "decoder.layer4_%d.1", d), add_bn(l, q, cin);
    }
    add_conv(l, "decoder.layer5.0", 1, NN_DIL * cin, 1, 1, 0);
    add_bn(l, "decoder.layer5.1", 1);
    if (l->spec->extra) add(l, l->spec->extra, 1, 3, 0, 0, 0, SMALL, 1);
}

si_err nn_random_weights(const char *path, const nn_random_spec *spec) {
    list *l = calloc(1, sizeof *l);
    if (!l) return si_fail(SI_ENOMEM, "out of memory");
    l->spec = spec;
    l->rng = spec->seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    const int S = spec->S ? spec->S : 20, R = spec->R ? spec->R : 32;
    const int T = spec->T ? spec->T : 1000, H = spec->H ? spec->H : 100;
    const int W = spec->W ? spec->W : 100;
    build(l, S, R, T);
    char v[5][16];
    snprintf(v[0], 16, "%d", S), snprintf(v[1], 16, "%d", R), snprintf(v[2], 16, "%d", T);
    snprintf(v[3], 16, "%d", H), snprintf(v[4], 16, "%d", W);
    const si_st_kv meta[] = {
        {"seisinv.arch", "seisinvnet"},
        {"seisinv.S", v[0]},
        {"seisinv.R", v[1]},
        {"seisinv.T", v[2]},
        {"seisinv.H", v[3]},
        {"seisinv.W", v[4]},
        {"seisinv.trained_on", "random weights (nn_random_weights)"},
    };
    si_err st = l->failed ? si_fail(SI_ENOMEM, "out of memory for random weights")
                          : si_st_write(path, l->e, (size_t)l->n, meta,
                                        spec->no_metadata ? 0 : sizeof meta / sizeof *meta);
    for (int i = 0; i < l->n; i++)
        free(l->data[i]);
    free(l);
    return st;
}
