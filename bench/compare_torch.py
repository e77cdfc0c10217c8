"""SeisInvNet inference: seisinv against PyTorch's CPU forward on the same weights.

  /usr/bin/python3 bench/compare_torch.py [--build DIR] [--runs N] [--warmup N]
                                          [--threads 1,2] [--isa avx2,default] [--keep DIR]
                                          [--profile]

Builds the paper configuration (S=20, R=32, T=1000, 100x100) with the PyTorch
oracle (tests/oracle/seisinvnet.py), gives it random weights with non-trivial
BatchNorm statistics (make_case.py's randomise), saves them as safetensors,
then, in this one run:
  - times PyTorch: eval mode, torch.inference_mode(), float32, batch 1,
    torch.set_num_threads(n), warm-up then the median of --runs forward passes
    (the input already normalised and in [1, S, R, T]); three ways: the model
    as it is ("stock"); a copy whose Linear layers run through oneDNN
    (torch.utils.mkldnn.MkldnnLinear), since a torch built with a generic BLAS
    (Debian's) runs dense matmuls an order of magnitude slower than its
    oneDNN convolutions and the comparison would be about that BLAS; and that
    copy in channels-last memory format (oneDNN's preferred layout for the
    convolutions). The ratio is taken against the fastest of the three, and
    also printed against stock. (TorchScript freeze + optimize_for_inference
    was tried and is slower here: its mkldnn layout conversions cost more
    than they save. ConvTranspose2d took no oneDNN path in Debian's torch 1.13, it ran
    slow_conv_transpose2d over the generic BLAS in every variant: --profile
    shows it.);
  - times `seisinv bench --weights W --threads n --json` on the same file, once
    with SEISINV_ISA=avx2 and once with the default kernel set (its median of
    --runs si_infer calls: normalisation + network + m/s);
  - checks that both give the same model: `seisinv invert` on one random
    survey against PyTorch's output, max |difference| on the [0, 1] scale.
Prints a table: threads, PyTorch ms (each variant), seisinv ms and the ratio
fastest PyTorch / seisinv (above 1: seisinv is faster; stock / seisinv in
brackets) for each kernel set, with the load average seen; --profile adds
PyTorch's per-operator table (torch.profiler) for its fastest variant.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
import make_case  # noqa: E402
import seisinvnet as sn  # noqa: E402
import st_io  # noqa: E402

SEED = 11
TOLERANCE = 1e-4  # on the [0, 1] output, as tests/test_nn_oracle.c


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def make_model(out_dir):
    """Paper-configuration model with random weights, its file and a survey."""
    cfg = sn.CONFIGS["paper"]
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    model = sn.SeisInvNet(cfg)
    make_case.randomise(model, cfg, rng)
    model.eval()
    weights = os.path.join(out_dir, "weights.safetensors")
    tensors = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    meta = make_case.metadata(cfg, types.SimpleNamespace(config="paper", seed=SEED))
    meta["seisinv.trained_on"] = "random weights: bench/compare_torch.py (seed %d)" % SEED
    st_io.save(weights, tensors, meta)
    survey = make_case.random_survey(cfg, rng)  # [S, T, R], raw amplitudes
    survey_path = os.path.join(out_dir, "survey.npy")
    make_case.save_npy(survey_path, survey)
    return cfg, model, weights, survey, survey_path


def torch_input(survey, cfg):
    x = sn.normalise_survey(torch.from_numpy(survey), cfg).permute(0, 2, 1).contiguous()
    return x.unsqueeze(0)  # [1, S, R, T]


def onednn_linears(model):
    """A copy of the model whose nn.Linear layers run through oneDNN; None if
    this torch has no torch.utils.mkldnn."""
    try:
        import copy
        import torch.utils.mkldnn as mkldnn
        m = copy.deepcopy(model)
        for mod in list(m.modules()):
            for name, child in list(mod.named_children()):
                if isinstance(child, torch.nn.Linear):
                    setattr(mod, name, mkldnn.MkldnnLinear(child, torch.float))
        return m.eval()
    except (ImportError, AttributeError, RuntimeError) as e:
        print("no oneDNN Linear in this torch (%s): stock PyTorch only" % e)
        return None


def torch_build():
    """The lines of torch.__config__.show() that decide its CPU speed."""
    keep = ("MKL-DNN", "oneDNN", "CPU capability", "OpenMP")
    lines = [ln.strip(" -") for ln in torch.__config__.show().splitlines()
             if any(k in ln for k in keep)]
    blas = [kv for kv in torch.__config__.show().replace(",", " ").split() if kv.startswith("BLAS_INFO")]
    return "; ".join(lines + blas)


def torch_profile(model, x, threads):
    """PyTorch's own per-operator times for one forward pass."""
    from torch.profiler import ProfilerActivity, profile
    torch.set_num_threads(threads)
    with torch.inference_mode():
        model(x)
        with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
            model(x)
    print(prof.key_averages(group_by_input_shape=True).table(
        sort_by="self_cpu_time_total", row_limit=16, max_name_column_width=32,
        max_shapes_column_width=56))


