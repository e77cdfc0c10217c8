/* The plan: the steps of one forward pass, the buffers they read and write
 * (with the steps that use them, for the arena planner), the per-thread
 * scratch, and where each packed weight goes. Sizes only: nothing is
 * allocated here. */
#include <stdio.h>
#include <string.h>

#include "core/error_internal.h"
#include "nn_internal.h"

static size_t align16(size_t floats) {
    return (floats + 15) / 16 * 16;
}

/* Reserves floats in the weight block (64-byte aligned). */
static size_t wslot(si_model *m, size_t floats) {
    size_t off = m->weight_floats;
    m->weight_floats += align16(floats);
    return off;
}

static int add_buf(si_model *m, const char *name, size_t floats) {
    nn_buf *b = &m->bufs[m->nbufs];
    *b = (nn_buf){.name = name, .floats = floats ? floats : 1, .first = -1, .last = -1};
    return m->nbufs++;
}

/* Marks buffer `id` as used by step `s`. */
static void use(si_model *m, int id, int s) {
    nn_buf *b = &m->bufs[id];
    if (b->first < 0 || s < b->first) b->first = s;
    if (s > b->last) b->last = s;
}

static int add_prof(si_model *m, const char *name, double flops) {
    nn_prof *p = &m->prof[m->nprof];
    snprintf(p->name, sizeof p->name, "%s", name);
    p->flops = flops;
    return m->nprof++;
}

static nn_step *add_step(si_model *m, nn_step_kind kind, int in, int out, int prof) {
    const int s = m->nsteps++;
    nn_step *st = &m->steps[s];
    *st = (nn_step){.kind = kind, .in = in, .out = out, .prof = prof, .conv0 = m->nconvs};
    if (in >= 0) use(m, in, s);
    if (out >= 0) use(m, out, s);
    return st;
}

/* A conv with its weight slots; images, strides set here. */
static nn_conv *add_conv(si_model *m, const si_conv_geom *g, int cout, int images, size_t in_stride,
                         size_t out_stride, size_t out_cstride, const char *wname,
                         const char *bnname, int phase) {
    nn_conv *c = &m->convs[m->nconvs++];
    *c = (nn_conv){.images = images,
                   .in_stride = in_stride,
                   .out_stride = out_stride,
                   .out_cstride = out_cstride,
                   .phase = phase};
    snprintf(c->wname, sizeof c->wname, "%s", wname);
    snprintf(c->bnname, sizeof c->bnname, "%s", bnname);
    nn_conv_setup(c, g, cout, 1, m->kern.gemm);
    c->a_off = wslot(m, c->wino ? SI_WINO_POS * c->a_stride
                                : si_gemm_packed_a_floats(m->kern.gemm, (size_t)cout, c->k));
    c->shift_off = (phase > 0) ? c[-phase].shift_off : wslot(m, (size_t)cout);
    return c;
}

/* Nominal FLOPs (direct convolution), whatever algorithm runs it. */
static double conv_flops(const nn_conv *c) {
    const double k = (double)c->g.cin * c->g.kh * c->g.kw;
    return 2.0 * c->cout * k * (double)c->npix * c->images;
}

/* The per-shot buffers of one thread, placed with the same planner over the
 * shot's sub-steps: 0 input, 1-3 Neighbour convs, 4-7 Global layers 1-4
 * (one band of receivers). */
static void plan_shot(si_model *m) {
    const size_t R = (size_t)m->info.R, T = (size_t)m->info.T, B = (size_t)m->band;
    nn_buf b[6] = {
        {"x", R * T, 0, 0, 7},
        {"neig a", NN_NEIG_C * R * T, 0, 1, 3},
        {"neig b", NN_NEIG_C * R * T, 0, 2, 3},
        {"glob 1", (size_t)nn_glob[0].cout * B * m->gw[0], 0, 4, 5},
        {"glob 2", (size_t)nn_glob[1].cout * B * m->gw[1], 0, 5, 6},
        {"glob 3", (size_t)nn_glob[2].cout * B * m->gw[2], 0, 6, 7},
    };
    size_t bytes;
    nn_arena_place(b, 6, &bytes);
    m->shot = (nn_shot_layout){.x = b[0].offset / 4,
                               .na = b[1].offset / 4,
                               .nb = b[2].offset / 4,
                               .g = {b[3].offset / 4, b[4].offset / 4, b[5].offset / 4},
                               .floats = align16(bytes / 4)};
}

