"""PyTorch baseline for `styleclip bench synth`: the same config-f synthesis in Python, timed the same way.

Not part of the build: run it where a PyTorch is installed (e.g. `/usr/bin/python3 bench/pytorch_synth.py 1024 3`)
to compare with `./styleclip bench synth --size 1024 --repeats 3` on the same machine. The math follows
rosinality's model.py as StyleCLIP uses it (modulated conv, transposed-conv upsampling + [1,3,3,1] blur,
noise, fused leaky ReLU, ToRGB skips); random weights; one 1x512 latent broadcast to every layer.
"""
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.manual_seed(0)
SIZE = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
THREADS = int(sys.argv[3]) if len(sys.argv) > 3 else torch.get_num_threads()
torch.set_num_threads(THREADS)
CH = {4: 512, 8: 512, 16: 512, 32: 512, 64: 512, 128: 256, 256: 128, 512: 64, 1024: 32}
K = torch.tensor([1., 3., 3., 1.])
K = (K[None] * K[:, None]) / 64


def blur(x, kernel, pad):
    c = x.shape[1]
    x = F.pad(x, [pad[0], pad[1], pad[0], pad[1]])
    return F.conv2d(x, kernel.flip([0, 1]).expand(c, 1, 4, 4), groups=c)


def upsample2(x, kernel):
    b, c, h, w = x.shape
    x = F.pad(x.view(b, c, h, 1, w, 1), [0, 1, 0, 0, 0, 1]).view(b, c, 2 * h, 2 * w)
    return blur(x, kernel, (2, 1))


class ModConv:
    def __init__(self, cin, cout, k, up=False, demod=True):
        self.w = torch.randn(1, cout, cin, k, k)
        self.mw = torch.randn(cin, 512)
        self.mb = torch.ones(cin)
        self.k, self.up, self.demod, self.cin, self.cout = k, up, demod, cin, cout

    def __call__(self, x, wrow):
        b = x.shape[0]
        s = F.linear(wrow, self.mw / math.sqrt(512), self.mb).view(b, 1, self.cin, 1, 1)
        w = self.w / math.sqrt(self.cin * self.k * self.k) * s
        if self.demod:
            w = w * torch.rsqrt(w.pow(2).sum([2, 3, 4]) + 1e-8).view(b, self.cout, 1, 1, 1)
        x = x.reshape(1, b * self.cin, *x.shape[2:])
        if self.up:
            wt = w.transpose(1, 2).reshape(b * self.cin, self.cout, self.k, self.k)
            y = F.conv_transpose2d(x, wt, stride=2, groups=b)
            return blur(y.view(b, self.cout, *y.shape[2:]), K * 4, (1, 1))
        y = F.conv2d(x, w.view(b * self.cout, self.cin, self.k, self.k), padding=self.k // 2, groups=b)
        return y.view(b, self.cout, *y.shape[2:])


class Styled:
    def __init__(self, cin, cout, up=False):
        self.conv = ModConv(cin, cout, 3, up)
        self.nw = torch.randn(1) * 0.1
        self.bias = torch.zeros(cout)

    def __call__(self, x, wrow):
        out = self.conv(x, wrow)
        out = out + self.nw * torch.randn(1, 1, out.shape[2], out.shape[3])
        return F.leaky_relu(out + self.bias.view(1, -1, 1, 1), 0.2) * math.sqrt(2)


class ToRGB:
    def __init__(self, cin):
        self.conv = ModConv(cin, 3, 1, demod=False)
        self.bias = torch.zeros(1, 3, 1, 1)

    def __call__(self, x, wrow, skip=None):
        out = self.conv(x, wrow) + self.bias
        return out if skip is None else out + upsample2(skip, K * 4)


const = torch.randn(1, 512, 4, 4)
conv1, rgb1 = Styled(512, 512), ToRGB(512)
layers, cin, res = [], 512, 8
while res <= SIZE:
    layers.append((Styled(cin, CH[res], True), Styled(CH[res], CH[res]), ToRGB(CH[res])))
    cin, res = CH[res], res * 2
n_latent = int(math.log2(SIZE)) * 2 - 2


def synth(w):
    out = conv1(const.repeat(w.shape[0], 1, 1, 1), w[:, 0])
    skip, i = rgb1(out, w[:, 1]), 1
    for a, b, rgb in layers:
        out = a(out, w[:, i])
        out = b(out, w[:, i + 1])
        skip = rgb(out, w[:, i + 2], skip)
        i += 2
    return skip


def timed(fn):
    fn()
    ms = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    ms.sort()
    return statistics.median(ms), ms[int((len(ms) - 1) * 0.25)]


w0 = torch.randn(1, 1, 512).repeat(1, n_latent, 1)


def forward():
    with torch.no_grad():
        synth(w0)


def forward_backward():
    w = w0.clone().requires_grad_(True)
    synth(w).square().mean().backward()


for name, fn in (("forward", forward), ("forward+backward", forward_backward)):
    med, p25 = timed(fn)
    print(f"pytorch-{torch.__version__} synth size={SIZE} threads={THREADS} pass={name} median_ms={med:.1f} p25_ms={p25:.1f} repeats={REPEATS}")
