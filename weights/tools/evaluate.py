#!/usr/bin/env python3
"""Scores velocity predictions against the true models (SPEC §1 metrics).

  evaluate.py --pred PRED.npy --truth model_K.npy [--manifest DIR/manifest.json]
              [--v-min 1500 --v-max 4000] [--json OUT.json]

PRED and TRUTH are [n, 1, H, W] (or [n, H, W], or one [H, W]) in m/s, e.g.
`seisinv invert -w W data_K.npy -o PRED.npy` and the shard's model_K.npy. On
velocity normalised to [0, 1]: MAE, MSE, RMSE, PSNR (peak 1) and SSIM
(scikit-image: Gaussian 11x11, sigma 1.5, population covariance, data range 1,
mean over the valid region); and MAE / RMSE in m/s. Per model type too when
the dataset's manifest is given (type = types[0] + i mod (number of types)).
"""
import argparse
import json

import numpy as np
from skimage.metrics import structural_similarity


def as_stack(a):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 4:
        a = a[:, 0]
    if a.ndim == 2:
        a = a[None]
    return a


def scores(p, t, v_min, v_max):
    """p, t: [n, H, W] in m/s -> dict of metric means over the n models."""
    span = v_max - v_min
    pn, tn = (p - v_min) / span, (t - v_min) / span
    err = pn - tn
    mse = (err ** 2).mean(axis=(1, 2))
    ssim = [structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
                                  use_sample_covariance=False, data_range=1.0)
            for a, b in zip(pn, tn)]
    return {"n": int(p.shape[0]),
            "mae": float(np.abs(err).mean()),
            "mse": float(mse.mean()),
            "rmse": float(np.sqrt(mse).mean()),
            "psnr": float((10 * np.log10(1.0 / np.maximum(mse, 1e-12))).mean()),
            "ssim": float(np.mean(ssim)),
            "mae_ms": float(np.abs(err).mean() * span),
            "rmse_ms": float(np.sqrt(mse).mean() * span)}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--manifest")
    ap.add_argument("--v-min", type=float, default=1500.0)
    ap.add_argument("--v-max", type=float, default=4000.0)
    ap.add_argument("--json")
    args = ap.parse_args()
    p, t = as_stack(np.load(args.pred)), as_stack(np.load(args.truth))
    if p.shape != t.shape:
        raise SystemExit("shapes differ: pred %s, truth %s" % (p.shape, t.shape))
    out = {"all": scores(p, t, args.v_min, args.v_max)}
    if args.manifest:
        with open(args.manifest) as f:
            lo, hi = json.load(f)["config"]["types"]
        types = lo + np.arange(p.shape[0]) % (hi - lo + 1)
        for k in range(lo, hi + 1):
            out["type %d" % k] = scores(p[types == k], t[types == k], args.v_min, args.v_max)
    print("%-8s %5s %8s %9s %8s %7s %7s %8s %9s" % ("set", "n", "MAE", "MSE", "RMSE", "PSNR",
                                                    "SSIM", "MAE m/s", "RMSE m/s"))
    for name, s in out.items():
        print("%-8s %5d %8.5f %9.6f %8.5f %7.2f %7.4f %8.1f %9.1f"
              % (name, s["n"], s["mae"], s["mse"], s["rmse"], s["psnr"], s["ssim"], s["mae_ms"],
                 s["rmse_ms"]))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