static void plan_shots_step(si_model *m, int gbuf_out, int ebuf) {
    const si_model_info *in = &m->info;
    const double R = in->R, T = in->T, S = in->S;
    m->shot_prof0 = add_prof(m, "input (normalise)", 0);
    add_prof(m, "encoder.neig (3 conv + norm)",
             2.0 * S * R * T * 25 * (1 * NN_NEIG_C + NN_NEIG_C * NN_NEIG_C + NN_NEIG_C));
    add_prof(m, "encoder.glob.layer1", 2.0 * S * nn_glob[0].cout * 7 * R * m->l1w);
    m->g1_w = wslot(m, (size_t)nn_glob[0].cout * 7);
    m->g1_scale = wslot(m, (size_t)nn_glob[0].cout);
    m->g1_shift = wslot(m, (size_t)nn_glob[0].cout);
    m->glob_conv0 = m->nconvs;
    m->band = in->R < NN_BAND ? in->R : NN_BAND;
    for (int i = 1; i <= 3; i++) {
        const nn_glob_layer *l = &nn_glob[i];
        si_conv_geom g; /* one band; rows are independent (kernel height 1) */
        si_conv_geom_init(&g, l->cin, m->band, m->gw[i - 1], l->kh, l->kw, l->sh, l->sw, l->ph,
                          l->pw, 1, 1);
        char w[48], bn[48];
        snprintf(w, sizeof w, "encoder.glob.layer%d.0", i + 1);
        snprintf(bn, sizeof bn, "encoder.glob.layer%d.1", i + 1);
        /* layer 4 writes its band into the shared [S, 64, R, ·] map */
        const size_t plane = (size_t)m->gh[i] * m->gw[i];
        add_conv(m, &g, l->cout, 1, 0, (size_t)l->cout * plane, i == 3 ? plane : 0, w, bn, -1);
        add_prof(m, w, 2.0 * S * l->cout * l->cin * l->kh * l->kw * (double)plane);
    }
    for (int i = 0; i < NN_NEIG; i++) {
        const int cin = i == 0 ? 1 : NN_NEIG_C, cout = i == NN_NEIG - 1 ? 1 : NN_NEIG_C;
        m->neig_w[i] = wslot(m, (size_t)cout * cin * 25);
        m->neig_b[i] = wslot(m, (size_t)cout);
    }
    plan_shot(m);
    nn_step *st = add_step(m, NN_STEP_SHOTS, -1, gbuf_out, m->shot_prof0);
    st->nconv = 0;
    use(m, ebuf, m->nsteps - 1);
    use(m, m->buf_priv, m->nsteps - 1);
    use(m, m->buf_survey, m->nsteps - 1);
}

/* One conv step over buffer in → out. */
static nn_conv *conv_step(si_model *m, int in, int out, const si_conv_geom *g, int cout, int images,
                          size_t in_stride, size_t out_stride, const char *w, const char *bn) {
    const int prof = add_prof(m, w, 0);
    nn_step *st = add_step(m, NN_STEP_CONV, in, out, prof);
    nn_conv *c = add_conv(m, g, cout, images, in_stride, out_stride, 0, w, bn, -1);
    st->nconv = 1;
    m->prof[prof].flops = conv_flops(c);
    return c;
}

/* GEMM blocks a conv needs: none to pack (A and B come packed), only the
 * driver's alignment slack. */
static size_t conv_gemm_ws(const nn_conv *c, const si_gemm_kernels *gemm) {
    si_sgemm_args a = {.m = (size_t)c->cout,
                       .n = c->chunk,
                       .k = c->k,
                       .a_packed = (void *)1,
                       .b_packed = (void *)1};
    return si_sgemm_workspace_bytes(gemm, &a);
}

/* Step i's per-thread scratch (im2col chunk, spanning-chunk output, GEMM
 * blocks), sized for its own convs or linear and alive during it alone, so
 * the big im2col chunk of a deep layer does not pin memory for the whole
 * pass. Steps with nothing to pack get none. */
static void plan_step_scratch(si_model *m, int i) {
    const si_gemm_kernels *gemm = m->kern.gemm;
    nn_step *st = &m->steps[i];
    size_t bpack = 0, ctmp = 0, gws = 0;
    int c0 = st->conv0, nc = st->nconv;
    if (st->kind == NN_STEP_SHOTS) c0 = m->glob_conv0, nc = 3;
    for (int j = c0; j < c0 + nc; j++) {
        const nn_conv *c = &m->convs[j];
        if (nn_conv_bpack_floats(c, gemm) > bpack) bpack = nn_conv_bpack_floats(c, gemm);
        if (nn_conv_ctmp_floats(c) > ctmp) ctmp = nn_conv_ctmp_floats(c);
        if (conv_gemm_ws(c, gemm) > gws) gws = conv_gemm_ws(c, gemm);
    }
    if (st->kind == NN_STEP_LINEAR) {
        const nn_linear *L = &m->lin[st->linear];
        si_sgemm_args a = {.m = L->m, .n = L->n, .k = L->k, .lda = L->k, .b_packed = (void *)1};
        gws = si_sgemm_workspace_bytes(gemm, &a);
    }
    st->ws = -1;
    if (!bpack && !ctmp && !gws) return;
    st->ws_bpack = align16(bpack), st->ws_ctmp = align16(ctmp);
    st->ws_bytes = (st->ws_bpack + st->ws_ctmp) * sizeof(float) + (gws + 63) / 64 * 64;
    st->ws = add_buf(m, "step scratch", (size_t)m->threads * st->ws_bytes / sizeof(float));
    use(m, st->ws, i);
}

