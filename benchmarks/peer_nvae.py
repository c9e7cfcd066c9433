#!/usr/bin/env python3
"""PyTorch peer of `kexue bench nvae-step` (same model, same objective, same JSON shape).

    python benchmarks/peer_nvae.py nvae-step [--threads 2] [--repeat 5]

nvae-step {"batch": 64, "model": "nvae-miniature"}: one training step of the CPU miniature NVAE of
METHODS.md §6(b) (stem 16 channels at 32x32, 2 pre/post blocks of 1 cell, groups 2 at 4x4 and 4 at 8x8
of 20 channels, 1 encoder/decoder cell per group, SE, weight norm outside the inverted residuals,
BN momentum 0.05) on a random binary batch: zero_grad, forward, NELBO with KL warm-up + balancing
(beta < 1), spectral penalty (4 power iterations per conv, batched per shape as NVAE does, plus BN
max|gamma|), backward, Adamax(lr 5e-3, eps 1e-3, weight decay 3e-4) step.
median_ms: median of --repeat timed calls after 3 warm-up calls.
"""
import argparse, json, math, os, platform, resource, statistics, sys, time
from collections import defaultdict

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_models import cpu, median_ms, emit  # noqa: E402


def soft_clamp5(x):
    return x.div(5.).tanh_().mul(5.) if not x.requires_grad else torch.tanh(x / 5.) * 5.


