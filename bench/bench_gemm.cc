// GEMM throughput per kernel table on the SeisInvNet shapes, single thread.
//
// Counters: GFLOP/s (2·M·N·K per call, mean over the run) and best_GFLOP/s
// (the fastest call: the machine is shared, so the best call is the one
// nobody interrupted), and the best call as a fraction of the measured peak:
// of_avx2_peak (an FMA-only register loop, 2 ports × 8 lanes × 2 flops per
// cycle) for every table, of_own_peak against the peak of the table's own
// ISA. The clock (imul chain) and both peaks are measured at start-up and
// printed in the context. For numbers to quote, add
// --benchmark_repetitions=N and take the best.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

extern "C" {
#include "gemm/gemm.h"
}

namespace {

struct Shape {
    const char *name;
    size_t m, n, k;
    unsigned trans;
    bool pack_a, pack_b; // pre-packed ahead of time (weights)
    bool per_row_bn, col_bias;
};

// M1: the 640 trace rows times W^T (PyTorch Linear weight [out, in], packed
// once), per-row BatchNorm1d and per-column Linear bias. Convolutions: weights
// as A (packed once) times im2col columns, per-row (= per channel) BatchNorm.
const Shape kShapes[] = {
    {"m1_lin1_640x1024x1180", 640, 1024, 1180, SI_GEMM_TRANS_B, false, true, true, true},
    {"m1_lin1_unpacked_B", 640, 1024, 1180, SI_GEMM_TRANS_B, false, false, true, true},
    {"m1_lin2_640x512x1024", 640, 512, 1024, SI_GEMM_TRANS_B, false, true, true, true},
    {"m1_lin3_640x256x512", 640, 256, 512, SI_GEMM_TRANS_B, false, true, true, true},
    // Convs: B is the im2col matrix, which kernels/conv writes straight into
    // panels (so pre-packed here); the _unpacked_B row adds the packing.
    // decoder conv(128->128, 3x3) at 32x32: M = cout, N = pixels, K = cin*9
    {"dec_conv128_128x1024x1152", 128, 1024, 1152, 0, true, true, true, false},
    {"dec_conv128_unpacked_B", 128, 1024, 1152, 0, true, false, true, false},
    // decoder conv(32->32, 3x3) at 128x128 (also each dilated branch)
    {"dec_conv32_32x16384x288", 32, 16384, 288, 0, true, true, true, false},
    // global conv(64->128, 3x3) at 32x32, all 20 shots side by side
    {"glob_conv64_128x20480x576", 128, 20480, 576, 0, true, true, true, false},
    // global conv(256->512, 3x3) at 8x8, 20 shots
    {"glob_conv256_512x1280x2304", 512, 1280, 2304, 0, true, true, true, false},
};

std::vector<float> random_floats(size_t n, uint32_t seed) {
    std::vector<float> v(n);
    for (auto &x : v) {
        seed = seed * 1664525u + 1013904223u;
        x = (float)(seed >> 8) / 16777216.0f - 0.5f;
    }
    return v;
}

double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// peak_own / peak_avx2: measured GFLOP/s, 0 when unknown.
void BM_gemm(benchmark::State &state, const si_gemm_kernels *kern, Shape s, double peak_own,
             double peak_avx2) {
    const bool ta = s.trans & SI_GEMM_TRANS_A, tb = s.trans & SI_GEMM_TRANS_B;
    const size_t lda = ta ? s.m : s.k, ldb = tb ? s.k : s.n;
    std::vector<float> a = random_floats(s.m * s.k, 1), b = random_floats(s.k * s.n, 2);
    std::vector<float> c(s.m * s.n), scale = random_floats(s.m, 3), shift = random_floats(s.m, 4);
    std::vector<float> bias = random_floats(s.n, 5);
    std::vector<float> apk, bpk;
    si_sgemm_args g{};
    g.m = s.m, g.n = s.n, g.k = s.k, g.trans = s.trans;
    g.a = a.data(), g.lda = lda, g.b = b.data(), g.ldb = ldb, g.c = c.data(), g.ldc = s.n;
    if (s.pack_a) {
        apk.resize(si_gemm_packed_a_floats(kern, s.m, s.k));
        si_gemm_pack_a(kern, s.m, s.k, a.data(), lda, s.trans, apk.data());
        g.a_packed = apk.data();
    }
    if (s.pack_b) {
        bpk.resize(si_gemm_packed_b_floats(kern, s.k, s.n));
        si_gemm_pack_b(kern, s.k, s.n, b.data(), ldb, s.trans, bpk.data());
        g.b_packed = bpk.data();
    }
    if (s.per_row_bn) g.scale = scale.data(), g.shift = shift.data();
    if (s.col_bias) g.bias = bias.data();
    g.flags = SI_GEMM_RELU;
    // Blocking overrides, for tuning: SEISINV_GEMM_MC/KC/NC.
    if (const char *e = std::getenv("SEISINV_GEMM_MC")) g.mc = std::strtoul(e, nullptr, 10);
    if (const char *e = std::getenv("SEISINV_GEMM_KC")) g.kc = std::strtoul(e, nullptr, 10);
    if (const char *e = std::getenv("SEISINV_GEMM_NC")) g.nc = std::strtoul(e, nullptr, 10);
    size_t ws = si_sgemm_workspace_bytes(kern, &g);
    void *work = std::aligned_alloc(64, (ws + 63) / 64 * 64);
    double best = 1e30;
    for (auto _ : state) {
        const double t0 = now();
        const char *err = si_sgemm(kern, &g, work);
        const double t = now() - t0;
        if (err) {
            state.SkipWithError(err);
            break;
        }
        benchmark::ClobberMemory();
        if (t < best) best = t;
    }
    std::free(work);
    const double gflop = 2.0 * s.m * s.n * s.k * 1e-9;
    state.counters["GFLOP/s"] =
        benchmark::Counter(gflop, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["best_GFLOP/s"] = gflop / best;
    if (peak_avx2 > 0) state.counters["of_avx2_peak"] = gflop / best / peak_avx2;
    if (peak_own > 0) state.counters["of_own_peak"] = gflop / best / peak_own;
}

// --- measured peak: independent FMA chains, no memory traffic ---------------

#if defined(__x86_64__)
// Dependent imul chain (latency 3 cycles on every recent x86; a chain of
// adds is folded at rename on newer cores and overstates the clock).
double measure_ghz() {
    const uint64_t iters = 20000000;
    double best = 1e9;
    for (int rep = 0; rep < 7; rep++) {
        uint64_t x = 3, n = iters;
        double t = now();
        __asm__ volatile("1:\n\t"
                         "imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0\n\t"
                         "dec %1\n\tjnz 1b"
                         : "+r"(x), "+r"(n));
        t = now() - t;
        if (t < best) best = t;
    }
    return 12.0 * iters / best * 1e-9;
}

// 12 independent FMA chains, more than latency (4) × ports (2): the loop is
// bound by FMA throughput alone. The empty asm keeps the chains alive.
#define SI_PEAK_PROBE(NAME, TARGET, VEC, LANES, SET1, FMA)                                         \
    __attribute__((target(TARGET))) double NAME() {                                                \
        const long iters = 20000000;                                                               \
        double best = 1e9;                                                                         \
        for (int rep = 0; rep < 7; rep++) {                                                        \
            VEC acc[12], x = SET1(1.0000001f), y = SET1(1e-7f);                                    \
            for (int j = 0; j < 12; j++)                                                           \
                acc[j] = SET1((float)j);                                                           \
            double t = now();                                                                      \
            for (long i = 0; i < iters; i++) {                                                     \
                _Pragma("GCC unroll 12") for (int j = 0; j < 12; j++) {                            \
                    acc[j] = FMA(acc[j], x, y);                                                    \
                    __asm__ volatile("" : "+v"(acc[j])); /* no merging, no spilling */             \
                }                                                                                  \
            }                                                                                      \
            t = now() - t;                                                                         \
            float sink[LANES];                                                                     \
            for (int j = 1; j < 12; j++)                                                           \
                acc[0] = FMA(acc[0], x, acc[j]);                                                   \
            std::memcpy(sink, &acc[0], sizeof sink);                                               \
            benchmark::DoNotOptimize(sink[0]);                                                     \
            if (t < best) best = t;                                                                \
        }                                                                                          \
        return iters * 12.0 * LANES * 2 / best * 1e-9;                                             \
    }
SI_PEAK_PROBE(peak_avx2_gflops, "avx2,fma", __m256, 8, _mm256_set1_ps, _mm256_fmadd_ps)
SI_PEAK_PROBE(peak_avx512_gflops, "avx512f", __m512, 16, _mm512_set1_ps, _mm512_fmadd_ps)
#endif

} // namespace

int main(int argc, char **argv) {
    benchmark::Initialize(&argc, argv);
    double peak[SI_ISA_COUNT] = {0};
#if defined(__x86_64__)
    const double ghz = measure_ghz();
    benchmark::AddCustomContext("clock_GHz (imul chain)", std::to_string(ghz));
    if (si_isa_supported(SI_ISA_AVX2)) {
        peak[SI_ISA_AVX2] = peak_avx2_gflops();
        benchmark::AddCustomContext("peak_avx2_GFLOP/s (FMA loop)",
                                    std::to_string(peak[SI_ISA_AVX2]));
        benchmark::AddCustomContext("peak_avx2_GFLOP/s (32 x clock)", std::to_string(32 * ghz));
    }
    if (si_isa_supported(SI_ISA_AVX512)) {
        peak[SI_ISA_AVX512] = peak_avx512_gflops();
        benchmark::AddCustomContext("peak_avx512_GFLOP/s (FMA loop)",
                                    std::to_string(peak[SI_ISA_AVX512]));
    }
#endif
    // Each distinct table the CPU can run (fallbacks repeat a table).
    std::vector<const si_gemm_kernels *> tables;
    for (int i = 0; i < SI_ISA_COUNT; i++) {
        if (!si_isa_supported((si_isa)i)) continue;
        const si_gemm_kernels *k = si_gemm_kernels_for((si_isa)i);
        bool seen = false;
        for (auto *t : tables)
            seen |= t == k;
        if (!seen) tables.push_back(k);
    }
    for (auto *kern : tables) {
        for (const Shape &s : kShapes) {
            std::string name = std::string("gemm/") + kern->name + "/" + s.name;
            const double own = peak[kern->isa], avx2 = peak[SI_ISA_AVX2];
            benchmark::RegisterBenchmark(name.c_str(), BM_gemm, kern, s, own, avx2)
                ->Unit(benchmark::kMillisecond)
                ->UseRealTime();
        }
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
