"""PyTorch oracle for the single ops of kernels/conv, kernels/norm and
kernels/act (tests/test_conv_torch.c writes the inputs, reads the outputs).

  python3 conv_ops.py DIR

For every case whose inputs are in DIR it writes <case>_y.npy:
  g1  conv(1->64, [1,7], stride [1,4], pad [0,3]) + BatchNorm2d (eval) + ReLU
  nbK conv(cin->cout, 5, 1, 2) + bias
  cvK conv2d with stride/pad/dilation from cvK_p = [sh, sw, ph, pw, dh, dw],
      batch of images, + bias
  ct  ConvTranspose2d(cin->cout, 4, 2, 1) + bias
  in  block instance norm (whole (C, R, T) block, biased, eps 1e-5) + ReLU
  sg  sigmoid
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

EPS = 1e-5


def load(d, name):
    return torch.from_numpy(np.load(os.path.join(d, name + ".npy")))


def save(d, name, t):
    np.save(os.path.join(d, name + "_y.npy"), t.detach().numpy().astype(np.float32))


def main(d):
    have = lambda n: os.path.exists(os.path.join(d, n + "_x.npy"))
    torch.set_num_threads(1)
    with torch.no_grad():
        if have("g1"):
            x, w, b = load(d, "g1_x"), load(d, "g1_w"), load(d, "g1_b")
            y = F.conv2d(x[None, None], w.reshape(-1, 1, 1, 7), b, stride=(1, 4), padding=(0, 3))
            y = F.batch_norm(y, load(d, "g1_mean"), load(d, "g1_var"), load(d, "g1_gamma"),
                             load(d, "g1_beta"), training=False, eps=EPS)
            save(d, "g1", torch.relu(y)[0])
        for k in range(10):
            n = "nb%d" % k
            if have(n):
                y = F.conv2d(load(d, n + "_x")[None], load(d, n + "_w"), load(d, n + "_b"),
                             stride=1, padding=2)
                save(d, n, y[0])
            n = "cv%d" % k
            if have(n):
                p = [int(v) for v in load(d, n + "_p").tolist()]
                y = F.conv2d(load(d, n + "_x"), load(d, n + "_w"), load(d, n + "_b"),
                             stride=(p[0], p[1]), padding=(p[2], p[3]), dilation=(p[4], p[5]))
                save(d, n, y)
        if have("ct"):
            y = F.conv_transpose2d(load(d, "ct_x")[None], load(d, "ct_w"), load(d, "ct_b"),
                                   stride=2, padding=1)
            save(d, "ct", y[0])
        if have("in"):
            x = load(d, "in_x")
            mean = x.mean()
            var = x.var(unbiased=False)
            save(d, "in", torch.relu((x - mean) / torch.sqrt(var + EPS)))
        if have("sg"):
            save(d, "sg", torch.sigmoid(load(d, "sg_x")))


if __name__ == "__main__":
    main(sys.argv[1])
