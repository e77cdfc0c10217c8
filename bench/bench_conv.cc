// Conv / norm / act kernels on the SeisInvNet paper shapes (S = 20 shots,
// R = 32, T = 1000), single thread, per kernel table this CPU runs.
//
//   conv_g1      Global layer 1 over 20 shots; GFLOP/s = 2·64·7 per output.
//   conv_nb5     the three Neighbour convs over 20 shots.
//   im2col       B panels alone, GB/s written (20 shots side by side): packed
//                straight from the image, or via the K×N matrix + gemm pack.
//   conv_gemm    a whole conv as im2col + si_sgemm, two ways: "panels"
//                packs straight into the GEMM's B panels (b_packed), "matrix"
//                writes the plain K×N im2col matrix and lets si_sgemm pack it.
//   convT        the decoder's ConvTranspose2d(k4, s2, p1) as 4 phase GEMMs +
//                interleave; GFLOP/s counts the 4 taps per output it needs.
//   block_norm   instance norm + ReLU over 20 Neighbour blocks (4×32×1000).
//   sigmoid      the decoder output, cropped 100×100 first and 128×128 whole.
// Shared machines are noisy: use --benchmark_repetitions and take the best.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "act/act.h"
#include "conv/conv.h"
#include "gemm/gemm.h"
#include "norm/norm.h"
}

