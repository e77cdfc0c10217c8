// SeisInvNet training step throughput, paper configuration (S=20, R=32,
// T=1000, 100x100), batch 12 by default, PyTorch-default initialisation
// from a seed (no Python needed), 1 and 2 threads.
//
// BM_TrainStep/threads:N times one si_net_train_batch (forward in training
// mode with dropout 0.2, L2 loss, backward into every gradient; no
// optimiser) and reports surveys/s and GFLOP/s (forward + backward counted
// as 3x the forward's multiply-adds). SEISINV_TRAIN_BATCH sets the batch;
// SEISINV_ISA picks the kernel set. The arena is sized for the batch:
// about 4 GB at 12.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <vector>

extern "C" {
#include "seisinv/train.h"
}

namespace {

int batch() {
    const char *b = getenv("SEISINV_TRAIN_BATCH");
    return b && atoi(b) > 0 ? atoi(b) : 12;
}

si_net *net_for(int threads) {
    static std::map<int, si_net *> cache;
    auto it = cache.find(threads);
    if (it != cache.end()) return it->second;
    for (auto &kv : cache)
        si_net_free(kv.second); // one arena at a time
    cache.clear();
    si_net_options o = {};
    o.batch = batch();
    o.threads = threads;
    o.dropout = 0.2f;
    o.seed = 1;
    si_net *n = nullptr;
    if (si_net_create(&n, &o) != SI_OK) {
        fprintf(stderr, "bench_train: %s\n", si_last_error());
        exit(1);
    }
    // one untimed step: the arena's pages are touched (first-touch page
    // faults cost a quarter of a cold step) and the kernels warmed
    const si_model_info *c = si_net_config(n);
    std::vector<float> x((size_t)o.batch * c->S * c->R * c->T, 0.5f);
    std::vector<float> y((size_t)o.batch * c->H * c->W, 0.5f);
    double loss;
    if (si_net_train_batch(n, x.data(), y.data(), o.batch, 1, SI_NET_TRAIN, &loss) != SI_OK) {
        fprintf(stderr, "bench_train: %s\n", si_last_error());
        exit(1);
    }
    cache[threads] = n;
    return n;
}

void BM_TrainStep(benchmark::State &state) {
    const int threads = (int)state.range(0), B = batch();
    si_net *n = net_for(threads);
    const si_model_info *c = si_net_config(n);
    const size_t srt = (size_t)c->S * c->R * c->T, hw = (size_t)c->H * c->W;
    std::vector<float> x((size_t)B * srt), y((size_t)B * hw);
    std::mt19937 rng(7);
    std::normal_distribution<float> nd;
    std::uniform_real_distribution<float> ud;
    for (auto &v : x)
        v = nd(rng);
    for (auto &v : y)
        v = ud(rng);
    double loss = 0;
    for (auto _ : state) {
        if (si_net_train_batch(n, x.data(), y.data(), B, 1 /* L2 */, SI_NET_TRAIN, &loss)) {
            state.SkipWithError(si_last_error());
            break;
        }
        benchmark::DoNotOptimize(loss);
    }
    state.counters["surveys/s"] =
        benchmark::Counter((double)B * (double)state.iterations(), benchmark::Counter::kIsRate);
    state.counters["GFLOP/s"] = benchmark::Counter(
        3.0 * c->flops * B * (double)state.iterations() / 1e9, benchmark::Counter::kIsRate);
    state.counters["arena_MiB"] = (double)si_net_arena_bytes(n) / 1048576.0;
    state.SetLabel(c->isa);
}

BENCHMARK(BM_TrainStep)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("threads")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

} // namespace

BENCHMARK_MAIN();
