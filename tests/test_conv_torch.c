/* The conv / norm / act kernels against PyTorch (F.conv2d, batch_norm,
 * F.conv_transpose2d, sigmoid) through tests/oracle/conv_ops.py on saved
 * .npy inputs: every table this CPU runs. Skips when /usr/bin/python3 has
 * no torch. */
#include "conv_test_util.h"

#include "act/act.h"
#include "norm/norm.h"
#include "seisinv/npy.h"

static char dir[256];

static void put(const char *name, int ndim, const int64_t *shape, const float *data) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.npy", dir, name);
    si_err e = si_npy_write(path, ndim, shape, data);
    assert_int_equal(e, SI_OK);
}

/* The oracle's output for a case, checked to hold n floats. */
static float *get(const char *name, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s_y.npy", dir, name);
    si_array a;
    if (si_npy_read(path, &a) != SI_OK) fail_msg("oracle wrote no %s", path);
    assert_int_equal((size_t)si_array_numel(&a), n);
    return a.data;
}

/* Both sides round in float: twice the tolerance of the double oracles. */
static void against(const float *got, const float *torch, const double *mag, size_t n, double terms,
                    const char *what) {
    double r = ct_compare(got, torch, mag, n, 4 * terms, what);
    print_message("%-36s worst error %.3f of the tolerance\n", what, r);
}