namespace {

constexpr int S = 20, R = 32, T = 1000;

std::vector<float> random_floats(size_t n, uint32_t seed) {
    std::vector<float> v(n);
    for (auto &x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = (float)(seed >> 8) / 16777216.0f - 0.5f;
    }
    return v;
}

void set_rates(benchmark::State &state, double flop, double bytes) {
    if (flop > 0)
        state.counters["GFLOP/s"] =
            benchmark::Counter(flop * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    if (bytes > 0)
        state.counters["GB/s"] =
            benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

// --- direct convs -------------------------------------------------------------

// shots = 20: the output (41 MB) streams to L3/DRAM; shots = 1: it stays in L2.
void BM_g1(benchmark::State &state, const si_conv_kernels *ck, int shots) {
    const int C = 64, tout = si_conv_g1_out_len(T);
    auto in = random_floats((size_t)shots * R * T, 1), w = random_floats(C * 7, 2);
    auto sc = random_floats(C, 3), sh = random_floats(C, 4);
    std::vector<float> out((size_t)shots * C * R * tout);
    for (auto _ : state) {
        for (int s = 0; s < shots; s++)
            ck->g1(out.data() + (size_t)s * C * R * tout, in.data() + (size_t)s * R * T, w.data(),
                   sc.data(), sh.data(), C, R, T);
        benchmark::ClobberMemory();
    }
    set_rates(state, 2.0 * shots * C * R * tout * 7, 4.0 * shots * (R * T + (double)C * R * tout));
}

void BM_nb5(benchmark::State &state, const si_conv_kernels *ck, int cin, int cout) {
    auto in = random_floats((size_t)S * cin * R * T, 1), w = random_floats(cout * cin * 25, 2);
    auto b = random_floats(cout, 3);
    std::vector<float> out((size_t)S * cout * R * T);
    for (auto _ : state) {
        for (int s = 0; s < S; s++)
            ck->nb5(out.data() + (size_t)s * cout * R * T, in.data() + (size_t)s * cin * R * T,
                    w.data(), b.data(), cin, cout, R, T);
        benchmark::ClobberMemory();
    }
    set_rates(state, 2.0 * S * cout * R * T * cin * 25, 0);
}

// --- im2col and conv as GEMM ----------------------------------------------------

struct ConvShape {
    const char *name;
    int images, cin, h, w, cout, k, stride, pad, dil, kh; // kh = 0: k×k, else kh×k
};

// Global layers 2, 5, 6, 9 over all 20 shots side by side, and one dilated
// decoder branch (one sample).
const ConvShape kConvs[] = {
    {"glob2_64x32x250_1x3s2", S, 64, 32, 250, 64, 3, 2, 1, 1, 1},
    {"glob5_64x32x32_3x3", S, 64, 32, 32, 128, 3, 1, 1, 1, 0},
    {"glob6_128x32x32_3x3s2", S, 128, 32, 32, 128, 3, 2, 1, 1, 0},
    {"glob9_256x8x8_3x3", S, 256, 8, 8, 512, 3, 1, 1, 1, 0},
    {"dec4_32x128x128_3x3d7", 1, 32, 128, 128, 32, 3, 1, 7, 7, 0},
};

si_conv_geom geom_of(const ConvShape &c) {
    si_conv_geom g;
    const int kh = c.kh ? c.kh : c.k, ph = c.kh ? 0 : c.pad, sh = c.kh ? 1 : c.stride;
    si_conv_geom_init(&g, c.cin, c.h, c.w, kh, c.k, sh, c.stride, ph, c.pad, c.dil, c.dil);
    return g;
}

constexpr size_t kChunk = 1024; // columns per pass: the packed block stays in L2

// The B panels of a conv, two ways: straight from the image ("panels"), or
// the plain K×n im2col matrix first, then si_gemm_pack_b ("matrix+pack_b",
// the packing si_sgemm does when it gets an unpacked B). GB/s of panels made.
void BM_im2col(benchmark::State &state, const si_conv_kernels *ck, const si_gemm_kernels *gk,
               ConvShape c, bool direct) {
    const si_conv_geom g = geom_of(c);
    const size_t img = (size_t)c.cin * c.h * c.w, ncols = (size_t)c.images * g.hout * g.wout;
    const size_t k = si_conv_im2col_k(&g);
    auto in = random_floats(img * c.images, 1);
    std::vector<float> panels(si_conv_im2col_floats(&g, gk->nr, kChunk)), matrix(k * kChunk);
    for (auto _ : state) {
        for (size_t j0 = 0; j0 < ncols; j0 += kChunk) {
            const size_t n = std::min(kChunk, ncols - j0);
            if (direct) {
                ck->im2col(panels.data(), in.data(), &g, img, gk->nr, j0, n);
            } else {
                ck->im2col(matrix.data(), in.data(), &g, img, n, j0, n); // one panel n wide
                si_gemm_pack_b(gk, k, n, matrix.data(), n, 0, panels.data());
            }
        }
        benchmark::ClobberMemory();
    }
    set_rates(state, 0, 4.0 * k * ncols);
}

void BM_conv_gemm(benchmark::State &state, const si_conv_kernels *ck, const si_gemm_kernels *gk,
                  ConvShape c, bool panels) {
    const si_conv_geom g = geom_of(c);
    const size_t img = (size_t)c.cin * c.h * c.w, ncols = (size_t)c.images * g.hout * g.wout;
    const size_t k = si_conv_im2col_k(&g);
    auto in = random_floats(img * c.images, 1), w = random_floats((size_t)c.cout * k, 2);
    auto sc = random_floats(c.cout, 3), sh = random_floats(c.cout, 4);
    std::vector<float> apk(si_gemm_packed_a_floats(gk, c.cout, k)), out((size_t)c.cout * ncols);
    si_gemm_pack_a(gk, c.cout, k, w.data(), k, 0, apk.data());
    std::vector<float> bbuf(si_conv_im2col_floats(&g, gk->nr, kChunk));
    si_sgemm_args a{};
    a.m = c.cout, a.k = k, a.a_packed = apk.data(), a.ldc = ncols;
    a.scale = sc.data(), a.shift = sh.data(), a.flags = SI_GEMM_RELU;
    a.n = kChunk, a.b = bbuf.data(), a.ldb = kChunk;
    std::vector<char> work(si_sgemm_workspace_bytes(gk, &a) + 64);
    for (auto _ : state) {
        for (size_t j0 = 0; j0 < ncols; j0 += kChunk) {
            const size_t n = std::min(kChunk, ncols - j0);
            a.n = n, a.c = out.data() + j0;
            if (panels) { // straight into B panels: si_sgemm packs nothing
                ck->im2col(bbuf.data(), in.data(), &g, img, gk->nr, j0, n);
                a.b_packed = bbuf.data();
            } else { // one panel n wide is the plain K×n matrix; si_sgemm packs it
                ck->im2col(bbuf.data(), in.data(), &g, img, n, j0, n);
                a.b = bbuf.data(), a.ldb = n;
            }
            if (const char *err = si_sgemm(gk, &a, work.data())) {
                state.SkipWithError(err);
                return;
            }
        }
        benchmark::ClobberMemory();
    }
    set_rates(state, 2.0 * c.cout * k * ncols, 0);
}

// --- ConvTranspose2d(k4, s2, p1) as four phases -----------------------------------

struct ConvTShape {
    const char *name;
    int cin, cout, h, w;
};
const ConvTShape kConvTs[] = {
    {"dec1_640to128_16x16", S *R, 128, 16, 16},
    {"dec2_128to64_32x32", 128, 64, 32, 32},
    {"dec3_64to32_64x64", 64, 32, 64, 64},
};

void BM_convT(benchmark::State &state, const si_conv_kernels *ck, const si_gemm_kernels *gk,
              ConvTShape c) {
    const size_t k = (size_t)c.cin * 4, pix = (size_t)c.h * c.w, plane = (size_t)c.cout * pix;
    auto in = random_floats((size_t)c.cin * pix, 1),
         w = random_floats((size_t)c.cin * c.cout * 16, 2);
    auto sc = random_floats(c.cout, 3), sh = random_floats(c.cout, 4);
    std::vector<float> wq(4 * (size_t)c.cout * k), apk[4], phases(4 * plane), out(4 * plane);
    si_convt_phase_weights(wq.data(), w.data(), c.cin, c.cout); // once, at model load
    for (int q = 0; q < 4; q++) {
        apk[q].resize(si_gemm_packed_a_floats(gk, c.cout, k));
        si_gemm_pack_a(gk, c.cout, k, wq.data() + q * (size_t)c.cout * k, k, 0, apk[q].data());
    }
    si_conv_geom g0;
    si_convt_phase_geom(&g0, c.cin, c.h, c.w, 0, 0); // every phase packs the same amount
    std::vector<float> bbuf(si_conv_im2col_floats(&g0, gk->nr, pix));
    for (auto _ : state) {
        for (int q = 0; q < 4; q++) {
            si_conv_geom g;
            si_convt_phase_geom(&g, c.cin, c.h, c.w, q / 2, q % 2);
            ck->im2col(bbuf.data(), in.data(), &g, 0, gk->nr, 0, pix);
            si_sgemm_args a{};
            a.m = c.cout, a.n = pix, a.k = k, a.a_packed = apk[q].data(), a.b_packed = bbuf.data();
            a.c = phases.data() + q * plane, a.ldc = pix;
            a.scale = sc.data(), a.shift = sh.data(), a.flags = SI_GEMM_RELU;
            if (const char *err = si_sgemm(gk, &a, nullptr)) {
                state.SkipWithError(err);
                return;
            }
        }
        ck->interleave(out.data(), phases.data(), c.cout, c.h, c.w);
        benchmark::ClobberMemory();
    }
    set_rates(state, 2.0 * c.cout * (4.0 * pix) * k, 0);
}

// --- elementwise -------------------------------------------------------------------

void BM_block_norm(benchmark::State &state, const si_norm_kernels *nk) {
    const size_t block = (size_t)4 * R * T;
    auto in = random_floats(block * S, 1);
    std::vector<float> out(block * S);
    for (auto _ : state) {
        for (int s = 0; s < S; s++)
            nk->block_relu(out.data() + s * block, nullptr, in.data() + s * block, block, 1e-5f);
        benchmark::ClobberMemory();
    }
    set_rates(state, 0,
              8.0 * block * S); // read once (stats) + read/write once (normalise) ~ 2 passes
    state.counters["Gelem/s"] =
        benchmark::Counter(1e-9 * block * S, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_sigmoid(benchmark::State &state, const si_act_kernels *ak, int side) {
    const size_t n = (size_t)side * side;
    auto x = random_floats(n, 1);
    for (auto &v : x)
        v *= 20.0f;
    std::vector<float> y(n);
    for (auto _ : state) {
        ak->sigmoid(y.data(), x.data(), n);
        benchmark::ClobberMemory();
    }
    state.counters["Gelem/s"] =
        benchmark::Counter(1e-9 * n, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_crop(benchmark::State &state, const si_act_kernels *ak) {
    auto src = random_floats(128 * 128, 1);
    std::vector<float> dst(100 * 100);
    const int o = si_act_centre_start(128, 100);
    for (auto _ : state) {
        ak->crop(dst.data(), src.data(), 1, 128, 128, o, o, 100, 100);
        benchmark::ClobberMemory();
    }
    set_rates(state, 0, 8.0 * 100 * 100);
}

template <class K> void add_unique(std::vector<K> &v, K k) {
    for (auto &x : v)
        if (x == k) return;
    v.push_back(k);
}

} // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    std::vector<const si_conv_kernels *> convs;
    std::vector<std::pair<const si_conv_kernels *, const si_gemm_kernels *>> pairs;
    std::vector<const si_norm_kernels *> norms;
    std::vector<const si_act_kernels *> acts;
    for (int i = 0; i < SI_ISA_COUNT; i++) {
        if (!si_isa_supported((si_isa)i)) continue;
        add_unique(convs, si_conv_kernels_for((si_isa)i));
        add_unique(pairs,
                   std::make_pair(si_conv_kernels_for((si_isa)i), si_gemm_kernels_for((si_isa)i)));
        add_unique(norms, si_norm_kernels_for((si_isa)i));
        add_unique(acts, si_act_kernels_for((si_isa)i));
    }
    auto reg = [](const std::string &name, auto fn, auto... args) {
        benchmark::RegisterBenchmark(name.c_str(), fn, args...)
            ->Unit(benchmark::kMicrosecond)
            ->UseRealTime();
    };
    for (auto *ck : convs) {
        reg(std::string("conv_g1/") + ck->name + "/20x1x32x1000_to_64x32x250", BM_g1, ck, S);
        reg(std::string("conv_g1/") + ck->name + "/1x1x32x1000_to_64x32x250", BM_g1, ck, 1);
        reg(std::string("conv_nb5/") + ck->name + "/20x1to4x32x1000", BM_nb5, ck, 1, 4);
        reg(std::string("conv_nb5/") + ck->name + "/20x4to4x32x1000", BM_nb5, ck, 4, 4);
        reg(std::string("conv_nb5/") + ck->name + "/20x4to1x32x1000", BM_nb5, ck, 4, 1);
    }
    for (auto &p : pairs) {
        const std::string tag = std::string(p.first->name) + "+gemm_" + p.second->name;
        for (const ConvShape &c : kConvs) {
            reg("im2col/" + tag + "/panels/" + c.name, BM_im2col, p.first, p.second, c, true);
            reg("im2col/" + tag + "/matrix+pack_b/" + c.name, BM_im2col, p.first, p.second, c,
                false);
            reg("conv_gemm/" + tag + "/panels/" + c.name, BM_conv_gemm, p.first, p.second, c, true);
            reg("conv_gemm/" + tag + "/matrix/" + c.name, BM_conv_gemm, p.first, p.second, c,
                false);
        }
        for (const ConvTShape &c : kConvTs)
            reg("convT/" + tag + "/" + c.name, BM_convT, p.first, p.second, c);
    }
    for (auto *nk : norms)
        reg(std::string("block_norm/") + nk->name + "/20x4x32x1000", BM_block_norm, nk);
    for (auto *ak : acts) {
        reg(std::string("sigmoid/") + ak->name + "/100x100", BM_sigmoid, ak, 100);
        reg(std::string("sigmoid/") + ak->name + "/128x128", BM_sigmoid, ak, 128);
        reg(std::string("crop/") + ak->name + "/128_to_100", BM_crop, ak);
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
