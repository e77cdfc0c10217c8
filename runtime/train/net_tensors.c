/* The training graph's state dict (SPEC §1 names, shapes and PyTorch's
 * order) and the geometry of every layer, from the configuration alone. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error_internal.h"
#include "net_internal.h"

static int add(si_net *n, const char *name, int ndim, int64_t a, int64_t b, int64_t c, int64_t d,
               int kind, double fan_in) {
    tr_tensor *t = &n->tensors[n->ntensors];
    snprintf(t->name, sizeof t->name, "%s", name);
    t->ndim = ndim;
    t->shape[0] = a, t->shape[1] = b, t->shape[2] = c, t->shape[3] = d;
    t->numel = 1;
    for (int i = 0; i < ndim; i++)
        t->numel *= (size_t)t->shape[i];
    t->off = n->param_floats;
    t->kind = kind;
    t->fan_in = fan_in;
    t->has_grad = kind != TR_T_RMEAN && kind != TR_T_RVAR;
    /* 16-float alignment keeps every tensor on its own cache lines */
    n->param_floats += (t->numel + 15) / 16 * 16;
    return n->ntensors++;
}

static void add_bn(si_net *n, tr_bn *bn, const char *prefix, int C) {
    char s[TR_NAME + 16];
    bn->C = C;
    snprintf(s, sizeof s, "%s.weight", prefix), bn->gamma = add(n, s, 1, C, 0, 0, 0, TR_T_GAMMA, 0);
    snprintf(s, sizeof s, "%s.bias", prefix), bn->beta = add(n, s, 1, C, 0, 0, 0, TR_T_BETA, 0);
    snprintf(s, sizeof s, "%s.running_mean", prefix);
    bn->rmean = add(n, s, 1, C, 0, 0, 0, TR_T_RMEAN, 0);
    snprintf(s, sizeof s, "%s.running_var", prefix);
    bn->rvar = add(n, s, 1, C, 0, 0, 0, TR_T_RVAR, 0);
}

/* A conv (transposed = 0) or ConvTranspose2d layer's tensors and geometry.
 * (cin, h, w) is the layer's input; the output size is returned in *ho, *wo. */
static void add_conv(si_net *n, tr_conv *c, const char *prefix, int cin, int cout, int h, int w,
                     int kh, int kw, int sh, int sw, int ph, int pw, int dil, int transposed,
                     int *ho, int *wo) {
    char s[TR_NAME + 16];
    snprintf(s, sizeof s, "%s.weight", prefix);
    if (transposed) {
        /* PyTorch's fan-in of a [cin, cout, kh, kw] weight is its dim 1 × taps */
        const double fan = (double)cout * kh * kw;
        c->w = add(n, s, 4, cin, cout, kh, kw, TR_T_WEIGHT, fan);
        snprintf(s, sizeof s, "%s.bias", prefix);
        c->b = add(n, s, 1, cout, 0, 0, 0, TR_T_BIAS, fan);
        *ho = (h - 1) * sh - 2 * ph + dil * (kh - 1) + 1;
        *wo = (w - 1) * sw - 2 * pw + dil * (kw - 1) + 1;
        si_conv_geom_init(&c->g, cout, *ho, *wo, kh, kw, sh, sw, ph, pw, dil, dil);
        c->rows = cin;
        c->hi_pix = (size_t)*ho * (size_t)*wo;
    } else {
        const double fan = (double)cin * kh * kw;
        c->w = add(n, s, 4, cout, cin, kh, kw, TR_T_WEIGHT, fan);
        snprintf(s, sizeof s, "%s.bias", prefix);
        c->b = add(n, s, 1, cout, 0, 0, 0, TR_T_BIAS, fan);
        si_conv_geom_init(&c->g, cin, h, w, kh, kw, sh, sw, ph, pw, dil, dil);
        *ho = c->g.hout, *wo = c->g.wout;
        c->rows = cout;
        c->hi_pix = (size_t)h * (size_t)w;
    }
    c->transposed = transposed;
    c->npix = (size_t)c->g.hout * (size_t)c->g.wout;
    c->k = si_conv_im2col_k(&c->g);
}

static void set_out(tr_layer *l, int C, size_t P) {
    l->C = C, l->P = P, l->a_stride = (size_t)C * P;
}

