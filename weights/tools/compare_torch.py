#!/usr/bin/env python3
"""Checks that `seisinv invert` and the PyTorch reference model give the same
velocity on the same weights and surveys (float32, eval mode).

  compare_torch.py --weights W.safetensors --data SHOTS.npy --c-out VEL.npy [--first N]

SHOTS is one survey [S, T, R] or a shard [n, S, T, R] (raw amplitudes, as
`seisinv simulate` / `seisinv dataset` write them); VEL is what
`seisinv invert` wrote for it, [H, W] or [n, 1, H, W] in m/s. Prints the
largest and mean difference on the normalised scale (v - v_min)/(v_max -
v_min) and in m/s; exits 1 when the largest exceeds --tol (default 1e-4).
"""
import argparse
import os
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "oracle"))
import seisinvnet as sn  # noqa: E402
import st_io  # noqa: E402


def load_model(path):
    header, arrays = st_io.load(path)
    md = header["__metadata__"]
    cfg = sn.Config(S=int(md["seisinv.S"]), R=int(md["seisinv.R"]), T=int(md["seisinv.T"]),
                    H=int(md["seisinv.H"]), W=int(md["seisinv.W"]),
                    v_min=float(md["seisinv.v_min"]), v_max=float(md["seisinv.v_max"]),
                    seis_scale=float(md["seisinv.seis_scale"]),
                    seis_log1p=md["seisinv.seis_log1p"] == "1")
    model = sn.SeisInvNet(cfg)
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in arrays.items()})
    return model.eval(), cfg


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--c-out", required=True)
    ap.add_argument("--first", type=int, default=0, help="only the first N surveys of a shard")
    ap.add_argument("--tol", type=float, default=1e-4)
    args = ap.parse_args()
    torch.set_num_threads(2)
    model, cfg = load_model(args.weights)
    d = np.load(args.data, mmap_mode="r")
    c = np.load(args.c_out).astype(np.float64)
    if d.ndim == 3:
        d, c = d[None], c.reshape(1, 1, cfg.H, cfg.W)
    n = min(args.first or d.shape[0], d.shape[0])
    span = cfg.v_max - cfg.v_min
    worst = total = 0.0
    for i in range(n):
        x = torch.from_numpy(np.array(d[i])).transpose(1, 2)[None]  # [1, S, R, T]
        with torch.no_grad():
            y = model(sn.normalise_survey(x, cfg))[0].double().numpy()
        diff = np.abs(y - (c[i, 0] - cfg.v_min) / span)
        worst, total = max(worst, diff.max()), total + diff.mean()
    print("%d survey(s): C vs PyTorch, normalised velocity: max |diff| %.2e, mean %.2e "
          "(max %.4f m/s)" % (n, worst, total / n, worst * span))
    sys.exit(0 if worst <= args.tol else 1)


if __name__ == "__main__":
    main()
