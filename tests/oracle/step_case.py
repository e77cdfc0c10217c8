"""One-training-step oracle for the C training path (tests/test_train_step.c):
random SeisInvNet weights with non-trivial BatchNorm statistics (as
make_case.py makes them), a batch of random surveys and layered velocity
targets, then one optimiser step in PyTorch: training mode (batch statistics,
running averages updated), dropout off, L2 loss, torch.optim.Adam
(lr, betas 0.9/0.999, each --eps), in float64 and in float32.

  step_case.py --config small|paper --seed N --batch B --lr LR [--eps E1,E2] --out DIR

Writes to DIR:
  weights.safetensors      the state dict before the step (float32, SPEC metadata)
  data.npy                 raw surveys [B, S, T, R] (the shard layout)
  target.npy               velocity [B, 1, H, W] in m/s
  grad64.safetensors       d loss / d parameter of that step, float64 autograd (stored float32)
  grad32.safetensors       the same from the float32 model
  delta64_I.safetensors    w_after - w_before per parameter, float64 step with the I-th
                           --eps (stored float32)
  delta32_I.safetensors    the same from the float32 model (PyTorch's own spread)
  eps.txt                  the eps values, one a line
  stats_after.safetensors  running_mean / running_var after the step (float64 run)
  loss.txt                 "loss64 loss32"
"""
import argparse
import copy
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import grad_case  # noqa: E402
import make_case  # noqa: E402
import seisinvnet as sn  # noqa: E402
import st_io  # noqa: E402


def adam_steps(model, x, y, lr, epss):
    """Loss before the step, the gradient and, per eps, w_after - w_before
    (float32 numpy) per parameter: one forward/backward (so the running
    statistics move once), then a fresh torch.optim.Adam step from the same
    weights for each eps."""
    loss = ((grad_case.forward(model, x) - y) ** 2).mean()
    loss.backward()
    grads = {k: p.grad.detach().numpy().astype(np.float32) for k, p in model.named_parameters()}
    deltas = []
    for eps in epss:
        named = [(k, p.detach().clone().requires_grad_(True), p.grad)
                 for k, p in model.named_parameters()]
        for _, q, g in named:
            q.grad = g.clone()
        opt = torch.optim.Adam([q for _, q, _ in named], lr=lr, betas=(0.9, 0.999), eps=eps)
        opt.step()
        deltas.append({k: (q.detach().double() - p.detach().double()).numpy().astype(np.float32)
                       for (k, q, _), p in zip(named, model.parameters())})
    return loss.item(), grads, deltas


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=sorted(sn.CONFIGS), required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--eps", default="1e-8,1e-5", help="Adam eps values, comma-separated")
    ap.add_argument("--out", required=True)
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
    span = cfg.v_max - cfg.v_min
    layers = np.stack([grad_case.layered_velocity(cfg, rng) for _ in range(args.batch)])
    vel = layers[:, None].astype("<f4")  # [B,1,H,W] m/s
    np.save(os.path.join(args.out, "target.npy"), vel)

    def tensors_of(dtype):
        d = torch.from_numpy(data).to(dtype)
        x = sn.normalise_survey(d, cfg).permute(0, 1, 3, 2).contiguous()
        y = (torch.from_numpy(vel[:, 0]).to(dtype) - cfg.v_min) / span
        return x, y

    m64, m32 = copy.deepcopy(model).double(), copy.deepcopy(model)
    epss = [float(e) for e in args.eps.split(",")]
    l64, g64, d64 = adam_steps(m64, *tensors_of(torch.float64), args.lr, epss)
    l32, g32, d32 = adam_steps(m32, *tensors_of(torch.float32), args.lr, epss)
    st_io.save(os.path.join(args.out, "grad64.safetensors"), g64)
    st_io.save(os.path.join(args.out, "grad32.safetensors"), g32)
    for i in range(len(epss)):
        st_io.save(os.path.join(args.out, "delta64_%d.safetensors" % i), d64[i])
        st_io.save(os.path.join(args.out, "delta32_%d.safetensors" % i), d32[i])
    stats = {k: v.detach().numpy().astype(np.float32) for k, v in m64.state_dict().items()
             if k.endswith("running_mean") or k.endswith("running_var")}
    st_io.save(os.path.join(args.out, "stats_after.safetensors"), stats)
    with open(os.path.join(args.out, "loss.txt"), "w") as f:
        f.write("%.17g %.17g\n" % (l64, l32))
    with open(os.path.join(args.out, "eps.txt"), "w") as f:
        f.write("".join("%.17g\n" % e for e in epss))
    print("loss float64 %.10g float32 %.10g (%.1f s)" % (l64, l32, time.time() - t0))


if __name__ == "__main__":
    main()
