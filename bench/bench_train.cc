// SeisInvNet training step throughput, paper configuration (S=20, R=32,
// T=1000, 100x100), batch 12 by default, PyTorch-default initialisation
// from a seed (no Python needed), 1 and 2 threads.
//
// BM_TrainStep/threads:N times one si_net_train_batch (forward in training
// mode with dropout 0.2, the loss, backward into every gradient; no
// optimiser). BM_TrainStepAdam/threads:N times the whole optimiser step as
// `seisinv train` takes it: that, then Adam (β 0.9, 0.999, ε 1e-8, lr 1e-3)
// over every parameter. Both report surveys/s, GFLOP/s (forward + backward
// counted as 3x the forward's multiply-adds) and the loss of the last step.
//
// Environment (bench/compare_torch_train.py sets these to time the same
// step as PyTorch's):
//   SEISINV_TRAIN_BATCH    batch (default 12; the arena is about 4 GB at 12)
//   SEISINV_TRAIN_WEIGHTS  safetensors to start from (si_net_load) instead
//                          of the seeded initialisation
//   SEISINV_TRAIN_DATA     raw surveys [B, S, T, R] .npy (SPEC §4) and
//   SEISINV_TRAIN_TARGET   velocity [B, 1, H, W] in m/s .npy; default random
//   SEISINV_TRAIN_LOSS     l1, l2 (default) or l2+msssim
//   SEISINV_TRAIN_DROPOUT  feature-map dropout p (default 0.2)
//   SEISINV_TRAIN_ITERS    steps per measurement (default 2)
//   SEISINV_ISA            the kernel set
// The first measurement of a net follows one untimed step (arena pages
// touched, kernels and Adam's moments warmed): --benchmark_repetitions=N
// with SEISINV_TRAIN_ITERS=1 gives N single steps and their median.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <vector>

extern "C" {
#include "seisinv/npy.h"
#include "seisinv/train.h"
#include "train/adam.h"
#include "train/loss.h"
}

