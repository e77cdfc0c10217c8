// SeisInvNet end-to-end latency, paper configuration (S=20, R=32, T=1000,
// 100x100), random weights written in C (no Python needed), 1 and 2 threads.
//
// BM_Infer/threads:N reports the time of one si_infer (survey in, velocity
// out) and GFLOP/s over the whole pass. After the benchmarks, a per-layer
// table from the runtime's timing hook (si_model_profile): milliseconds and
// GFLOP/s of every step, for each thread count (skip with --layers=0).
// SEISINV_ISA=avx2 (scalar, avx512) picks the kernel set.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

extern "C" {
#include "nn/nn_random.h"
#include "seisinv/model.h"
}

namespace {

std::string g_dir, g_weights;

const std::string &weights_path() {
    if (g_weights.empty()) {
        const char *tmp = getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/seisinv-bench-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back(0);
        if (!mkdtemp(buf.data())) {
            perror("mkdtemp");
            exit(1);
        }
        g_dir = buf.data();
        g_weights = g_dir + "/paper.safetensors";
        nn_random_spec spec = {};
        spec.seed = 1;
        if (nn_random_weights(g_weights.c_str(), &spec) != SI_OK) {
            fprintf(stderr, "bench_infer: %s\n", si_last_error());
            exit(1);
        }
    }
    return g_weights;
}

si_model *model_for(int threads) {
    static std::map<int, si_model *> cache;
    auto it = cache.find(threads);
    if (it != cache.end()) return it->second;
    si_model_options opt = {threads};
    si_model *m = nullptr;
    if (si_model_load(&m, weights_path().c_str(), &opt) != SI_OK) {
        fprintf(stderr, "bench_infer: %s\n", si_last_error());
        exit(1);
    }
    cache[threads] = m;
    return m;
}

std::vector<float> survey_for(const si_model_info *c) {
    std::vector<float> x((size_t)c->S * c->T * c->R);
    std::mt19937 rng(7);
    std::normal_distribution<float> n(0.0f, 1.0f);
    for (auto &v : x)
        v = n(rng);
    return x;
}

void BM_Infer(benchmark::State &state) {
    si_model *m = model_for((int)state.range(0));
    const si_model_info *c = si_model_config(m);
    std::vector<float> x = survey_for(c), vel((size_t)c->H * c->W);
    for (auto _ : state) {
        if (si_infer(m, x.data(), SI_LAYOUT_STR, vel.data()) != SI_OK) {
            state.SkipWithError(si_last_error());
            break;
        }
        benchmark::DoNotOptimize(vel.data());
    }
    state.counters["GFLOP/s"] =
        benchmark::Counter(c->flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["arena_MB"] = (double)si_model_arena_bytes(m) / (1 << 20);
    state.SetLabel(c->isa);
}
BENCHMARK(BM_Infer)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);

void layer_table(int threads, int passes) {
    si_model *m = model_for(threads);
    const si_model_info *c = si_model_config(m);
    std::vector<float> x = survey_for(c), vel((size_t)c->H * c->W);
    si_infer(m, x.data(), SI_LAYOUT_STR, vel.data()); // warm
    si_model_profile_reset(m);
    si_model_profile(m, 1);
    for (int i = 0; i < passes; i++)
        si_infer(m, x.data(), SI_LAYOUT_STR, vel.data());
    si_model_profile(m, 0);
    printf("\nper layer, %d thread%s, %s kernels, mean of %d passes:\n", threads,
           threads > 1 ? "s" : "", c->isa, passes);
    printf("%-40s %9s %9s %9s\n", "step", "GFLOP", "ms", "GFLOP/s");
    double total_s = 0, total_f = 0;
    for (int i = 0; i < si_model_step_count(m); i++) {
        const char *name;
        double flops, sec;
        int64_t n;
        si_model_step_stats(m, i, &name, &flops, &sec, &n);
        sec /= n ? (double)n : 1.0;
        total_s += sec, total_f += flops;
        printf("%-40s %9.4f %9.3f %9.1f\n", name, flops * 1e-9, sec * 1e3,
               sec > 0 ? flops * 1e-9 / sec : 0.0);
    }
    printf("%-40s %9.4f %9.3f %9.1f\n", "total", total_f * 1e-9, total_s * 1e3,
           total_f * 1e-9 / total_s);
}

} // namespace

int main(int argc, char **argv) {
    int layers = 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--layers=0") == 0) {
            layers = 0;
            memmove(argv + i, argv + i + 1, sizeof *argv * (size_t)(argc - i));
            argc--, i--;
        }
    benchmark::Initialize(&argc, argv);
    {
        si_model *m = model_for(1);
        char buf[64];
        snprintf(buf, sizeof buf, "%.1f MB", (double)si_model_arena_bytes(m) / (1 << 20));
        benchmark::AddCustomContext("arena (1 thread)", buf);
        snprintf(buf, sizeof buf, "%.1f MB",
                 (double)si_model_arena_bytes(model_for(2)) / (1 << 20));
        benchmark::AddCustomContext("arena (2 threads)", buf);
        snprintf(buf, sizeof buf, "%.1f MB", (double)si_model_weight_bytes(m) / (1 << 20));
        benchmark::AddCustomContext("packed weights", buf);
        snprintf(buf, sizeof buf, "%.2f", si_model_config(m)->flops * 1e-9);
        benchmark::AddCustomContext("GFLOP per pass", buf);
    }
    benchmark::RunSpecifiedBenchmarks();
    if (layers) {
        layer_table(1, 5);
        layer_table(2, 5);
    }
    benchmark::Shutdown();
    unlink(g_weights.c_str());
    rmdir(g_dir.c_str());
    return 0;
}
