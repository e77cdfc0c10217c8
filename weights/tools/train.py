#!/usr/bin/env python3
"""Trains SeisInvNet with the PyTorch reference definition
(tests/oracle/seisinvnet.py, the architecture the C runtime implements) on
`seisinv dataset` shards, and writes a safetensors file that `seisinv invert`
loads (SPEC §1: state-dict names, float32, seisinv.* metadata).

One GPU:   python3 weights/tools/train.py --train 'D/train-s*' --val 'D/val-s*' --out W
Several:   torchrun --nproc_per_node=G weights/tools/train.py ...   (DDP; rank r
           loads the training folders r, r+G, ... so each GPU holds its share)

The whole (normalised) training set sits in GPU memory as float16. The
learning rate follows SPEC's poly rule lr·(1 − step/max_steps)^0.9 after a
linear warm-up; max_steps is given (--max-steps, exact re-runs) or fitted to a
wall-clock budget (--budget-s) from the speed of the first steps, and the
number actually run is recorded in the metadata. --init continues from a
safetensors file (weights and BatchNorm statistics; its normalisation and
provenance are kept), --resume from a full checkpoint (optimiser too).
"""
import argparse
import contextlib
import datetime
import glob
import json
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
import seisinvnet as sn  # noqa: E402

RANK, WORLD = 0, 1
V_MIN, V_MAX = 1500.0, 4000.0  # SPEC §1 defaults, the Sigmoid's [0, 1]


def log(msg):
    if RANK == 0:
        print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


# ---------------------------------------------------------------- data

def dataset_dirs(patterns):
    dirs = sorted({d for p in patterns for d in glob.glob(p)
                   if os.path.isfile(os.path.join(d, "manifest.json"))})
    if not dirs:
        sys.exit("no dataset folder (with manifest.json) matches %s" % patterns)
    return dirs


def manifest(d):
    with open(os.path.join(d, "manifest.json")) as f:
        m = json.load(f)
    if m.get("status") != "complete":
        sys.exit("%s: dataset not complete (status %r)" % (d, m.get("status")))
    return m


def normalise_survey(x, scale, log1p):
    """SPEC §1, as runtime/nn/input.c: sign(d)·log1p(|d|) (optional), times scale."""
    if log1p:
        x = torch.sign(x) * torch.log1p(torch.abs(x))
    return x * scale


def auto_scale(d, log1p, n=200):
    """1 / std of the (log1p'd) amplitudes of the first n surveys of folder d,
    rounded to 3 significant digits so it reads well in the metadata."""
    m = manifest(d)
    a = np.load(os.path.join(d, m["shards"][0]["data"]), mmap_mode="r")[:n].astype(np.float64)
    if log1p:
        a = np.sign(a) * np.log1p(np.abs(a))
    return float("%.3g" % (1.0 / a.std()))


def load_split(dirs, scale, log1p, device, chunk=32):
    """All surveys of `dirs` -> X [N, S, T, R] float16 (normalised), Y [N, H, W]
    float32 (velocity normalised to [0, 1])."""
    shards = []
    for d in dirs:
        for sh in manifest(d)["shards"]:
            shards.append((os.path.join(d, sh["data"]), os.path.join(d, sh["model"])))
    n = 0
    for dp, _ in shards:
        n += np.load(dp, mmap_mode="r").shape[0]
    d0 = np.load(shards[0][0], mmap_mode="r")
    m0 = np.load(shards[0][1], mmap_mode="r")
    X = torch.empty((n,) + d0.shape[1:], dtype=torch.float16, device=device)
    Y = torch.empty((n,) + m0.shape[2:], dtype=torch.float32, device=device)
    k = 0
    for dp, mp in shards:
        d, m = np.load(dp, mmap_mode="r"), np.load(mp, mmap_mode="r")
        for i in range(0, d.shape[0], chunk):
            j = min(i + chunk, d.shape[0])
            x = torch.from_numpy(np.array(d[i:j])).to(device)
            X[k:k + j - i] = normalise_survey(x, scale, log1p).half()
            v = torch.from_numpy(np.array(m[i:j, 0])).to(device)
            Y[k:k + j - i] = (v - V_MIN) / (V_MAX - V_MIN)
            k += j - i
    return X, Y



def batch(X, Y, idx, flip):
    """Network input [B, S, R, T] and target [B, H, W]; with `flip`, half the
    samples mirrored left-right: model columns reversed, and the shot and
    receiver orders too (the SeisInv geometry is symmetric, SPEC §1)."""
    x, y = X[idx].float(), Y[idx]
    if flip:
        m = torch.rand(x.shape[0], device=x.device) < 0.5
        x = torch.where(m[:, None, None, None], x.flip(1, 3), x)
        y = torch.where(m[:, None, None], y.flip(2), y)
    return x.transpose(2, 3).contiguous(), y