si_err tr_build(si_net *n) {
    const si_model_info *in = &n->info;
    n->S = in->S, n->R = in->R, n->T = in->T, n->H = in->H, n->W = in->W;
    n->E = NN_GLOB_OUT + n->S + n->R + n->T;
    n->crop_top = (NN_DEC_SIZE - n->H) / 2, n->crop_left = (NN_DEC_SIZE - n->W) / 2;
    n->ntensors = 0, n->param_floats = 0;
    char p[TR_NAME];
    int h = n->R, w = n->T, ho, wo;
    for (int i = 0; i < TR_GLOB; i++) {
        const nn_glob_layer *g = &nn_glob[i];
        tr_layer *l = &n->glob[i];
        snprintf(p, sizeof p, "encoder.glob.layer%d.0", i + 1);
        add_conv(n, &l->conv, p, g->cin, g->cout, h, w, g->kh, g->kw, g->sh, g->sw, g->ph, g->pw, 1,
                 0, &ho, &wo);
        snprintf(p, sizeof p, "encoder.glob.layer%d.1", i + 1);
        add_bn(n, &l->bn, p, g->cout);
        set_out(l, g->cout, (size_t)ho * wo);
        n->gh[i] = h = ho, n->gw[i] = w = wo;
    }
    if (h != 1 || w != 1)
        return si_fail(SI_EINVAL, "R=%d, T=%d: the Global branch ends at %dx%d, not 1x1", n->R,
                       n->T, h, w);
    for (int i = 0; i < TR_NEIG; i++) {
        tr_layer *l = &n->neig[i];
        const int cin = i == 0 ? 1 : NN_NEIG_C, cout = i == TR_NEIG - 1 ? 1 : NN_NEIG_C;
        snprintf(p, sizeof p, "encoder.neig.conv%d", i + 1);
        add_conv(n, &l->conv, p, cin, cout, n->R, n->T, 5, 5, 1, 1, 2, 2, 1, 0, &ho, &wo);
        set_out(l, cout, (size_t)n->R * n->T);
    }
    const int SR = n->S * n->R;
    int k = n->E;
    for (int i = 0; i < TR_GEN; i++) {
        tr_layer *l = &n->gen[i];
        const int wd = nn_gen_width[i];
        char s[TR_NAME + 16];
        l->lin.in = k, l->lin.out = wd;
        snprintf(s, sizeof s, "generator.lin%d.weight", i + 1);
        l->lin.w = add(n, s, 2, wd, k, 0, 0, TR_T_WEIGHT, k);
        snprintf(s, sizeof s, "generator.lin%d.bias", i + 1);
        l->lin.b = add(n, s, 1, wd, 0, 0, 0, TR_T_BIAS, k);
        snprintf(p, sizeof p, "generator.bn%d", i + 1);
        add_bn(n, &l->bn, p, SR);
        set_out(l, SR, (size_t)wd);
        k = wd;
    }
    int cin = SR;
    h = w = NN_FMAP;
    for (int i = 0; i < TR_UP; i++) {
        const int c = nn_dec_width[i];
        tr_layer *t = &n->up[i][0], *v = &n->up[i][1];
        snprintf(p, sizeof p, "decoder.layer%d.0", i + 1);
        add_conv(n, &t->conv, p, cin, c, h, w, 4, 4, 2, 2, 1, 1, 1, 1, &ho, &wo);
        snprintf(p, sizeof p, "decoder.layer%d.1", i + 1), add_bn(n, &t->bn, p, c);
        set_out(t, c, (size_t)ho * wo);
        h = ho, w = wo;
        snprintf(p, sizeof p, "decoder.layer%d.3", i + 1);
        add_conv(n, &v->conv, p, c, c, h, w, 3, 3, 1, 1, 1, 1, 1, 0, &ho, &wo);
        snprintf(p, sizeof p, "decoder.layer%d.4", i + 1), add_bn(n, &v->bn, p, c);
        set_out(v, c, (size_t)ho * wo);
        cin = c;
    }
    const size_t P = (size_t)h * w;
    for (int d = 0; d < TR_DIL; d++) {
        tr_layer *l = &n->dil[d];
        const int dl = nn_dilation[d];
        snprintf(p, sizeof p, "decoder.layer4_%d.0", d);
        add_conv(n, &l->conv, p, cin, cin, h, w, 3, 3, 1, 1, dl, dl, dl, 0, &ho, &wo);
        snprintf(p, sizeof p, "decoder.layer4_%d.1", d), add_bn(n, &l->bn, p, cin);
        set_out(l, cin, P);
        l->a_stride = (size_t)TR_DIL * cin * P; /* inside the concat */
    }
    add_conv(n, &n->head.conv, "decoder.layer5.0", TR_DIL * cin, 1, h, w, 1, 1, 1, 1, 0, 0, 1, 0,
             &ho, &wo);
    add_bn(n, &n->head.bn, "decoder.layer5.1", 1);
    set_out(&n->head, 1, P);
    if (h != NN_DEC_SIZE || w != NN_DEC_SIZE)
        return si_fail(SI_EINVAL, "decoder ends at %dx%d, not %d", h, w, NN_DEC_SIZE);
    return SI_OK;
}

/* splitmix64: a seed per tensor, uniforms from a counter, so one tensor's
 * values do not depend on the shapes before it. */
static uint64_t mix(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void tr_init_params(si_net *n, uint64_t seed) {
    for (int i = 0; i < n->ntensors; i++) {
        const tr_tensor *t = &n->tensors[i];
        float *v = tr_data(n, i);
        const uint64_t base = mix(seed ^ mix((uint64_t)i + 1));
        const double bound = t->fan_in > 0 ? 1.0 / sqrt(t->fan_in) : 0;
        for (size_t j = 0; j < t->numel; j++) {
            switch (t->kind) {
            case TR_T_WEIGHT:
            case TR_T_BIAS: {
                const double u = (double)(mix(base + j) >> 11) / 9007199254740992.0; /* [0, 1) */
                v[j] = (float)((2 * u - 1) * bound);
                break;
            }
            case TR_T_GAMMA:
            case TR_T_RVAR:
                v[j] = 1.0f;
                break;
            default:
                v[j] = 0.0f;
            }
        }
    }
}
