"""Builds an oracle case for the C runtime: random SeisInvNet weights with
non-trivial BatchNorm statistics, a random survey, and the PyTorch output.

  make_case.py --config paper|small --seed N --out DIR [--stages]

Writes to DIR:
  weights.safetensors  the eval-mode state dict (float32; num_batches_tracked
                       as I64 scalars, as torch saves them) with the SPEC §1
                       "__metadata__" keys
  survey.npy           raw survey [S, T, R] float32 (single-survey layout)
  output.npy           network output [H, W] (normalised velocity), float32 run
  output_f64.npy       the same computed in float64 (stored as float32)
  velocity.npy         v_min + output_f64 * (v_max - v_min), m/s
  case.json            config, seed, parameter and FLOP counts, f32-vs-f64 gap
  stage_*.npy          (--stages) float64 intermediates for per-stage checks:
                       glob [S,128], neig [S,R,T], embedding [S*R,E],
                       features [S*R,16,16], decoder [128,128] before the crop
"""
import argparse
import copy
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seisinvnet as sn  # noqa: E402
import st_io  # noqa: E402


def random_survey(cfg, rng):
    """[S, T, R]: noise plus a few dipping, decaying events, amplitudes of a few
    units so that log1p and the scale both matter."""
    S, T, R = cfg.S, cfg.T, cfg.R
    t = np.arange(T)[None, :, None]
    r = np.arange(R)[None, None, :]
    d = 0.05 * rng.standard_normal((S, T, R))
    for _ in range(3):
        t0 = rng.uniform(0.1, 0.6) * T + rng.uniform(-0.1, 0.1) * T * (np.arange(S)[:, None, None] / S)
        slope = rng.uniform(-2.0, 2.0)
        arrival = t0 + slope * np.abs(r - R / 2)
        d += rng.uniform(1.0, 8.0) * np.exp(-((t - arrival) / 6.0) ** 2) * np.cos((t - arrival) / 2.0)
    return (d * np.exp(-t / (0.7 * T))).astype(np.float32)


def batchnorms(model):
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def calibrate(model, bns, cfg, rng):
    """Sets the running stats of `bns` to their averages over random surveys,
    the rest of the model in eval mode."""
    with torch.no_grad():
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the calibration batches
            bn.train()
        for _ in range(2):
            x = np.stack([random_survey(cfg, rng) for _ in range(2)])  # [2, S, T, R]
            model(sn.normalise_survey(torch.from_numpy(x), cfg).permute(0, 1, 3, 2).contiguous())
        for bn in bns:
            bn.momentum = 0.1
            bn.eval()


def randomise(model, cfg, rng):
    """Random BN affine, running stats measured on random surveys (so the
    activations stay in a useful range), then perturbed so they are not the
    batch statistics any input would give. The last BN (before the Sigmoid)
    is measured again after that, so the output spreads over (0, 1) instead
    of saturating, which would hide errors."""
    model.eval()
    bns = batchnorms(model)
    with torch.no_grad():
        for bn in bns:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.normal_(0.0, 0.2)
    calibrate(model, bns, cfg, rng)
    with torch.no_grad():
        for bn in bns:
            bn.running_var.mul_(torch.exp(torch.empty_like(bn.running_var).uniform_(-0.5, 0.5)))
            bn.running_mean.add_(0.3 * torch.randn_like(bn.running_mean) * bn.running_var.sqrt())
    last = model.decoder.layer5[1]
    calibrate(model, [last], cfg, rng)
    with torch.no_grad():
        last.weight.uniform_(1.0, 1.5)