# ---------------------------------------------------------------- weights file

def provenance(train_dirs, val_dirs):
    def summary(dirs):
        ms = [manifest(d) for d in dirs]
        seeds = [m["config"]["seed"] for m in ms]
        split = ms[0]["config"]["split"]
        per_type = {}
        for m in ms:
            for t, c in m["counts"]["per_type"].items():
                per_type[t] = per_type.get(t, 0) + c
        total = sum(m["counts"]["surveys"] for m in ms)
        return ("split %s, seeds %s (%d folders), %d surveys (types %s)"
                % (split, seed_ranges(seeds), len(ms), total,
                   ", ".join("%s: %d" % kv for kv in sorted(per_type.items()))))
    m = manifest(train_dirs[0])
    g = m["config"]["geometry"]
    geom = ("grid %dx%d dx %g m, dt %g s, nt %d, Ricker %g Hz, order %d, %d-cell CPML%s, %d shots, "
            "%d receivers" % (g["nz"], g["nx"], g["dx"], g["dt"], g["nt"], g["f0"], g["order"],
                              g["npml"], ", free surface" if g["free_surface"] else "",
                              len(g["src_x"]), len(g["rec_x"])))
    return ("seisinv dataset (seisinv %s, generator %s, one folder per seed, --threads 1); "
            "train: %s; val: %s; geometry: %s"
            % (m["seisinv_version"], m["config"]["velocity"]["generator"], summary(train_dirs),
               summary(val_dirs), geom))


def seed_ranges(seeds):
    seeds, out, i = sorted(seeds), [], 0
    while i < len(seeds):
        j = i
        while j + 1 < len(seeds) and seeds[j + 1] == seeds[j] + 1:
            j += 1
        out.append(str(seeds[i]) if i == j else "%d-%d" % (seeds[i], seeds[j]))
        i = j + 1
    return ",".join(out)


