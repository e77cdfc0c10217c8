#!/usr/bin/env python3
"""Draws a true velocity model, its inversion and their difference side by
side (m/s colour bars, axes in metres) for the model card.

  plot_example.py --truth VEL.npy --pred INV.npy --out FIG.png [--title T] [--dx 10]
"""
import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--pred", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--title", default="")
    ap.add_argument("--dx", type=float, default=10.0)
    ap.add_argument("--v-min", type=float, default=1500.0)
    ap.add_argument("--v-max", type=float, default=4000.0)
    args = ap.parse_args()
    t = np.load(args.truth).squeeze().astype(np.float64)
    p = np.load(args.pred).squeeze().astype(np.float64)
    H, W = t.shape
    ext = [0, W * args.dx, H * args.dx, 0]
    diff = p - t
    lim = max(100.0, np.ceil(np.abs(diff).max() / 100.0) * 100.0)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
    panels = [(t, "true model", "viridis", args.v_min, args.v_max),
              (p, "SeisInvNet inversion (seisinv invert)", "viridis", args.v_min, args.v_max),
              (diff, "inversion - true (MAE %.1f m/s)" % np.abs(diff).mean(), "RdBu_r", -lim,
               lim)]
    for ax, (img, name, cmap, lo, hi) in zip(axes, panels):
        im = ax.imshow(img, extent=ext, cmap=cmap, vmin=lo, vmax=hi, aspect="equal")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("distance (m)")
        ax.set_ylabel("depth (m)")
        fig.colorbar(im, ax=ax, shrink=0.85, label="m/s")
    if args.title:
        fig.suptitle(args.title, fontsize=11)
    fig.savefig(args.out, dpi=90)


if __name__ == "__main__":
    main()
