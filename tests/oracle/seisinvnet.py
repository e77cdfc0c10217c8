"""PyTorch oracle of SeisInvNet (SPEC §1), test-only.

State-dict names are the contract with the C runtime and with models trained
in PyTorch; do not rename modules. Input is [B, S, R, T] (T contiguous), output
[B, H, W] (normalised velocity in [0, 1]).

Which (R, T) work: the Global branch keeps R through layers 1-5 and divides it
by 2 (rounding up) in layers 6, 8, 10; T is divided by 4 in layer 1 and by 2
in layers 2-4, 6, 8, 10, all rounding up, so before layer11 the map is
ceil(R/8) x ceil(T/256). Layer11 (kernel 4, no padding) gives 1x1 only from
4x4, hence R in 25..32 and T in 769..1024. S is free (S >= 1), H and W in
1..128 (the decoder always makes 128x128 and crops the centre, starting at
row (128-H)//2 and column (128-W)//2).

  python3 seisinvnet.py [--config paper|small]   prints parameters and FLOPs
"""
import argparse
import dataclasses

import torch
import torch.nn as nn

EPS = 1e-5


@dataclasses.dataclass(frozen=True)
class Config:
    S: int
    R: int
    T: int
    H: int
    W: int
    v_min: float = 1500.0
    v_max: float = 4000.0
    seis_scale: float = 1.0
    seis_log1p: bool = False

    @property
    def embed(self):
        return 128 + self.S + self.R + self.T


CONFIGS = {
    "paper": Config(S=20, R=32, T=1000, H=100, W=100),
    # Smallest R and T the Global branch accepts; odd sizes and a non-square,
    # odd-margin crop on purpose, plus non-default normalisation, so the C
    # runtime is tested off the easy path.
    "small": Config(S=4, R=25, T=769, H=70, W=91, v_min=1500.0, v_max=4500.0,
                    seis_scale=0.5, seis_log1p=True),
    # The same with two shots, the fewest a one-survey batch with batch
    # statistics allows: the tests' size under qemu (SEISINV_EMULATED=1).
    "tiny": Config(S=2, R=25, T=769, H=70, W=91, v_min=1500.0, v_max=4500.0,
                   seis_scale=0.5, seis_log1p=True),
}


def _down(x, k, s, p):
    return (x + 2 * p - k) // s + 1


# (cin, cout, kernel, stride, pad) of encoder.glob.layer1..layer11, SPEC §1.
GLOBAL_LAYERS = [
    (1, 64, (1, 7), (1, 4), (0, 3)),
    (64, 64, (1, 3), (1, 2), (0, 1)),
    (64, 64, (1, 3), (1, 2), (0, 1)),
    (64, 64, (1, 3), (1, 2), (0, 1)),
    (64, 128, (3, 3), (1, 1), (1, 1)),
    (128, 128, (3, 3), (2, 2), (1, 1)),
    (128, 256, (3, 3), (1, 1), (1, 1)),
    (256, 256, (3, 3), (2, 2), (1, 1)),
    (256, 512, (3, 3), (1, 1), (1, 1)),
    (512, 512, (3, 3), (2, 2), (1, 1)),
    (512, 128, (4, 4), (1, 1), (0, 0)),
]


def global_sizes(R, T):
    """Spatial size after each Global layer, or None where it collapses."""
    h, w, out = R, T, []
    for _, _, k, s, p in GLOBAL_LAYERS:
        h, w = _down(h, k[0], s[0], p[0]), _down(w, k[1], s[1], p[1])
        if h < 1 or w < 1:
            return out + [None]
        out.append((h, w))
    return out


def check_config(cfg):
    sizes = global_sizes(cfg.R, cfg.T)
    if sizes[-1] != (1, 1):
        before = sizes[-2] if len(sizes) > 1 and sizes[-2] else "?"
        raise ValueError(
            "R=%d, T=%d: the Global branch reaches %s before its last 4x4 conv, which must "
            "see exactly 4x4 to end at 1x1 (needs R in 25..32 and T in 769..1024)"
            % (cfg.R, cfg.T, before))
    if cfg.S < 1:
        raise ValueError("S=%d: need at least one shot" % cfg.S)
    if not (1 <= cfg.H <= 128 and 1 <= cfg.W <= 128):
        raise ValueError("H=%d, W=%d: the decoder output is 128x128, crop must fit" % (cfg.H, cfg.W))


