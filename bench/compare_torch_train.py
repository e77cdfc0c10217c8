"""SeisInvNet training throughput: seisinv against PyTorch's CPU training step
on the same weights and the same batch (issue 5).

  /usr/bin/python3 bench/compare_torch_train.py [--build DIR] [--batch 12]
        [--steps N] [--torch-steps N] [--threads 1,2] [--isa avx2,default]
        [--loss l2+msssim|l2] [--dropout 0.2] [--check-batch 2] [--keep DIR]

Paper configuration (S=20, R=32, T=1000, 100x100), the PyTorch oracle
(tests/oracle/seisinvnet.py) with PyTorch's default initialisation (seed 11)
saved as safetensors; a batch of random surveys (make_case.py's events in
noise) and layered velocity models (grad_case.py's). Then, in this one run:
  - PyTorch: training mode, feature-map dropout --dropout, the loss (default
    L2 + (1 - MS-SSIM) of SPEC §1, MS-SSIM by tests/oracle/metrics_case.py,
    which evaluates it in float64), torch.optim.Adam(lr 1e-3, betas 0.9/0.999,
    eps 1e-8), torch.set_num_threads(n); one warm-up step, then the median of
    --torch-steps steps of zero_grad / forward / loss / backward / step;
  - seisinv: bench_train's BM_TrainStepAdam on the same weights file and batch
    (si_net_train_batch: training-mode forward with the same dropout p, the same
    loss, backward; then Adam with the same hyper-parameters over every
    parameter), one untimed step, then the median of --steps single steps,
    once per kernel set (SEISINV_ISA=avx2 and the default set);
  - that both compute the same step: the loss and the gradient of
    `seisinv grad` (training mode, dropout off) against PyTorch float32 on the
    first --check-batch surveys of the batch, from the initial weights.
Prints a table: threads, PyTorch surveys/s, seisinv surveys/s per kernel set,
the ratio seisinv / PyTorch (above 1: seisinv faster), the load average seen.
"""
import argparse
import json
import os
import platform
import shutil
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
import grad_case  # noqa: E402
import make_case  # noqa: E402
import seisinvnet as sn  # noqa: E402
import st_io  # noqa: E402
from compare_torch import cpu_name, isa_env, torch_build  # noqa: E402

SEED = 11
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8


def make_case_files(out_dir, batch):
    """Default-initialised paper model, its safetensors, a batch (raw surveys
    [B, S, T, R], velocity [B, 1, H, W] m/s) saved as .npy."""
    cfg = sn.CONFIGS["paper"]
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    model = sn.SeisInvNet(cfg)
    weights = os.path.join(out_dir, "weights.safetensors")
    tensors = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    meta = make_case.metadata(cfg, types.SimpleNamespace(config="paper", seed=SEED))
    meta["seisinv.trained_on"] = "default init: bench/compare_torch_train.py (seed %d)" % SEED
    st_io.save(weights, tensors, meta)
    data = np.stack([make_case.random_survey(cfg, rng) for _ in range(batch)]).astype("<f4")
    vel = np.stack([grad_case.layered_velocity(cfg, rng) for _ in range(batch)])[:, None]
    files = {"weights": weights}
    for name, a in (("data", data), ("target", vel.astype("<f4"))):
        files[name] = os.path.join(out_dir, name + ".npy")
        np.save(files[name], a)
    return cfg, model, data, vel, files


def torch_batch(cfg, data, vel):
    x = sn.normalise_survey(torch.from_numpy(data), cfg).permute(0, 1, 3, 2).contiguous()
    y = (torch.from_numpy(vel[:, 0]) - cfg.v_min) / (cfg.v_max - cfg.v_min)
    return x, y  # [B, S, R, T], [B, H, W]


def loss_fn(kind):
    key = {"l2": "l2", "l2+msssim": "l2+msssim"}[kind]
    return lambda pred, target: grad_case.loss_of(key, pred, target)