def stage_outputs(model, x):
    """Float64 intermediates of one survey (batch 1) for per-stage comparisons."""
    c = model.cfg
    with torch.no_grad():
        shots = x.reshape(c.S, 1, c.R, c.T)
        e = model.encoder(x)
        f = model.generator(e)
        d = model.decoder
        y = d.layer3(d.layer2(d.layer1(f)))
        y = torch.cat([getattr(d, "layer4_%d" % i)(y) for i in range(len(sn.DILATIONS))], dim=1)
        return {
            "glob": model.encoder.glob(shots),
            "neig": model.encoder.neig(shots),
            "embedding": e[0],
            "features": f[0],
            "decoder": d.layer5(y)[0, 0],
        }


def save_npy(path, a):
    np.save(path, np.ascontiguousarray(np.asarray(a, dtype="<f4")))


def metadata(cfg, args):
    g = lambda v: "%.17g" % v  # noqa: E731 — shortest exact text for round numbers
    return {
        "seisinv.arch": "seisinvnet",
        "seisinv.S": str(cfg.S), "seisinv.R": str(cfg.R), "seisinv.T": str(cfg.T),
        "seisinv.H": str(cfg.H), "seisinv.W": str(cfg.W),
        "seisinv.v_min": g(cfg.v_min), "seisinv.v_max": g(cfg.v_max),
        "seisinv.seis_scale": g(cfg.seis_scale),
        "seisinv.seis_log1p": "1" if cfg.seis_log1p else "0",
        "seisinv.trained_on": "random weights: tests/oracle/make_case.py --config %s --seed %d"
                              % (args.config, args.seed),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=sorted(sn.CONFIGS), required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--stages", action="store_true", help="also save float64 intermediates")
    args = ap.parse_args()
    cfg = sn.CONFIGS[args.config]
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))

    model = sn.SeisInvNet(cfg)
    randomise(model, cfg, rng)
    survey = random_survey(cfg, rng)  # [S, T, R]
    x64 = sn.normalise_survey(torch.from_numpy(survey).double(), cfg).permute(0, 2, 1)
    x64 = x64.contiguous().unsqueeze(0)  # [1, S, R, T]
    x32 = sn.normalise_survey(torch.from_numpy(survey), cfg).permute(0, 2, 1).contiguous()
    x32 = x32.unsqueeze(0)

    n_params, macs = sn.print_report(model, cfg, x32)
    with torch.no_grad():
        out32 = model(x32)[0].numpy()
        model64 = copy.deepcopy(model).double()
        out64 = model64(x64)[0].numpy()
    gap = float(np.max(np.abs(out32.astype(np.float64) - out64)))
    print("output float32: min %.6f max %.6f mean %.6f std %.6f"
          % (out32.min(), out32.max(), out32.mean(), out32.std()))
    print("output float64: min %.6f max %.6f mean %.6f std %.6f"
          % (out64.min(), out64.max(), out64.mean(), out64.std()))
    print("max |float32 - float64| = %.3e" % gap)

    tensors = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    st_io.save(os.path.join(args.out, "weights.safetensors"), tensors, metadata(cfg, args))
    save_npy(os.path.join(args.out, "survey.npy"), survey)
    save_npy(os.path.join(args.out, "output.npy"), out32)
    save_npy(os.path.join(args.out, "output_f64.npy"), out64)
    save_npy(os.path.join(args.out, "velocity.npy"), cfg.v_min + out64 * (cfg.v_max - cfg.v_min))
    if args.stages:
        for k, v in stage_outputs(model64, x64).items():
            save_npy(os.path.join(args.out, "stage_%s.npy" % k), v.numpy())
    info = {"config": args.config, "seed": args.seed, "S": cfg.S, "R": cfg.R, "T": cfg.T,
            "H": cfg.H, "W": cfg.W, "parameters": n_params, "tensors": len(tensors),
            "macs": macs, "gflop": 2 * macs / 1e9, "max_abs_f32_vs_f64": gap}
    with open(os.path.join(args.out, "case.json"), "w") as f:
        json.dump(info, f, indent=1)
    print("wrote %s (%d tensors)" % (args.out, len(tensors)))


if __name__ == "__main__":
    main()