def conv_bn_relu(cin, cout, k, s, p, d=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, s, p, dilation=d), nn.BatchNorm2d(cout, eps=EPS),
                         nn.ReLU())


class GlobalBranch(nn.Module):
    def __init__(self):
        super().__init__()
        for i, (cin, cout, k, s, p) in enumerate(GLOBAL_LAYERS, 1):
            setattr(self, "layer%d" % i, conv_bn_relu(cin, cout, k, s, p))

    def forward(self, x):  # [N, 1, R, T] -> [N, 128]
        for i in range(1, len(GLOBAL_LAYERS) + 1):
            x = getattr(self, "layer%d" % i)(x)
        return x.flatten(1)


def block_instance_norm(x):
    """Normalises each sample over its whole (C, R, T) block, biased variance,
    no affine: NOT nn.InstanceNorm2d, which works per channel."""
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    var = x.var(dim=(1, 2, 3), unbiased=False, keepdim=True)
    return (x - mean) / torch.sqrt(var + EPS)


class NeighbourBranch(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 5, 1, 2)
        self.conv2 = nn.Conv2d(4, 4, 5, 1, 2)
        self.conv3 = nn.Conv2d(4, 1, 5, 1, 2)

    def forward(self, x):  # [N, 1, R, T] -> [N, R, T]
        for conv in (self.conv1, self.conv2, self.conv3):
            x = torch.relu(block_instance_norm(conv(x)))
        return x[:, 0]


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.glob = GlobalBranch()
        self.neig = NeighbourBranch()

    def forward(self, x):  # [B, S, R, T] -> [B, S*R, 128+S+R+T]
        c = self.cfg
        B = x.shape[0]
        shots = x.reshape(B * c.S, 1, c.R, c.T)
        g = self.glob(shots).reshape(B, c.S, 1, 128).expand(B, c.S, c.R, 128)
        eye_s = torch.eye(c.S, dtype=x.dtype, device=x.device)
        eye_r = torch.eye(c.R, dtype=x.dtype, device=x.device)
        os_ = eye_s.reshape(1, c.S, 1, c.S).expand(B, c.S, c.R, c.S)
        or_ = eye_r.reshape(1, 1, c.R, c.R).expand(B, c.S, c.R, c.R)
        n = self.neig(shots).reshape(B, c.S, c.R, c.T)
        return torch.cat([g, os_, or_, n], dim=3).reshape(B, c.S * c.R, c.embed)


GEN_WIDTHS = [1024, 512, 256, 256, 256]


class Generator(nn.Module):
    """One MLP over all S*R rows; BatchNorm1d(S*R) normalises per row."""

    def __init__(self, cfg):
        super().__init__()
        widths = [cfg.embed] + GEN_WIDTHS
        for i in range(1, 6):
            setattr(self, "lin%d" % i, nn.Linear(widths[i - 1], widths[i]))
            setattr(self, "bn%d" % i, nn.BatchNorm1d(cfg.S * cfg.R, eps=EPS))

    def forward(self, e):  # [B, S*R, E] -> [B, S*R, 16, 16]
        for i in range(1, 6):
            e = torch.relu(getattr(self, "bn%d" % i)(getattr(self, "lin%d" % i)(e)))
        return e.reshape(e.shape[0], e.shape[1], 16, 16)


def up_block(cin, cout):
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 4, 2, 1), nn.BatchNorm2d(cout, eps=EPS),
                         nn.ReLU(), nn.Conv2d(cout, cout, 3, 1, 1), nn.BatchNorm2d(cout, eps=EPS),
                         nn.ReLU())


DILATIONS = [1, 3, 5, 7]


class Decoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.layer1 = up_block(cfg.S * cfg.R, 128)
        self.layer2 = up_block(128, 64)
        self.layer3 = up_block(64, 32)
        for i, d in enumerate(DILATIONS):
            setattr(self, "layer4_%d" % i, conv_bn_relu(32, 32, 3, 1, d, d))
        self.layer5 = nn.Sequential(nn.Conv2d(128, 1, 1), nn.BatchNorm2d(1, eps=EPS), nn.Sigmoid())

    def forward(self, f):  # [B, S*R, 16, 16] -> [B, H, W]
        x = self.layer3(self.layer2(self.layer1(f)))
        x = torch.cat([getattr(self, "layer4_%d" % i)(x) for i in range(len(DILATIONS))], dim=1)
        x = self.layer5(x)[:, 0]
        r0, c0 = (128 - self.cfg.H) // 2, (128 - self.cfg.W) // 2
        return x[:, r0:r0 + self.cfg.H, c0:c0 + self.cfg.W]


class SeisInvNet(nn.Module):
    def __init__(self, cfg, dropout=0.2):
        super().__init__()
        check_config(cfg)
        self.cfg = cfg
        self.encoder = Encoder(cfg)
        self.generator = Generator(cfg)
        self.drop = nn.Dropout(dropout)  # element-wise on F, training only; no state
        self.decoder = Decoder(cfg)

    def forward(self, x):  # [B, S, R, T] -> [B, H, W]
        return self.decoder(self.drop(self.generator(self.encoder(x))))


def normalise_survey(d, cfg):
    """Raw survey (any layout) -> network units: optional sign*log1p, then scale."""
    if cfg.seis_log1p:
        d = torch.sign(d) * torch.log1p(torch.abs(d))
    return d * cfg.seis_scale


def count_parameters(model):
    """Trainable parameters (BatchNorm running statistics are buffers, not counted)."""
    return sum(p.numel() for p in model.parameters())


def flop_table(model, x):
    """Multiply-adds of every conv / linear for input x, via forward hooks.
    Returns [(module name, output shape, MACs)] in execution order; BatchNorm,
    ReLU, norms and the embedding copy are elementwise and not counted."""
    rows, hooks = [], []

    def hook(name):
        def f(mod, inp, out):
            if isinstance(mod, nn.ConvTranspose2d):  # every input pixel meets every kernel tap
                macs = inp[0].numel() * mod.out_channels * mod.kernel_size[0] * mod.kernel_size[1]
                macs //= mod.groups
            elif isinstance(mod, nn.Conv2d):
                macs = out.numel() * (mod.in_channels // mod.groups) * mod.kernel_size[0] * \
                    mod.kernel_size[1]
            else:
                macs = out.numel() * mod.in_features
            rows.append((name, tuple(out.shape), macs))
        return f

    for name, mod in model.named_modules():
        if isinstance(mod, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            hooks.append(mod.register_forward_hook(hook(name)))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return rows


def print_report(model, cfg, x=None):
    n = count_parameters(model)
    print("config S=%d R=%d T=%d H=%d W=%d: %d parameters (%.3f M)"
          % (cfg.S, cfg.R, cfg.T, cfg.H, cfg.W, n, n / 1e6))
    print("Global branch sizes: " + " ".join("%dx%d" % s for s in global_sizes(cfg.R, cfg.T)))
    if x is None:
        x = torch.zeros(1, cfg.S, cfg.R, cfg.T)
    rows = flop_table(model.eval(), x)
    total = sum(r[2] for r in rows)
    print("%-28s %-22s %14s %9s" % ("layer", "output", "MACs", "GFLOP"))
    for name, shape, macs in rows:
        print("%-28s %-22s %14d %9.4f" % (name, "x".join(map(str, shape)), macs, 2 * macs / 1e9))
    print("%-28s %-22s %14d %9.4f" % ("total (batch 1)", "", total, 2 * total / 1e9))
    return n, total


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", choices=sorted(CONFIGS), default="paper")
    args = ap.parse_args()
    cfg = CONFIGS[args.config]
    torch.manual_seed(0)
    print_report(SeisInvNet(cfg), cfg)


if __name__ == "__main__":
    main()
