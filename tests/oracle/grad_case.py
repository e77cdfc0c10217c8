"""Gradient oracle for the C training graph (tests/test_train_grad.c):
random SeisInvNet weights with non-trivial BatchNorm statistics (as
make_case.py makes them), a batch of random surveys and layered velocity
models, and the gradient of each loss in training mode (batch statistics,
dropout off), computed by autograd in float64 and in float32.

  grad_case.py --config small|paper --seed N --batch B --out DIR [--losses l1,l2,l2+msssim]

Writes to DIR:
  weights.safetensors       the state dict before the step (float32, SPEC metadata)
  data.npy                  raw surveys [B, S, T, R] (the shard layout)
  target.npy                velocity [B, 1, H, W] in m/s
  grad64_K.safetensors      d loss / d parameter, float64 autograd (stored float32)
  grad32_K.safetensors      the same from the float32 model
  grad32_K_P.safetensors    float32 again with the input perturbed by ~1e-6 (P = 1, 2):
                            float32's own spread, which a ReLU or L1 kink met within
                            rounding distance makes large for a few tensors
  pred64.npy                the training-mode output [B, H, W] (float64 run)
  stats_after.safetensors   running_mean / running_var after that one forward
  losses.txt                "K loss64 loss32" per loss (K: l1, l2, l2msssim)
"""
import argparse
import copy
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_case  # noqa: E402
import seisinvnet as sn  # noqa: E402
import st_io  # noqa: E402

KEYS = {"l1": "l1", "l2": "l2", "l2+msssim": "l2msssim"}


def layered_velocity(cfg, rng):
    """[H, W] m/s: 2-4 layers with gently dipping interfaces, increasing with depth."""
    H, W = cfg.H, cfg.W
    n = rng.integers(2, 5)
    depths = np.sort(rng.uniform(0.15, 0.9, n)) * H
    vels = np.sort(rng.uniform(cfg.v_min + 100, cfg.v_max - 100, n + 1))
    cols = np.arange(W)
    v = np.full((H, W), vels[0])
    rows = np.arange(H)[:, None]
    for k, d in enumerate(depths):
        iface = d + rng.uniform(-3, 3) * np.sin(cols / W * np.pi * rng.uniform(0.5, 2))
        v = np.where(rows >= iface[None, :], vels[k + 1], v)
    return v.astype(np.float32)


def loss_of(kind, pred, target):
    if kind == "l1":
        return (pred - target).abs().mean()
    if kind == "l2":
        return ((pred - target) ** 2).mean()
    import metrics_case  # H2's MS-SSIM oracle (SPEC §1), float64 only
    ms = metrics_case.msssim(pred[:, None].double(), target[:, None].double()).to(pred.dtype)
    return ((pred - target) ** 2).mean() + (1 - ms).mean()


def forward(model, x):
    """Training-mode forward (batch statistics, running update, no dropout)."""
    model.train()
    model.drop.p = 0.0
    return model(x)


def grads_of(model, loss):
    names, params = zip(*model.named_parameters())
    g = torch.autograd.grad(loss, params, retain_graph=True)
    return {k: v.detach().cpu().numpy().astype(np.float32) for k, v in zip(names, g)}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=sorted(sn.CONFIGS), required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--out", required=True)
    ap.add_argument("--losses", default="l1,l2,l2+msssim")
    args = ap.parse_args()
    cfg = sn.CONFIGS[args.config]
    t0 = time.time()
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    torch.set_num_threads(max(1, min(2, torch.get_num_threads())))

    model = sn.SeisInvNet(cfg)
    make_case.randomise(model, cfg, rng)
    tensors = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
    st_io.save(os.path.join(args.out, "weights.safetensors"), tensors,
               make_case.metadata(cfg, args))

    data = np.stack([make_case.random_survey(cfg, rng) for _ in range(args.batch)])  # [B,S,T,R]
    np.save(os.path.join(args.out, "data.npy"), data.astype("<f4"))

    def survey(dtype):
        d = torch.from_numpy(data).to(dtype)
        return sn.normalise_survey(d, cfg).permute(0, 1, 3, 2).contiguous()

    span = cfg.v_max - cfg.v_min
    m64, m32 = copy.deepcopy(model).double(), copy.deepcopy(model)
    pred64 = forward(m64, survey(torch.float64))
    pred32 = forward(m32, survey(torch.float32))
    perturbed = []
    for p in (1, 2):
        g = torch.Generator().manual_seed(args.seed * 10 + p)
        x = survey(torch.float32)
        x = x * (1 + 2.0 ** -20 * torch.randn(x.shape, generator=g))
        mp = copy.deepcopy(model)
        perturbed.append((p, mp, forward(mp, x)))
    # The target: layered models blended with the prediction, so that every
    # loss term (MS-SSIM's structure included) is far from saturation.
    layers = np.stack([layered_velocity(cfg, rng) for _ in range(args.batch)])
    p = pred64.detach().numpy()
    y = np.clip(0.6 * p + 0.4 * (layers - cfg.v_min) / span, 0.02, 0.98)
    # L1's gradient sign(pred - y) flips where the two nearly meet, and a
    # float32 forward (ours or torch's) meets them elsewhere than float64:
    # keep every pixel at least 2e-3 away, so the comparison sees the
    # backward pass, not which side of the kink rounding fell.
    d = y - p
    y = np.where(np.abs(d) < 2e-3, p + np.where(d < 0, -2e-3, 2e-3), y)
    vel = (cfg.v_min + y * span).astype("<f4")[:, None]  # [B,1,H,W] m/s
    np.save(os.path.join(args.out, "target.npy"), vel)
    np.save(os.path.join(args.out, "pred64.npy"), pred64.detach().numpy().astype("<f4"))
    stats = {k: v.detach().numpy().astype(np.float32) for k, v in m64.state_dict().items()
             if k.endswith("running_mean") or k.endswith("running_var")}
    st_io.save(os.path.join(args.out, "stats_after.safetensors"), stats)
    print("set-up and forwards %.1f s" % (time.time() - t0))

    lines = []
    for kind in args.losses.split(","):
        t0 = time.time()
        key = KEYS[kind]
        for tag, m, pred in (("64", m64, pred64), ("32", m32, pred32)):
            y = (torch.from_numpy(vel[:, 0]).to(pred.dtype) - cfg.v_min) / span
            loss = loss_of(kind, pred, y)
            st_io.save(os.path.join(args.out, "grad%s_%s.safetensors" % (tag, key)),
                       grads_of(m, loss))
            if tag == "64":
                l64 = loss.item()
            else:
                l32 = loss.item()
        for p, mp, pred in perturbed:
            y = (torch.from_numpy(vel[:, 0]) - cfg.v_min) / span
            st_io.save(os.path.join(args.out, "grad32_%s_%d.safetensors" % (key, p)),
                       grads_of(mp, loss_of(kind, pred, y)))
        lines.append("%s %.17g %.17g" % (key, l64, l32))
        print("%s: loss float64 %.10g float32 %.10g (%.1f s)" % (kind, l64, l32, time.time() - t0))
    with open(os.path.join(args.out, "losses.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
