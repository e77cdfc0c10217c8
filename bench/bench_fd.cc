// FD simulator throughput: cell-updates/s over the whole computed grid
// (model + CPML; 140 x 140 for the SeisInv 100 x 100 model), for one shot
// and one full 20-shot survey, 1 and 2 threads, each ISA with an fd table.
// Target (the issue's): the 20-shot survey in <= 0.15 s with 2 threads,
// i.e. about 2.6 G cell-updates/s.
#include <benchmark/benchmark.h>

#include <vector>

extern "C" {
#include "sim/sim_internal.h"
}

static void run_fd(benchmark::State &state, si_isa isa, int nsrc, int threads) {
    if (!si_isa_supported(isa) || si_fd_kernels_for(isa)->isa != isa) {
        state.SkipWithError("ISA not available here");
        return;
    }
    si_sim_config cfg;
    si_sim_config_default(&cfg, 100, 100);
    cfg.nsrc = nsrc;
    cfg.threads = threads;
    // A layered model like the SeisInv set: 1500 -> 4000 m/s with depth.
    std::vector<float> vel(100 * 100);
    for (int i = 0; i < 100; i++)
        for (int j = 0; j < 100; j++)
            vel[i * 100 + j] = 1500.0f + 25.0f * i;
    std::vector<float> out((size_t)nsrc * cfg.nt * cfg.nrec);
    si_sim *sim = nullptr;
    if (si_sim_create_isa(&sim, &cfg, isa) != SI_OK) {
        state.SkipWithError(si_last_error());
        return;
    }
    for (auto _ : state) {
        if (si_sim_run(sim, vel.data(), out.data()) != SI_OK) state.SkipWithError(si_last_error());
        benchmark::DoNotOptimize(out.data());
    }
    const double cells = (double)(cfg.nz + 2 * cfg.npml) * (cfg.nx + 2 * cfg.npml);
    state.counters["cell_updates/s"] = benchmark::Counter(
        cells * (cfg.nt - 1) * nsrc * (double)state.iterations(), benchmark::Counter::kIsRate);
    si_sim_free(sim);
}

static void register_all() {
    const si_isa isas[] = {SI_ISA_SCALAR, SI_ISA_AVX2, SI_ISA_AVX512, SI_ISA_NEON};
    for (si_isa isa : isas) {
        for (int shots : {1, 20})
            for (int threads : {1, 2}) {
                std::string name = std::string("fd/") + si_isa_name(isa) +
                                   (shots == 1 ? "/one_shot" : "/survey20") +
                                   "/threads:" + std::to_string(threads);
                benchmark::RegisterBenchmark(name.c_str(), run_fd, isa, shots, threads)
                    ->Unit(benchmark::kMillisecond)
                    ->UseRealTime()
                    ->MinTime(0.5);
            }
    }
}

int main(int argc, char **argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