def time_torch(model, x, threads, runs, warmup):
    torch.set_num_threads(threads)
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            t0 = time.perf_counter()
            model(x)
            dt = time.perf_counter() - t0
            if i >= warmup:
                times.append(dt * 1e3)
    return statistics.median(times), min(times), max(times)


def isa_env(isa):
    env = dict(os.environ)
    env.pop("SEISINV_ISA", None)
    if isa != "default":
        env["SEISINV_ISA"] = isa
    return env


def time_seisinv(binary, weights, threads, runs, warmup, isa):
    cmd = [binary, "bench", "--weights", weights, "--threads", str(threads), "--runs", str(runs),
           "--warmup", str(warmup), "--peak", "0", "--json"]
    out = subprocess.run(cmd, env=isa_env(isa), check=True, capture_output=True, text=True)
    r = json.loads(out.stdout)
    lat = r["latency_ms"]
    return lat["median"], lat["min"], lat["max"], r["isa"], r


def agreement(binary, weights, survey_path, cfg, ref, isa, out_dir):
    vel = os.path.join(out_dir, "vel_%s.npy" % isa)
    subprocess.run([binary, "invert", "-w", weights, survey_path, "-o", vel, "-j", "2"],
                   env=isa_env(isa), check=True, capture_output=True)
    got = (np.load(vel).astype(np.float64) - cfg.v_min) / (cfg.v_max - cfg.v_min)
    return float(np.max(np.abs(got - ref)))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="build folder holding the seisinv program (default: build)")
    ap.add_argument("--runs", type=int, default=10, help="timed passes per measurement")
    ap.add_argument("--warmup", type=int, default=3, help="untimed passes first")
    ap.add_argument("--threads", default="1,2", help="thread counts, comma separated")
    ap.add_argument("--isa", default="avx2,default",
                    help="seisinv kernel sets: SEISINV_ISA values or 'default'")
    ap.add_argument("--keep", help="write the weights and survey here and keep them")
    ap.add_argument("--profile", action="store_true",
                    help="also print PyTorch's per-operator profile of its fastest variant")
    args = ap.parse_args()
    if args.runs < 1 or args.warmup < 0:
        ap.error("--runs must be at least 1 and --warmup at least 0")
    binary = os.path.join(args.build, "seisinv")
    if not os.access(binary, os.X_OK):
        ap.error("%s is not an executable: build first, or give --build DIR" % binary)
    threads = [int(t) for t in args.threads.split(",")]
    isas = args.isa.split(",")

    work = args.keep or tempfile.mkdtemp(prefix="seisinv-compare-")
    os.makedirs(work, exist_ok=True)
    cfg, model, weights, survey, survey_path = make_model(work)
    x = torch_input(survey, cfg)
    with torch.inference_mode():
        ref = model(x)[0].double().numpy()

    print("machine: %s, %d CPUs; %s; Python %s, torch %s (oneDNN %s)"
          % (cpu_name(), os.cpu_count(), platform.platform(), platform.python_version(),
             torch.__version__, torch.backends.mkldnn.is_available()))
    print("torch build: %s" % torch_build())
    print("paper configuration S=%d R=%d T=%d -> %dx%d, %.1f MB of weights, %d runs after %d "
          "warm-up, medians in ms" % (cfg.S, cfg.R, cfg.T, cfg.H, cfg.W,
                                       os.path.getsize(weights) / 1e6, args.runs, args.warmup))

    variants = [("stock", model)]
    fast = onednn_linears(model)
    if fast is not None:
        variants.append(("oneDNN Linear", fast))
        variants.append(("oneDNN Linear + channels-last",
                         onednn_linears(model).to(memory_format=torch.channels_last)))
    for name, v in variants[1:]:
        with torch.inference_mode():
            d = float((v(x)[0].double() - torch.from_numpy(ref)).abs().max())
        print("PyTorch %s: max |difference| to stock %.2e" % (name, d))

    rows = []
    for n in threads:
        load0 = os.getloadavg()[0]
        pt = [time_torch(v, x, n, args.runs, args.warmup) for _, v in variants]
        si = [time_seisinv(binary, weights, n, args.runs, args.warmup, isa) for isa in isas]
        rows.append((n, pt, si, max(load0, os.getloadavg()[0])))

    head, rule = "| threads |", "|---|"
    for name, _ in variants:
        head += " PyTorch %s ms |" % name
        rule += "---|"
    for i, isa in enumerate(isas):
        head += " seisinv %s ms | ratio (vs stock) |" % rows[0][2][i][3]
        rule += "---|---|"
    print("\n" + head + " load |\n" + rule + "---|")
    span = lambda t: "%.1f (%.1f-%.1f)" % t  # noqa: E731
    best_variant = {}
    for n, pt, si, load in rows:
        best = min(p[0] for p in pt)
        best_variant[n] = min(range(len(pt)), key=lambda i: pt[i][0])
        line = "| %d |" % n + "".join(" %s |" % span(p) for p in pt)
        for med, lo, hi, _, _ in si:
            line += " %s | %.2f (%.2f) |" % (span((med, lo, hi)), best / med, pt[0][0] / med)
        print(line + " %.2f |" % load)
    print("(median, then min-max in brackets; ratio = the fastest PyTorch variant / seisinv, "
          "in brackets stock PyTorch / seisinv; above 1: seisinv faster; load = the higher "
          "1-minute load average seen)")
    if args.profile:
        for n in threads:
            name, v = variants[best_variant[n]]
            print("\nPyTorch %s, %d thread%s, per operator:" % (name, n, "" if n == 1 else "s"))
            torch_profile(v, x, n)

    print("\nagreement with PyTorch (float32) on one survey, output on the [0, 1] scale:")
    worst = 0.0
    for isa in isas:
        d = agreement(binary, weights, survey_path, cfg, ref, isa, work)
        worst = max(worst, d)
        print("  seisinv invert (%s): max |seisinv - PyTorch| = %.2e" % (isa, d))
    print("\nseisinv memory:")
    for n, _, si, _ in rows:
        for _, _, _, isa, r in si:
            print("  %s, %d thread%s: packed weights %.1f MiB, arena %.1f MiB"
                  % (isa, n, "" if n == 1 else "s", r["weight_bytes"] / 2**20,
                     r["arena_bytes"] / 2**20))
    if not args.keep:
        for f in os.listdir(work):
            os.unlink(os.path.join(work, f))
        os.rmdir(work)
    if worst > TOLERANCE:
        print("DISAGREEMENT: above the %.0e tolerance of the oracle tests" % TOLERANCE)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