class Conv(nn.Conv2d):
    """Conv2d with optional weight norm W = exp(g)·V/(‖V‖+1e-5); keeps u, v for the power iteration."""

    def __init__(self, cin, cout, k, stride=1, padding=None, groups=1, bias=True, wn=True):
        super().__init__(cin, cout, k, stride, k // 2 if padding is None else padding, groups=groups, bias=bias)
        if bias:
            nn.init.zeros_(self.bias)
        self.wn = wn
        if wn:
            init = torch.log(torch.sqrt((self.weight ** 2).sum(dim=[1, 2, 3])).view(-1, 1, 1, 1) + 1e-2)
            self.log_weight_norm = nn.Parameter(init)

    def normalized_weight(self):
        if not self.wn:
            return self.weight
        n = torch.sqrt((self.weight ** 2).sum(dim=[1, 2, 3])).view(-1, 1, 1, 1)
        return torch.exp(self.log_weight_norm) * self.weight / (n + 1e-5)

    def forward(self, x):
        return F.conv2d(x, self.normalized_weight(), self.bias, self.stride, self.padding, self.dilation, self.groups)


def bn(c):
    return nn.BatchNorm2d(c, eps=1e-5, momentum=0.05)


class SE(nn.Module):
    def __init__(self, c):
        super().__init__()
        h = max(c // 16, 4)
        self.reduce, self.expand = nn.Linear(c, h), nn.Linear(h, c)

    def forward(self, x):
        g = torch.sigmoid(self.expand(F.relu(self.reduce(x.mean(dim=[2, 3])))))
        return x * g.view(x.size(0), -1, 1, 1)


class FactorizedReduce(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.convs = nn.ModuleList([Conv(cin, cout // 4, 1, stride=2, padding=0) for _ in range(4)])

    def forward(self, x):
        a = F.silu(x)
        parts = [a, a[:, :, 1:, 1:], a[:, :, :, 1:], a[:, :, 1:, :]]
        return torch.cat([c(p) for c, p in zip(self.convs, parts)], dim=1)


class EncoderCell(nn.Module):
    def __init__(self, c, down):
        super().__init__()
        out = 2 * c if down else c
        self.norm1, self.conv1 = bn(c), Conv(c, out, 3, stride=2 if down else 1)
        self.norm2, self.conv2 = bn(out), Conv(out, out, 3)
        self.se = SE(out)
        self.skip = FactorizedReduce(c, out) if down else None

    def forward(self, x):
        b = self.se(self.conv2(F.silu(self.norm2(self.conv1(F.silu(self.norm1(x)))))))
        return (self.skip(x) if self.skip is not None else x) + 0.1 * b


class DecoderCell(nn.Module):
    def __init__(self, c, ex, up):
        super().__init__()
        out, hid = (c // 2 if up else c), c * ex
        self.up = up
        self.norm0, self.expand_conv, self.norm1 = bn(c), Conv(c, hid, 1, bias=False, wn=False), bn(hid)
        self.dw, self.norm2 = Conv(hid, hid, 5, groups=hid, bias=False, wn=False), bn(hid)
        self.project, self.norm3 = Conv(hid, out, 1, bias=False, wn=False), bn(out)
        self.se = SE(out)
        self.skip = Conv(c, out, 1) if up else None

    def forward(self, x):
        i = F.interpolate(x, scale_factor=2, mode="nearest") if self.up else x
        h = F.silu(self.norm1(self.expand_conv(self.norm0(i))))
        h = F.silu(self.norm2(self.dw(h)))
        b = self.se(self.norm3(self.project(h)))
        s = self.skip(F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)) if self.up else x
        return s + 0.1 * b


class Normal:
    def __init__(self, mu, log_sigma, temp=1.):
        self.mu = soft_clamp5(mu)
        self.sigma = torch.exp(soft_clamp5(log_sigma)) + 1e-2
        if temp != 1.:
            self.sigma = self.sigma * temp

    def sample(self):
        return self.mu + self.sigma * torch.randn_like(self.mu)

    def log_p(self, z):
        d = (z - self.mu) / self.sigma
        return -0.5 * d * d - 0.5 * math.log(2 * math.pi) - torch.log(self.sigma)

    def kl(self, p):
        t1 = (self.mu - p.mu) / p.sigma
        t2 = self.sigma / p.sigma
        return 0.5 * (t1 * t1 + t2 * t2) - 0.5 - torch.log(t2)


class NVAE(nn.Module):
    def __init__(self, stem=16, groups=(2, 4), zc=20):
        super().__init__()
        self.groups, self.zc = list(groups), zc
        ch = stem
        self.stem = Conv(1, ch, 3)
        self.pre = nn.ModuleList()
        for _ in range(2):
            self.pre.append(EncoderCell(ch, True)); ch *= 2
        S = len(groups)
        chans = [ch << (S - 1 - s) for s in range(S)]  # decoder order, coarsest first
        self.enc_cells, self.enc_down = nn.ModuleList(), nn.ModuleList()
        for s in reversed(range(S)):
            for _ in range(groups[s]):
                self.enc_cells.append(EncoderCell(ch, False))
            if s > 0:
                self.enc_down.append(EncoderCell(ch, True)); ch *= 2
        self.enc_top = Conv(ch, ch, 1)
        self.enc_samplers, self.enc_comb = nn.ModuleList(), nn.ModuleList()
        self.dec_cells, self.dec_samplers, self.dec_comb, self.dec_up = nn.ModuleList(), nn.ModuleList(), nn.ModuleList(), nn.ModuleList()
        l = 0
        for s in range(S):
            c = chans[s]
            for _ in range(groups[s]):
                self.enc_samplers.append(Conv(c, 2 * zc, 3))
                if l > 0:
                    self.enc_comb.append(Conv(c, c, 1))
                    self.dec_cells.append(DecoderCell(c, 6, False))
                    self.dec_samplers.append(Conv(c, 2 * zc, 1))
                self.dec_comb.append(Conv(c + zc, c, 1))
                l += 1
            if s < S - 1:
                self.dec_up.append(DecoderCell(c, 6, True))
        side = 32 >> (2 + S - 1)
        self.h0 = nn.Parameter(torch.rand(1, chans[0], side, side))
        ch = chans[-1]
        self.post = nn.ModuleList()
        for _ in range(2):
            self.post.append(DecoderCell(ch, 3, True)); ch //= 2
        self.image = Conv(ch, 1, 3)

    def forward(self, x):
        n = x.size(0)
        s = self.stem(2 * F.pad(x, (2, 2, 2, 2)) - 1)
        for c in self.pre:
            s = c(s)
        feats, g, L = [], 0, sum(self.groups)
        for si in range(len(self.groups)):
            for _ in range(self.groups[len(self.groups) - 1 - si]):
                s = self.enc_cells[g](s)
                if g < L - 1:
                    feats.append(s)
                g += 1
            if si < len(self.enc_down):
                s = self.enc_down[si](s)
        feats.reverse()
        top = F.elu(self.enc_top(F.elu(s)))
        s = self.h0.expand(n, -1, -1, -1)
        kls, l = [], 0
        for si in range(len(self.groups)):
            for _ in range(self.groups[si]):
                if l == 0:
                    mq, lq = torch.chunk(self.enc_samplers[0](top), 2, dim=1)
                    q = Normal(mq, lq)
                    p = Normal(torch.zeros_like(mq), torch.zeros_like(mq))
                    p.sigma = torch.ones_like(mq)
                    p.mu = torch.zeros_like(mq)
                else:
                    s = self.dec_cells[l - 1](s)
                    mp, lp = torch.chunk(self.dec_samplers[l - 1](F.elu(s)), 2, dim=1)
                    mq, lq = torch.chunk(self.enc_samplers[l](feats[l - 1] + self.enc_comb[l - 1](s)), 2, dim=1)
                    q, p = Normal(mp + mq, lp + lq), Normal(mp, lp)
                z = q.sample()
                kls.append(q.kl(p).sum(dim=[1, 2, 3]))
                s = self.dec_comb[l](torch.cat([s, z], dim=1))
                l += 1
            if si < len(self.dec_up):
                s = self.dec_up[si](s)
        for c in self.post:
            s = c(s)
        logits = self.image(F.elu(s))[:, :, 2:30, 2:30]
        return logits, kls


def spectral_penalty(model, state):
    """Σ σ_max over convs (power iteration batched per weight shape) + Σ_BN max|γ|."""
    by_shape = defaultdict(list)
    for name, m in model.named_modules():
        if isinstance(m, Conv):
            w = m.normalized_weight()
            by_shape[tuple(w.shape)].append((name, w.view(w.size(0), -1)))
    total = 0.
    for shape, items in by_shape.items():
        w = torch.stack([x[1] for x in items])  # [B, O, K]
        with torch.no_grad():
            if shape not in state:
                u = F.normalize(torch.randn(w.size(0), w.size(1), device=w.device), dim=1, eps=1e-3)
                v = F.normalize(torch.randn(w.size(0), w.size(2), device=w.device), dim=1, eps=1e-3)
                iters = 40
            else:
                u, v = state[shape]
                iters = 4
            for _ in range(iters):
                v = F.normalize(torch.matmul(u.unsqueeze(1), w).squeeze(1), dim=1, eps=1e-3)
                u = F.normalize(torch.matmul(w, v.unsqueeze(2)).squeeze(2), dim=1, eps=1e-3)
            state[shape] = (u, v)
        total = total + torch.matmul(u.unsqueeze(1), torch.matmul(w, v.unsqueeze(2))).sum()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            total = total + m.weight.abs().max()
    return total


def nvae_step(repeat):
    torch.manual_seed(0)
    model = NVAE().train()
    opt = torch.optim.Adamax(model.parameters(), lr=5e-3, eps=1e-3, weight_decay=3e-4)
    x = (torch.rand(64, 1, 28, 28) < 0.3).float()
    alpha = torch.tensor([1., 1., 2., 2., 2., 2.])
    beta, lam, state = 0.1, 1e-2, {}

    def step():
        opt.zero_grad()
        logits, kls = model(x)
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=[1, 2, 3])
        kl_all = torch.stack(kls, dim=1)                          # [N, L]
        c = kl_all.abs().mean(dim=0) + 0.01
        gamma = (c / alpha)
        gamma = (gamma / gamma.mean()).detach()
        loss = (recon + beta * (kl_all * gamma).sum(dim=1)).mean() + lam * spectral_penalty(model, state)
        loss.backward()
        opt.step()

    ms = median_ms(step, repeat)
    params = sum(p.numel() for p in model.parameters())
    emit("nvae-step", {"batch": 64, "model": "nvae-miniature"}, ms, {"parameters": params})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("name", choices=["nvae-step"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    nvae_step(args.repeat)


if __name__ == "__main__":
    main()