namespace {

[[noreturn]] void die(const char *what) {
    fprintf(stderr, "bench_train: %s: %s\n", what, si_last_error());
    exit(1);
}

int env_int(const char *name, int fallback) {
    const char *v = getenv(name);
    return v && atoi(v) > 0 ? atoi(v) : fallback;
}

int batch() {
    return env_int("SEISINV_TRAIN_BATCH", 12);
}

si_loss_kind loss_kind() {
    const char *v = getenv("SEISINV_TRAIN_LOSS");
    si_loss_kind k = SI_LOSS_L2;
    if (v && si_loss_parse(v, &k) != SI_OK) die("SEISINV_TRAIN_LOSS");
    return k;
}

// A net, its Adam moments and its batch (network units), for one thread count.
struct rig {
    si_net *net = nullptr;
    std::vector<float> x, y, m, v;
    long long step = 0; // Adam steps taken
    bool warm = false;  // an untimed step done
};

void fill_batch(rig &r) {
    const si_model_info *c = si_net_config(r.net);
    const int B = batch();
    const size_t srt = (size_t)c->S * c->R * c->T, hw = (size_t)c->H * c->W;
    r.x.resize((size_t)B * srt);
    r.y.resize((size_t)B * hw);
    const char *data = getenv("SEISINV_TRAIN_DATA"), *target = getenv("SEISINV_TRAIN_TARGET");
    if (data && target) { // raw amplitudes and m/s, normalised as `seisinv train` does
        si_array d, v;
        if (si_npy_read(data, &d) != SI_OK) die(data);
        if (si_npy_read(target, &v) != SI_OK) die(target);
        if (si_array_numel(&d) != (int64_t)(B * srt) || si_array_numel(&v) != (int64_t)(B * hw)) {
            fprintf(stderr,
                    "bench_train: %s / %s: need %d surveys [S, T, R] and models [1, H, W]\n", data,
                    target, B);
            exit(1);
        }
        for (int b = 0; b < B; b++)
            if (si_net_normalise_survey(r.net, d.data + b * srt, SI_LAYOUT_STR, &r.x[b * srt]))
                die(data);
        if (si_net_normalise_velocity(r.net, v.data, (size_t)B * hw, r.y.data())) die(target);
        si_array_free(&d), si_array_free(&v);
        return;
    }
    std::mt19937 rng(7);
    std::normal_distribution<float> nd;
    std::uniform_real_distribution<float> ud;
    for (auto &e : r.x)
        e = nd(rng);
    for (auto &e : r.y)
        e = ud(rng);
}

// One step: forward in training mode, loss, backward; then Adam if asked.
double step(rig &r, bool adam) {
    double loss = 0;
    if (si_net_train_batch(r.net, r.x.data(), r.y.data(), batch(), (int)loss_kind(), SI_NET_TRAIN,
                           &loss) != SI_OK)
        die("si_net_train_batch");
    if (!adam) return loss;
    const si_optim_kernels *k = si_optim_kernels_for(si_isa_active());
    const si_adam_hparams hp = SI_ADAM_DEFAULTS;
    si_adam_step_net(k, &hp, r.net, r.m.data(), r.v.data(), 1e-3, ++r.step);
    return loss;
}

rig &rig_for(int threads) {
    static std::map<int, rig> cache;
    auto it = cache.find(threads);
    if (it != cache.end()) return it->second;
    for (auto &kv : cache)
        si_net_free(kv.second.net); // one arena at a time
    cache.clear();
    rig &r = cache[threads];
    si_net_options o = {};
    o.batch = batch();
    o.threads = threads;
    const char *p = getenv("SEISINV_TRAIN_DROPOUT");
    o.dropout = p ? (float)atof(p) : 0.2f;
    o.seed = 1;
    const char *w = getenv("SEISINV_TRAIN_WEIGHTS");
    if ((w ? si_net_load(&r.net, w, &o) : si_net_create(&r.net, &o)) != SI_OK)
        die(w ? w : "si_net_create");
    if (w) si_net_set_dropout(r.net, o.dropout);
    r.m.assign(si_adam_net_size(r.net), 0.0f);
    r.v.assign(si_adam_net_size(r.net), 0.0f);
    fill_batch(r);
    return r;
}

void run(benchmark::State &state, bool adam) {
    const int threads = (int)state.range(0), B = batch();
    rig &r = rig_for(threads);
    const si_model_info *c = si_net_config(r.net);
    // one untimed step per net: the arena's pages are touched (first-touch
    // page faults cost a quarter of a cold step), the kernels and moments warmed
    double loss = 0;
    if (!r.warm || (adam && r.step == 0)) loss = step(r, adam), r.warm = true;
    for (auto _ : state) {
        loss = step(r, adam);
        benchmark::DoNotOptimize(loss);
    }
    state.counters["surveys/s"] =
        benchmark::Counter((double)B * (double)state.iterations(), benchmark::Counter::kIsRate);
    state.counters["GFLOP/s"] = benchmark::Counter(
        3.0 * c->flops * B * (double)state.iterations() / 1e9, benchmark::Counter::kIsRate);
    state.counters["arena_MiB"] = (double)si_net_arena_bytes(r.net) / 1048576.0;
    state.counters["loss"] = loss;
    state.SetLabel(c->isa);
}

} // namespace

int main(int argc, char **argv) {
    const int iters = env_int("SEISINV_TRAIN_ITERS", 2);
    for (int adam = 0; adam <= 1; adam++) {
        auto *b = benchmark::RegisterBenchmark(adam ? "BM_TrainStepAdam" : "BM_TrainStep",
                                               [adam](benchmark::State &s) { run(s, adam); });
        b->Arg(1)
            ->Arg(2)
            ->ArgName("threads")
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->Iterations(iters);
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