def time_torch(cfg, weights_model, x, y, threads, steps, loss, dropout):
    """Median, min, max seconds of one PyTorch training step, and its last loss."""
    import copy
    torch.set_num_threads(threads)
    model = copy.deepcopy(weights_model)
    model.train()
    model.drop.p = dropout
    opt = torch.optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    times, last = [], float("nan")
    for i in range(1 + steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        lv = loss(model(x), y)
        lv.backward()
        opt.step()
        dt = time.perf_counter() - t0
        last = lv.item()
        if i:
            times.append(dt)
    del model, opt
    return statistics.median(times), min(times), max(times), last


def time_seisinv(bench, files, threads, steps, isa, loss, dropout, batch):
    env = isa_env(isa)
    env.update(SEISINV_TRAIN_WEIGHTS=files["weights"], SEISINV_TRAIN_DATA=files["data"],
               SEISINV_TRAIN_TARGET=files["target"], SEISINV_TRAIN_LOSS=loss,
               SEISINV_TRAIN_DROPOUT=repr(dropout), SEISINV_TRAIN_BATCH=str(batch),
               SEISINV_TRAIN_ITERS="1")
    cmd = [bench, "--benchmark_filter=^BM_TrainStepAdam/threads:%d/" % threads,
           "--benchmark_repetitions=%d" % steps, "--benchmark_format=json"]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    runs = [b for b in json.loads(out.stdout)["benchmarks"] if b.get("run_type") == "iteration"]
    assert runs and all(b["time_unit"] == "ms" for b in runs), out.stdout
    t = [b["real_time"] / 1e3 for b in runs]
    return statistics.median(t), min(t), max(t), runs[-1]["loss"], runs[0]["label"], \
        runs[0]["arena_MiB"]


def check_step(binary, files, cfg, model, data, vel, n, loss, work):
    """Training-mode (dropout off) loss and gradient: seisinv grad vs PyTorch
    float32 on the first n surveys, from the initial weights."""
    sub = {k: os.path.join(work, "check_%s.npy" % k) for k in ("data", "target")}
    np.save(sub["data"], data[:n])
    np.save(sub["target"], vel[:n].astype("<f4"))
    gpath = os.path.join(work, "grad.safetensors")
    if os.path.exists(gpath):
        os.unlink(gpath)
    out = subprocess.run([binary, "grad", "-w", files["weights"], "--data", sub["data"],
                          "--target", sub["target"], "--loss", loss, "-o", gpath, "-j", "2"],
                         check=True, capture_output=True, text=True).stdout
    c_loss = float(out.split("=")[1].split()[0])
    _, c_grad = st_io.load(gpath)
    import copy
    torch.set_num_threads(2)
    m = copy.deepcopy(model)
    x, y = torch_batch(cfg, data[:n], vel[:n])
    lv = loss_fn(loss)(grad_case.forward(m, x), y)
    lv.backward()
    num = den = 0.0
    for k, p in m.named_parameters():
        g = p.grad.double().numpy()
        num += float(((c_grad[k].astype(np.float64) - g) ** 2).sum())
        den += float((g ** 2).sum())
    return c_loss, lv.item(), (num / den) ** 0.5


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="build folder holding seisinv and bench/bench_train (default: build)")
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--steps", type=int, default=3, help="timed seisinv steps per measurement")
    ap.add_argument("--torch-steps", type=int, default=2,
                    help="timed PyTorch steps per measurement (a 1-thread step of batch 12 "
                         "takes about a minute)")
    ap.add_argument("--threads", default="1,2", help="thread counts, comma separated")
    ap.add_argument("--isa", default="avx2,default",
                    help="seisinv kernel sets: SEISINV_ISA values or 'default'")
    ap.add_argument("--loss", choices=("l2", "l2+msssim"), default="l2+msssim")
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--check-batch", type=int, default=2,
                    help="surveys of the loss / gradient agreement check (0: skip it)")
    ap.add_argument("--keep", help="write the weights and batch here and keep them")
    args = ap.parse_args()
    if args.steps < 1 or args.torch_steps < 1 or args.batch < 1:
        ap.error("--steps, --torch-steps and --batch must be at least 1")
    binary = os.path.join(args.build, "seisinv")
    bench = os.path.join(args.build, "bench", "bench_train")
    for exe in (binary, bench):
        if not os.access(exe, os.X_OK):
            ap.error("%s is not an executable: build first, or give --build DIR" % exe)
    threads = [int(t) for t in args.threads.split(",")]
    isas = args.isa.split(",")

    work = args.keep or tempfile.mkdtemp(prefix="seisinv-compare-train-")
    os.makedirs(work, exist_ok=True)
    cfg, model, data, vel, files = make_case_files(work, args.batch)
    x, y = torch_batch(cfg, data, vel)
    loss = loss_fn(args.loss)

    print("machine: %s, %d CPUs; %s; Python %s, torch %s"
          % (cpu_name(), os.cpu_count(), platform.platform(), platform.python_version(),
             torch.__version__))
    print("torch build: %s" % torch_build())
    print("paper configuration S=%d R=%d T=%d -> %dx%d, %d parameters; batch %d, loss %s, "
          "dropout %g, Adam lr %g betas %s eps %g; PyTorch: median of %d steps, seisinv: of %d "
          "(each after one untimed step)"
          % (cfg.S, cfg.R, cfg.T, cfg.H, cfg.W, sn.count_parameters(model), args.batch,
             args.loss, args.dropout, LR, BETAS, EPS, args.torch_steps, args.steps))
    sys.stdout.flush()

    rows = []
    for n in threads:
        load0 = os.getloadavg()[0]
        pt = time_torch(cfg, model, x, y, n, args.torch_steps, loss, args.dropout)
        print("  PyTorch %d thread(s): %.1f s a step (loss %.5f)" % (n, pt[0], pt[3]))
        sys.stdout.flush()
        si = []
        for isa in isas:
            si.append(time_seisinv(bench, files, n, args.steps, isa, args.loss, args.dropout,
                                   args.batch))
            print("  seisinv %s %d thread(s): %.1f s a step (loss %.5f)"
                  % (si[-1][4], n, si[-1][0], si[-1][3]))
            sys.stdout.flush()
        rows.append((n, pt, si, max(load0, os.getloadavg()[0])))

    B = args.batch
    head = "| threads | PyTorch surveys/s (s/step) |"
    rule = "|---|---|"
    for i in range(len(isas)):
        head += " seisinv %s surveys/s (s/step) | ratio |" % rows[0][2][i][4]
        rule += "---|---|"
    print("\n" + head + " load |\n" + rule + "---|")
    for n, pt, si, load in rows:
        line = "| %d | %.3f (%.1f, %.1f-%.1f) |" % (n, B / pt[0], pt[0], pt[1], pt[2])
        for med, lo, hi, _, _, _ in si:
            line += " %.3f (%.1f, %.1f-%.1f) | %.2f |" % (B / med, med, lo, hi, pt[0] / med)
        print(line + " %.2f |" % load)
    print("(surveys/s from the median step; in brackets the median and min-max seconds a "
          "step; ratio = seisinv / PyTorch surveys/s; load = the higher 1-minute load average "
          "seen at the start and end of the row)")
    for n, _, si, _ in rows:
        for _, _, _, _, isa, arena in si:
            print("seisinv %s, %d thread(s): arena %.0f MiB" % (isa, n, arena))

    if args.check_batch > 0:
        nb = min(args.check_batch, args.batch)
        c_loss, t_loss, g_rel = check_step(binary, files, cfg, model, data, vel, nb, args.loss,
                                           work)
        print("\nsame step? training mode, dropout off, %d surveys, initial weights: loss %s "
              "seisinv %.9g, PyTorch float32 %.9g (relative difference %.2e); gradient over all "
              "parameters ||g_seisinv - g_torch|| / ||g_torch|| = %.2e"
              % (nb, args.loss, c_loss, t_loss, abs(c_loss - t_loss) / abs(t_loss), g_rel))
    if not args.keep:
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
