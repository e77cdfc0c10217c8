"""Oracles for the training losses, the metrics and Adam (tests/test_loss.c,
tests/test_metrics.c, tests/test_adam.c write the inputs, read the outputs).

  python3 metrics_case.py MODE DIR...  (each DIR a case of MODE)

  python3 metrics_case.py loss DIR     pred.npy, target.npy [B, H, W] in [0, 1] ->
        loss_K.txt [1] and grad_K.txt [B, H, W] for K = l1, l2, l2msssim
        (float64 autograd)
  python3 metrics_case.py metrics DIR  pred.npy, truth.npy [N, H, W] m/s, range.npy
        [v_min, v_max] -> metrics.txt [N, 8]: mae mse rmse psnr ssim msssim
        mae_ms rmse_ms (SSIM by scikit-image; NaN where a side is too small)
  python3 metrics_case.py adam DIR     w0.npy [n], grads.npy [steps, n], hp.npy
        [lr, beta1, beta2, eps] -> w.txt [steps, n] (torch.optim.Adam, float32)

MS-SSIM as SPEC §1: five scales, F.avg_pool2d(2) (floor), a normalised
Gaussian window of min(11, side) taps along each axis (symmetric, sigma 1.5),
valid filtering, cs_1..cs_4 and s_5 clamped at 0 (relu) before the power.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

C1, C2 = 0.01 ** 2, 0.03 ** 2
WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]


def save(d, name, a):
    """NAME.txt: the values in C order, one a line, to 17 digits (nan, inf
    as C's strtod reads them; .npy would need float64 and finite values)."""
    np.savetxt(os.path.join(d, name + ".txt"), np.asarray(a, dtype=np.float64).ravel(), fmt="%.17g")


def gauss(n, sigma=1.5):
    x = torch.arange(n, dtype=torch.float64) - (n - 1) / 2.0
    g = torch.exp(-x ** 2 / (2 * sigma ** 2))
    return g / g.sum()


def filt(img):
    """Separable Gaussian, valid, on [B, 1, h, w]."""
    h, w = img.shape[-2:]
    gr, gc = gauss(min(11, h)), gauss(min(11, w))
    img = F.conv2d(img, gc.view(1, 1, 1, -1))
    return F.conv2d(img, gr.view(1, 1, -1, 1))


def ssim_terms(x, y):
    """Per-image means of the cs map and of the SSIM map, [B]."""
    mx, my = filt(x), filt(y)
    sxx = filt(x * x) - mx * mx
    syy = filt(y * y) - my * my
    sxy = filt(x * y) - mx * my
    cs = (2 * sxy + C2) / (sxx + syy + C2)
    lum = (2 * mx * my + C1) / (mx * mx + my * my + C1)
    return cs.mean(dim=(1, 2, 3)), (lum * cs).mean(dim=(1, 2, 3))


def msssim(x, y):
    out = torch.ones(x.shape[0], dtype=x.dtype)
    for j, w in enumerate(WEIGHTS):
        cs, s = ssim_terms(x, y)
        t = cs if j < len(WEIGHTS) - 1 else s
        out = out * torch.relu(t) ** w
        if j < len(WEIGHTS) - 1:
            x, y = F.avg_pool2d(x, 2), F.avg_pool2d(y, 2)
    return out


def losses(d):
    pred = np.load(os.path.join(d, "pred.npy")).astype(np.float64)
    target = torch.from_numpy(np.load(os.path.join(d, "target.npy")).astype(np.float64))
    for name in ("l1", "l2", "l2msssim"):
        p = torch.from_numpy(pred.copy()).requires_grad_(True)
        if name == "l1":
            loss = (p - target).abs().mean()
        elif name == "l2":
            loss = ((p - target) ** 2).mean()
        else:
            loss = ((p - target) ** 2).mean() + (1 - msssim(p[:, None], target[:, None])).mean()
        loss.backward()
        save(d, "loss_" + name, np.array([loss.item()]))
        save(d, "grad_" + name, p.grad.numpy())


def metrics(d):
    from skimage.metrics import structural_similarity
    pred = np.load(os.path.join(d, "pred.npy")).astype(np.float64)
    truth = np.load(os.path.join(d, "truth.npy")).astype(np.float64)
    vmin, vmax = np.load(os.path.join(d, "range.npy")).astype(np.float64)
    rows = []
    for p_ms, t_ms in zip(pred, truth):
        p, t = (p_ms - vmin) / (vmax - vmin), (t_ms - vmin) / (vmax - vmin)
        mse = np.mean((p - t) ** 2)
        h, w = p.shape
        ssim = np.nan
        if min(h, w) >= 11:
            ssim = structural_similarity(p, t, gaussian_weights=True, sigma=1.5,
                                         use_sample_covariance=False, data_range=1.0)
        ms = np.nan
        if min(h, w) >= 16:
            ms = msssim(torch.from_numpy(p)[None, None], torch.from_numpy(t)[None, None]).item()
        rows.append([np.mean(np.abs(p - t)), mse, np.sqrt(mse),
                     10 * np.log10(1 / mse) if mse > 0 else np.inf, ssim, ms,
                     np.mean(np.abs(p_ms - t_ms)), np.sqrt(np.mean((p_ms - t_ms) ** 2))])
    save(d, "metrics", np.array(rows, dtype=np.float64))


def adam(d):
    w = torch.nn.Parameter(torch.from_numpy(np.load(os.path.join(d, "w0.npy"))))
    grads = np.load(os.path.join(d, "grads.npy"))
    lr, b1, b2, eps = [float(v) for v in np.load(os.path.join(d, "hp.npy"))]
    opt = torch.optim.Adam([w], lr=lr, betas=(b1, b2), eps=eps, foreach=False)
    out = []
    for g in grads:
        w.grad = torch.from_numpy(g.copy())
        opt.step()
        out.append(w.detach().numpy().copy())
    save(d, "w", np.array(out, dtype=np.float32))


if __name__ == "__main__":
    for case_dir in sys.argv[2:]:  # several cases per run: torch starts once
        {"loss": losses, "metrics": metrics, "adam": adam}[sys.argv[1]](case_dir)