static void test_against_torch(void **state) {
    (void)state;
    if (system("/usr/bin/python3 -c 'import torch, numpy' >/dev/null 2>&1") != 0) skip();
    const char *tmp = si_test_tmpdir();
    assert_non_null(tmp);
    snprintf(dir, sizeof dir, "%s", tmp);

    /* g1: R = 7, T = 1001 (tails), BatchNorm with its running statistics. */
    const int gr = 7, gt = 1001, gc = 64, gto = si_conv_g1_out_len(gt);
    float *gx = ct_buf((size_t)gr * gt), *gw = ct_buf(gc * 7), *gb = ct_buf(gc);
    float *gamma = ct_buf(gc), *beta = ct_buf(gc), *rmean = ct_buf(gc), *rvar = ct_buf(gc);
    for (int c = 0; c < gc; c++)
        rvar[c] = 0.2f + fabsf(rvar[c]);
    put("g1_x", 2, (int64_t[]){gr, gt}, gx);
    put("g1_w", 2, (int64_t[]){gc, 7}, gw);
    put("g1_b", 1, (int64_t[]){gc}, gb);
    put("g1_gamma", 1, (int64_t[]){gc}, gamma);
    put("g1_beta", 1, (int64_t[]){gc}, beta);
    put("g1_mean", 1, (int64_t[]){gc}, rmean);
    put("g1_var", 1, (int64_t[]){gc}, rvar);

    /* Neighbour convs: the network's three channel pairs, odd sizes. */
    static const int nb[3][4] = {{1, 4, 7, 37}, {4, 4, 5, 1001}, {4, 1, 32, 43}};
    float *nbx[3], *nbw[3], *nbb[3];
    for (int k = 0; k < 3; k++) {
        char n[32];
        nbx[k] = ct_buf((size_t)nb[k][0] * nb[k][2] * nb[k][3]);
        nbw[k] = ct_buf((size_t)nb[k][1] * nb[k][0] * 25);
        nbb[k] = ct_buf((size_t)nb[k][1]);
        snprintf(n, sizeof n, "nb%d_x", k);
        put(n, 3, (int64_t[]){nb[k][0], nb[k][2], nb[k][3]}, nbx[k]);
        snprintf(n, sizeof n, "nb%d_w", k);
        put(n, 4, (int64_t[]){nb[k][1], nb[k][0], 5, 5}, nbw[k]);
        snprintf(n, sizeof n, "nb%d_b", k);
        put(n, 1, (int64_t[]){nb[k][1]}, nbb[k]);
    }

    /* im2col + GEMM convs: {nimg, cin, h, w, cout, kh, kw, sh, sw, ph, pw, dh, dw} */
    static const int cv[4][13] = {{2, 3, 9, 13, 5, 3, 3, 2, 2, 1, 1, 2, 2},
                                  {3, 4, 7, 37, 6, 1, 3, 1, 2, 0, 1, 1, 1},
                                  {1, 2, 16, 15, 3, 3, 3, 1, 1, 7, 7, 7, 7},
                                  {5, 6, 4, 4, 7, 4, 4, 1, 1, 0, 0, 1, 1}};
    si_conv_geom cg[4];
    float *cvx[4], *cvw[4], *cvb[4];
    for (int k = 0; k < 4; k++) {
        const int *p = cv[k];
        char n[32];
        assert_int_equal(si_conv_geom_init(&cg[k], p[1], p[2], p[3], p[5], p[6], p[7], p[8], p[9],
                                           p[10], p[11], p[12]),
                         0);
        cvx[k] = ct_buf((size_t)p[0] * p[1] * p[2] * p[3]);
        cvw[k] = ct_buf((size_t)p[4] * p[1] * p[5] * p[6]);
        cvb[k] = ct_buf((size_t)p[4]);
        const float prm[6] = {(float)p[7],  (float)p[8],  (float)p[9],
                              (float)p[10], (float)p[11], (float)p[12]};
        snprintf(n, sizeof n, "cv%d_x", k);
        put(n, 4, (int64_t[]){p[0], p[1], p[2], p[3]}, cvx[k]);
        snprintf(n, sizeof n, "cv%d_w", k);
        put(n, 4, (int64_t[]){p[4], p[1], p[5], p[6]}, cvw[k]);
        snprintf(n, sizeof n, "cv%d_b", k);
        put(n, 1, (int64_t[]){p[4]}, cvb[k]);
        snprintf(n, sizeof n, "cv%d_p", k);
        put(n, 1, (int64_t[]){6}, prm);
    }

    /* ConvTranspose2d(6 → 4, 4, 2, 1) on 5×7. */
    const int tci = 6, tco = 4, th = 5, tw = 7;
    float *tx = ct_buf((size_t)tci * th * tw), *tw8 = ct_buf((size_t)tci * tco * 16),
          *tb = ct_buf(tco);
    put("ct_x", 3, (int64_t[]){tci, th, tw}, tx);
    put("ct_w", 4, (int64_t[]){tci, tco, 4, 4}, tw8);
    put("ct_b", 1, (int64_t[]){tco}, tb);

    /* Block instance norm over a (4, 7, 37) block; sigmoid over 1001 values. */
    const size_t nin = 4 * 7 * 37, nsg = 1001;
    float *inx = ct_buf(nin), *sgx = ct_buf(nsg);
    for (size_t i = 0; i < nin; i++)
        inx[i] = 2.0f * inx[i] + 0.3f;
    for (size_t i = 0; i < nsg; i++)
        sgx[i] *= 20.0f;
    put("in_x", 3, (int64_t[]){4, 7, 37}, inx);
    put("sg_x", 1, (int64_t[]){(int64_t)nsg}, sgx);

    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/oracle/conv_ops.py' '%s'",
             getenv("SEISINV_SRC") ? getenv("SEISINV_SRC") : ".", dir);
    assert_int_equal(system(cmd), 0);

    const float *g1y = get("g1", (size_t)gc * gr * gto);
    float *scale = malloc(gc * sizeof *scale), *shift = malloc(gc * sizeof *shift);
    for (int c = 0; c < gc; c++) { /* the fold the runtime does at load */
        scale[c] = gamma[c] / sqrtf(rvar[c] + 1e-5f);
        shift[c] = beta[c] + (gb[c] - rmean[c]) * scale[c];
    }
    si_conv_geom gg;
    assert_int_equal(si_conv_geom_init(&gg, 1, gr, gt, 1, 7, 1, 4, 0, 3, 1, 1), 0);
    size_t gn = (size_t)gc * gr * gto;
    float *tmpf = malloc(gn * sizeof *tmpf);
    double *gmag = malloc(gn * sizeof *gmag);
    ct_naive_conv(tmpf, gmag, gx, gw, gb, &gg, gc);
    for (size_t i = 0; i < gn; i++) {
        int c = (int)(i / ((size_t)gr * gto));
        gmag[i] = (gmag[i] + fabs(rmean[c])) * fabs(scale[c]) + fabs(beta[c]);
    }

    for (int isa = 0; isa < SI_ISA_COUNT; isa++) {
        if (!si_isa_supported((si_isa)isa)) continue;
        const si_conv_kernels *ck = si_conv_kernels_for((si_isa)isa);
        const si_gemm_kernels *gk = si_gemm_kernels_for((si_isa)isa);
        const si_norm_kernels *nk = si_norm_kernels_for((si_isa)isa);
        const si_act_kernels *ak = si_act_kernels_for((si_isa)isa);
        char what[64];

        float *out = malloc(gn * sizeof *out);
        ck->g1(out, gx, gw, scale, shift, gc, gr, gt);
        snprintf(what, sizeof what, "g1 %s", ck->name);
        against(out, g1y, gmag, gn, 8, what);
        free(out);

        for (int k = 0; k < 3; k++) {
            si_conv_geom g;
            assert_int_equal(
                si_conv_geom_init(&g, nb[k][0], nb[k][2], nb[k][3], 5, 5, 1, 1, 2, 2, 1, 1), 0);
            size_t n = (size_t)nb[k][1] * nb[k][2] * nb[k][3];
            float *o = malloc(n * sizeof *o), *ref = malloc(n * sizeof *ref);
            double *mag = malloc(n * sizeof *mag);
            ct_naive_conv(ref, mag, nbx[k], nbw[k], nbb[k], &g, nb[k][1]);
            ck->nb5(o, nbx[k], nbw[k], nbb[k], nb[k][0], nb[k][1], nb[k][2], nb[k][3]);
            char name[16];
            snprintf(name, sizeof name, "nb%d", k);
            float *ty = get(name, n);
            snprintf(what, sizeof what, "nb5 %d->%d %s", nb[k][0], nb[k][1], ck->name);
            against(o, ty, mag, n, 25.0 * nb[k][0] + 1, what);
            free(o), free(ref), free(mag), free(ty);
        }

        for (int k = 0; k < 4; k++) {
            const si_conv_geom *g = &cg[k];
            const int nimg = cv[k][0], cout = cv[k][4];
            const size_t pix = (size_t)g->hout * g->wout, n = (size_t)cout * nimg * pix;
            float *o = malloc(n * sizeof *o), *ref = malloc(pix * cout * sizeof *ref);
            double *mag1 = malloc(pix * cout * sizeof *mag1), *mag = malloc(n * sizeof *mag);
            ct_conv_by_gemm(ck, gk, o, cvx[k], (size_t)g->cin * g->h * g->w, nimg, cvw[k], cvb[k],
                            NULL, NULL, g, cout, 1 + (size_t)ct_below((int)(nimg * pix)));
            /* ours is [cout, nimg·pix], torch's [nimg, cout, pix]: reorder torch's */
            char name[16];
            snprintf(name, sizeof name, "cv%d", k);
            float *ty = get(name, n), *tyr = malloc(n * sizeof *tyr);
            for (int b = 0; b < nimg; b++) {
                ct_naive_conv(ref, mag1, cvx[k] + (size_t)b * g->cin * g->h * g->w, cvw[k], cvb[k],
                              g, cout);
                for (int co = 0; co < cout; co++)
                    for (size_t p = 0; p < pix; p++) {
                        tyr[((size_t)co * nimg + b) * pix + p] =
                            ty[((size_t)b * cout + co) * pix + p];
                        mag[((size_t)co * nimg + b) * pix + p] = mag1[co * pix + p];
                    }
            }
            snprintf(what, sizeof what, "im2col+gemm cv%d %s+%s", k, ck->name, gk->name);
            against(o, tyr, mag, n, (double)si_conv_im2col_k(g) + 1, what);
            free(o), free(ref), free(mag1), free(mag), free(ty), free(tyr);
        }

        {
            size_t n = (size_t)tco * 4 * th * tw;
            float *o = malloc(n * sizeof *o), *ref = malloc(n * sizeof *ref);
            double *mag = malloc(n * sizeof *mag);
            ct_naive_convt(ref, mag, tx, tw8, tb, tci, tco, th, tw);
            ct_convt_by_phases(ck, gk, o, tx, tw8, tb, tci, tco, th, tw);
            float *ty = get("ct", n);
            snprintf(what, sizeof what, "convT phases %s+%s", ck->name, gk->name);
            against(o, ty, mag, n, 4.0 * tci + 1, what);
            free(o), free(ref), free(mag), free(ty);
        }

        {
            float *o = malloc(nin * sizeof *o), *ty = get("in", nin);
            double *mag = malloc(nin * sizeof *mag);
            float st[2];
            nk->block_relu(o, st, inx, nin, 1e-5f);
            for (size_t i = 0; i < nin; i++)
                mag[i] = (fabs(inx[i]) + fabs(st[0])) * st[1];
            snprintf(what, sizeof what, "block norm %s", nk->name);
            against(o, ty, mag, nin, 1, what);
            free(o), free(ty), free(mag);
        }

        {
            float *o = malloc(nsg * sizeof *o), *ty = get("sg", nsg);
            double *mag = malloc(nsg * sizeof *mag);
            ak->sigmoid(o, sgx, nsg);
            for (size_t i = 0; i < nsg; i++)
                mag[i] = ty[i] + 1e-37;
            snprintf(what, sizeof what, "sigmoid %s", ak->name);
            against(o, ty, mag, nsg, 1, what);
            free(o), free(ty), free(mag);
        }
    }

    free((void *)g1y), free(scale), free(shift), free(tmpf), free(gmag);
    free(gx), free(gw), free(gb), free(gamma), free(beta), free(rmean), free(rvar);
    for (int k = 0; k < 3; k++)
        free(nbx[k]), free(nbw[k]), free(nbb[k]);
    for (int k = 0; k < 4; k++)
        free(cvx[k]), free(cvw[k]), free(cvb[k]);
    free(tx), free(tw8), free(tb), free(inx), free(sgx);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_against_torch)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