si_err nn_plan(si_model *m) {
    const si_model_info *in = &m->info;
    const int S = in->S, R = in->R, T = in->T, SR = S * R;
    const si_gemm_kernels *gemm = m->kern.gemm;
    nn_glob_sizes(R, T, m->gh, m->gw);
    m->l1w = si_conv_g1_out_len(T);
    m->elen = (size_t)NN_GLOB_OUT + (size_t)S + (size_t)R + (size_t)T;
    m->crop_top = si_act_centre_start(NN_DEC_SIZE, in->H);
    m->crop_left = si_act_centre_start(NN_DEC_SIZE, in->W);

    /* buffers whose sizes are known up front; priv and step scratch below */
    m->buf_priv = add_buf(m, "per-shot buffers", 1);
    int gbuf[NN_GLOB];
    static const char *gnames[NN_GLOB] = {"",      "",      "",      "glob4",  "glob5", "glob6",
                                          "glob7", "glob8", "glob9", "glob10", "glob11"};
    for (int i = 3; i < NN_GLOB; i++)
        gbuf[i] = add_buf(m, gnames[i], (size_t)S * nn_glob[i].cout * m->gh[i] * m->gw[i]);
    m->buf_gvec = gbuf[NN_GLOB - 1];
    m->buf_e = add_buf(m, "embedding", (size_t)SR * m->elen);
    /* a caller may read the survey straight into the arena (read only by
     * the shots step, so it costs no memory at the peak) */
    m->buf_survey = add_buf(m, "survey", (size_t)SR * (size_t)T);

    /* encoder */
    plan_shots_step(m, gbuf[3], m->buf_e);
    for (int i = 4; i < NN_GLOB - 1; i++) {
        const nn_glob_layer *l = &nn_glob[i];
        si_conv_geom g;
        si_conv_geom_init(&g, l->cin, m->gh[i - 1], m->gw[i - 1], l->kh, l->kw, l->sh, l->sw, l->ph,
                          l->pw, 1, 1);
        char w[48], bn[48];
        snprintf(w, sizeof w, "encoder.glob.layer%d.0", i + 1);
        snprintf(bn, sizeof bn, "encoder.glob.layer%d.1", i + 1);
        conv_step(m, gbuf[i - 1], gbuf[i], &g, l->cout, S,
                  (size_t)l->cin * m->gh[i - 1] * m->gw[i - 1],
                  (size_t)l->cout * m->gh[i] * m->gw[i], w, bn);
    }
    {
        const nn_glob_layer *l = &nn_glob[NN_GLOB - 1];
        const size_t k = (size_t)l->cin * l->kh * l->kw;
        nn_step *st = add_step(m, NN_STEP_LINEAR, gbuf[NN_GLOB - 2], m->buf_gvec,
                               add_prof(m, "encoder.glob.layer11.0", 2.0 * S * k * l->cout));
        st->linear = NN_LIN_GLOB11;
        nn_linear *L = &m->lin[NN_LIN_GLOB11];
        *L = (nn_linear){.m = (size_t)S, .k = k, .n = (size_t)l->cout};
        L->b_off = wslot(m, si_gemm_packed_b_floats(gemm, k, L->n));
        L->bias_off = wslot(m, L->n);
    }
    add_step(m, NN_STEP_EMBED, m->buf_gvec, m->buf_e, add_prof(m, "embedding (global part)", 0));

    /* generator */
    int prev = m->buf_e;
    size_t k = m->elen;
    static const char *fnames[NN_GEN] = {"gen1", "gen2", "gen3", "gen4", "gen5"};
    for (int i = 0; i < NN_GEN; i++) {
        const size_t n = (size_t)nn_gen_width[i];
        const int out = add_buf(m, fnames[i], (size_t)SR * n);
        char name[48];
        snprintf(name, sizeof name, "generator.lin%d", i + 1);
        nn_step *st = add_step(m, NN_STEP_LINEAR, prev, out,
                               add_prof(m, name, 2.0 * SR * (double)k * (double)n));
        st->linear = i;
        nn_linear *L = &m->lin[i];
        *L = (nn_linear){.m = (size_t)SR, .k = k, .n = n, .row_bn = 1};
        L->b_off = wslot(m, si_gemm_packed_b_floats(gemm, k, n));
        L->bias_off = wslot(m, n);
        L->scale_off = wslot(m, (size_t)SR);
        L->shift_off = wslot(m, (size_t)SR);
        prev = out, k = n;
    }

    /* decoder: three (convT, conv) levels, the dilated branches, the head */
    int cin = SR, h = NN_FMAP;
    for (int l = 0; l < NN_DEC_UP; l++) {
        const int cout = nn_dec_width[l];
        const size_t npix = (size_t)h * h;
        static const char *pn[3] = {"dec1 phases", "dec2 phases", "dec3 phases"};
        static const char *un[3] = {"dec1 up", "dec2 up", "dec3 up"};
        static const char *cn[3] = {"dec1", "dec2", "dec3"};
        const int phases = add_buf(m, pn[l], (size_t)4 * cout * npix);
        const int up = add_buf(m, un[l], (size_t)4 * cout * npix);
        const int conv = add_buf(m, cn[l], (size_t)4 * cout * npix);
        char w[48], bn[48], label[48];
        snprintf(w, sizeof w, "decoder.layer%d.0", l + 1);
        snprintf(bn, sizeof bn, "decoder.layer%d.1", l + 1);
        snprintf(label, sizeof label, "decoder.layer%d.0 (convT)", l + 1);
        const int prof = add_prof(m, label, 0);
        nn_step *st = add_step(m, NN_STEP_CONV, prev, phases, prof);
        st->nconv = 4;
        for (int q = 0; q < 4; q++) {
            si_conv_geom g;
            si_convt_phase_geom(&g, cin, h, h, q / 2, q % 2);
            /* phase q of channel co at [co][q]: interleave then runs per channel */
            nn_conv *c = add_conv(m, &g, cout, 1, 0, 0, 4 * npix, w, bn, q);
            st->out_off[q] = (size_t)q * npix;
            m->prof[prof].flops += conv_flops(c);
        }
        snprintf(label, sizeof label, "decoder.layer%d interleave", l + 1);
        st = add_step(m, NN_STEP_INTERLEAVE, phases, up, add_prof(m, label, 0));
        st->dec = l;
        h *= 2;
        si_conv_geom g;
        si_conv_geom_init(&g, cout, h, h, 3, 3, 1, 1, 1, 1, 1, 1);
        snprintf(w, sizeof w, "decoder.layer%d.3", l + 1);
        snprintf(bn, sizeof bn, "decoder.layer%d.4", l + 1);
        conv_step(m, up, conv, &g, cout, 1, 0, 0, w, bn);
        prev = conv, cin = cout;
    }
    const size_t npix = (size_t)h * h;
    const int cat = add_buf(m, "dec4 concat", (size_t)NN_DIL * cin * npix);
    const int prof = add_prof(m, "decoder.layer4_0..3 (dilated)", 0);
    nn_step *st = add_step(m, NN_STEP_CONV, prev, cat, prof);
    st->nconv = NN_DIL;
    for (int d = 0; d < NN_DIL; d++) {
        si_conv_geom g;
        const int dil = nn_dilation[d];
        si_conv_geom_init(&g, cin, h, h, 3, 3, 1, 1, dil, dil, dil, dil);
        char w[48], bn[48];
        snprintf(w, sizeof w, "decoder.layer4_%d.0", d);
        snprintf(bn, sizeof bn, "decoder.layer4_%d.1", d);
        nn_conv *c = add_conv(m, &g, cin, 1, 0, 0, 0, w, bn, -1);
        st->out_off[d] = (size_t)d * cin * npix;
        m->prof[prof].flops += conv_flops(c);
    }
    add_step(
        m, NN_STEP_HEAD, cat, -1,
        add_prof(m, "decoder.layer5 + sigmoid (crop)", 2.0 * NN_DIL * cin * (double)in->H * in->W));
    m->head.w_off = wslot(m, (size_t)NN_DIL * cin);
    m->head.b_off = wslot(m, 1);

    const size_t P = (size_t)m->threads;
    for (int i = 0, n = m->nsteps; i < n; i++)
        plan_step_scratch(m, i);
    m->bufs[m->buf_priv].floats = P * m->shot.floats;
    for (int i = 0; i < m->nbufs; i++)
        if (m->bufs[i].first < 0)
            return si_fail(SI_EINVAL, "internal: buffer '%s' is never used", m->bufs[i].name);
    nn_arena_place(m->bufs, m->nbufs, &m->arena_bytes);
    for (int i = 0; i < m->nprof; i++)
        m->info.flops += m->prof[i].flops;
    return SI_OK;
}