def save_weights(model, cfg, meta, path, parts_dir=None, part_mib=15):
    """safetensors via the reference library (what SPEC says must load
    unchanged); optionally also split into parts of part_mib MiB with a sha256
    list, for transports that cap file sizes (cat the parts to reassemble)."""
    import hashlib
    sd = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    md = {"seisinv.arch": "seisinvnet", "seisinv.S": str(cfg.S), "seisinv.R": str(cfg.R),
          "seisinv.T": str(cfg.T), "seisinv.H": str(cfg.H), "seisinv.W": str(cfg.W),
          "seisinv.v_min": "%g" % cfg.v_min, "seisinv.v_max": "%g" % cfg.v_max,
          "seisinv.seis_scale": repr(float(cfg.seis_scale)),
          "seisinv.seis_log1p": "1" if cfg.seis_log1p else "0"}
    md.update(meta)
    tmp = path + ".tmp"
    try:
        from safetensors.torch import save_file
        save_file(sd, tmp, metadata=md)
    except ImportError:  # the tests' numpy writer: the same bytes (tests/oracle/st_io.py)
        import st_io
        st_io.save(tmp, {k: v.numpy() for k, v in sd.items()}, md)
    os.replace(tmp, path)
    if parts_dir:
        blob = open(path, "rb").read()
        base = os.path.basename(path)
        size = part_mib << 20
        for old in glob.glob(os.path.join(parts_dir, base + ".part*")):
            os.remove(old)
        for i in range(0, len(blob), size):
            with open(os.path.join(parts_dir, "%s.part%d" % (base, i // size)), "wb") as f:
                f.write(blob[i:i + size])
        with open(os.path.join(parts_dir, base + ".sha256"), "w") as f:
            f.write("%s  %s\n" % (hashlib.sha256(blob).hexdigest(), base))


def load_init(path):
    import st_io
    header, arrays = st_io.load(path)
    return {k: torch.from_numpy(v.copy()) for k, v in arrays.items()}, header["__metadata__"]


# ---------------------------------------------------------------- training

@torch.no_grad()
def evaluate(model, X, Y, bs=32):
    model.eval()
    se = ae = 0.0
    for i in range(0, X.shape[0], bs):
        x, y = batch(X, Y, torch.arange(i, min(i + bs, X.shape[0]), device=X.device), False)
        p = model(x)
        ae += (p - y).abs().sum().item()
        se += ((p - y) ** 2).sum().item()
    model.train()
    n = Y.numel()
    return ae / n, (se / n) ** 0.5


def lr_at(step, args, max_steps):
    warm = min(1.0, (step + 1) / max(1, args.warmup))
    return args.lr * warm * max(0.0, 1.0 - step / max_steps) ** 0.9


def main():
    global RANK, WORLD
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", nargs="+", required=True, help="dataset folder globs")
    ap.add_argument("--val", nargs="+", required=True)
    ap.add_argument("--out", required=True, help="folder for the weights, checkpoint and log")
    ap.add_argument("--parts-dir", help="also write the weights split in parts here")
    ap.add_argument("--name", default="seisinvnet-seisinv.safetensors")
    ap.add_argument("--init", help="start from these weights (safetensors)")
    ap.add_argument("--resume", help="continue from this checkpoint (.pt)")
    ap.add_argument("--budget-s", type=float, default=300.0, help="training wall-clock budget")
    ap.add_argument("--max-steps", type=int, default=0, help="fixed step count (0: fit the budget)")
    ap.add_argument("--batch", type=int, default=32, help="per GPU")
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--loss", choices=["l1", "l2"], default="l1")
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--no-flip", action="store_true")
    ap.add_argument("--amp", choices=["bf16", "none"], default="bf16")
    ap.add_argument("--log1p", type=int, choices=[0, 1], default=1)
    ap.add_argument("--seis-scale", default="auto")
    ap.add_argument("--save-every-s", type=float, default=120.0)
    ap.add_argument("--val-every-s", type=float, default=30.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stage", default="1", help="label of this run in the recipe metadata")
    ap.add_argument("--hardware", default="")
    args = ap.parse_args()

    if "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        RANK, WORLD = dist.get_rank(), dist.get_world_size()
    local = int(os.environ.get("LOCAL_RANK", "0"))
    dev = torch.device("cuda", local) if torch.cuda.is_available() else torch.device("cpu")
    if dev.type == "cuda":
        torch.cuda.set_device(dev)
        torch.backends.cudnn.benchmark = True
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    torch.manual_seed(args.seed * 1000 + RANK)
    os.makedirs(args.out, exist_ok=True)
    if args.parts_dir:
        os.makedirs(args.parts_dir, exist_ok=True)
    t_start = time.time()

    train_dirs, val_dirs = dataset_dirs(args.train), dataset_dirs(args.val)
    geo = manifest(train_dirs[0])["config"]["geometry"]
    init_sd, init_meta = load_init(args.init) if args.init else (None, {})
    log1p = bool(int(init_meta.get("seisinv.seis_log1p", args.log1p)))
    if "seisinv.seis_scale" in init_meta:
        scale = float(init_meta["seisinv.seis_scale"])
    elif args.seis_scale == "auto":
        scale = auto_scale(train_dirs[0], log1p)
    else:
        scale = float(args.seis_scale)
    cfg = sn.Config(S=len(geo["src_x"]), R=len(geo["rec_x"]), T=geo["nt"], H=geo["nz"],
                    W=geo["nx"], seis_scale=scale, seis_log1p=log1p)
    log("config %s; %d GPU(s); train folders %d, val %d" % (cfg, WORLD, len(train_dirs),
                                                             len(val_dirs)))

    Xt, Yt = load_split(train_dirs[RANK::WORLD], scale, log1p, dev)
    Xv, Yv = load_split(val_dirs, scale, log1p, dev) if RANK == 0 else (None, None)
    if RANK == 0:
        log("data in memory after %.1f s: train %s per rank (%.2f GB), val %s; std of train "
            "input %.3f" % (time.time() - t_start, tuple(Xt.shape), Xt.numel() * 2 / 1e9,
                            tuple(Xv.shape), Xt[:64].float().std().item()))

    model = sn.SeisInvNet(cfg, dropout=args.dropout).to(dev)
    if init_sd is not None:
        model.load_state_dict(init_sd, strict=True)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    history, step0 = [], 0
    if args.resume:
        ck = torch.load(args.resume, map_location=dev)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        history = ck["history"]
    net = model
    if WORLD > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[local] if dev.type == "cuda" else None)
    amp = args.amp == "bf16" and dev.type == "cuda"
    lossfn = F.l1_loss if args.loss == "l1" else F.mse_loss

    def meta(steps_done, max_steps):
        recipe = ("stage %s: %d steps of %d planned, batch %d x %d GPU(s), Adam lr %g, "
                  "warm-up %d steps then poly (1-step/max_steps)^0.9, %s loss on normalised "
                  "velocity, dropout %g, %sbf16 autocast=%s, TF32, torch %s"
                  % (args.stage, steps_done, max_steps, args.batch, WORLD, args.lr, args.warmup,
                     args.loss.upper(), args.dropout,
                     "" if args.no_flip else "left-right flip augmentation p=0.5, ",
                     "on" if amp else "off", torch.__version__))
        prev = init_meta.get("seisinv.training", "")
        md = {"seisinv.trained_on": init_meta.get("seisinv.trained_on")
              or provenance(train_dirs, val_dirs),
              "seisinv.training": (prev + " | " if prev else "") + recipe,
              "seisinv.produced_by": "weights/tools/train.py with the PyTorch reference model "
                                     "tests/oracle/seisinvnet.py (not seisinv train)",
              "seisinv.date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        if args.hardware:
            hw = init_meta.get("seisinv.hardware", "")
            md["seisinv.hardware"] = (hw + " | " if hw else "") + "stage %s: %s" % (
                args.stage, args.hardware)
        return md

    n_local = Xt.shape[0]
    perm, pos, epoch, ep_loss, ep_n = torch.randperm(n_local, device=dev), 0, 0, 0.0, 0
    max_steps = args.max_steps or 10 ** 9
    t_train = time.time()
    t_val = t_save = t_train
    calib_from, calib_at = 10, 40
    step = step0
    while step < max_steps:
        if pos + args.batch > n_local:
            epoch += 1
            n_ep = sum(1 for h in history if "epoch" in h)  # over all stages
            history.append({"epoch": n_ep + 1, "stage": args.stage, "step": step,
                            "train_loss": float(ep_loss) / max(1, ep_n),
                            "time_s": round(time.time() - t_train, 1)})
            log("epoch %d (stage %s) step %d: train %s %.5f"
                % (history[-1]["epoch"], args.stage, step, args.loss, history[-1]["train_loss"]))
            ep_loss, ep_n = 0.0, 0
            perm, pos = torch.randperm(n_local, device=dev), 0
        idx = perm[pos:pos + args.batch]
        pos += args.batch
        x, y = batch(Xt, Yt, idx, not args.no_flip)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args, max_steps)
        with torch.autocast("cuda", dtype=torch.bfloat16) if amp else contextlib.nullcontext():
            p = net(x)
        loss = lossfn(p.float(), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        ep_loss = ep_loss + loss.detach()  # stays on the device: no sync per step
        ep_n += 1
        if step == calib_from:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            t_c = time.time()
        if step == calib_at and not args.max_steps:
            if dev.type == "cuda":
                torch.cuda.synchronize()
            per = (time.time() - t_c) / (calib_at - calib_from)
            left = args.budget_s - (time.time() - t_train)
            # about 4% of the time goes to validation and saving
            ms = torch.tensor([step + int(0.96 * left / per)], device=dev)
            if WORLD > 1:
                dist.broadcast(ms, 0)
            max_steps = max(step + 1, int(ms.item()))
            log("%.3f s/step (%.0f surveys/s over %d GPU(s)): max_steps %d"
                % (per, args.batch * WORLD / per, WORLD, max_steps))
        now = time.time()
        if RANK == 0 and step > calib_at and (now - t_val > args.val_every_s
                                              or step == max_steps):
            mae, rmse = evaluate(model, Xv, Yv)
            log("step %d lr %.2e loss %.5f | val MAE %.5f RMSE %.5f (MAE %.1f m/s)"
                % (step, opt.param_groups[0]["lr"], loss.item(), mae, rmse,
                   mae * (cfg.v_max - cfg.v_min)))
            history.append({"val_step": step, "stage": args.stage, "val_mae": mae,
                            "val_rmse": rmse, "time_s": round(now - t_train, 1)})
            t_val = time.time()
        if RANK == 0 and (time.time() - t_save > args.save_every_s or step == max_steps):
            save_weights(model, cfg, meta(step, max_steps), os.path.join(args.out, args.name),
                         args.parts_dir)
            with open(os.path.join(args.parts_dir or args.out, "history.json"), "w") as f:
                json.dump(history, f, indent=1)
            t_save = time.time()
        if step % 20 == 0:  # hard stop on the budget, agreed by all ranks
            over = torch.tensor([1.0 if time.time() - t_train > args.budget_s + 20 else 0.0],
                                device=dev)
            if WORLD > 1:
                dist.all_reduce(over, op=dist.ReduceOp.MAX)
            if over.item() > 0:
                log("budget exceeded at step %d; stopping" % step)
                break
    if RANK == 0:
        if not history or history[-1].get("val_step") != step:
            mae, rmse = evaluate(model, Xv, Yv)
            log("step %d: val MAE %.5f RMSE %.5f" % (step, mae, rmse))
            history.append({"val_step": step, "stage": args.stage, "val_mae": mae,
                            "val_rmse": rmse, "time_s": round(time.time() - t_train, 1)})
        save_weights(model, cfg, meta(step, max_steps), os.path.join(args.out, args.name),
                     args.parts_dir)
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "history": history,
                    "step": step}, os.path.join(args.out, "checkpoint.pt"))
        with open(os.path.join(args.parts_dir or args.out, "history.json"), "w") as f:
            json.dump(history, f, indent=1)
        log("done: %d steps in %.1f s (%.1f s in all)" % (step, time.time() - t_train,
                                                         time.time() - t_start))
    if WORLD > 1:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
