#!/usr/bin/env python3
"""PyTorch peer of `kexue bench linear-attention`.

    python benchmarks/peer_attention.py linear-attention [--threads 2] [--repeat 5] [--max-n 16384] [--max-softmax-n 8192]

Forward + backward (torch.autograd.grad with a fixed random upstream gradient) of attention over
q, k, v [1, 8, n, 64], the same configs and JSON shape as the Kexue side:
- softmax: matmul-softmax-matmul with 1/sqrt(d) scaling and, when causal, an additive 0/-1e9 bias
  built before timing (as Kexue's AttentionMask bias);
- linear: the METHODS.md §3 formulas with phi = elu + 1, eps 1e-6, no scaling. Non-causal is the
  associative form; causal is the chunked form (masked quadratic inside 64-token chunks, running
  state S, z carried across chunks), which is how a pure-PyTorch implementation avoids both a
  Python loop per token and the O(n*C*M) cumsum tensor.
Each config runs in a forked child (see peer_core.py for the meaning of peak_mb).
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

from peer_core import in_child

LENGTHS = [256, 512, 1024, 2048, 4096, 8192, 16384]
HEADS, D = 8, 64


def phi(x):
    return F.elu(x) + 1


def linear_noncausal(q, k, v, eps=1e-6):
    fq, fk = phi(q), phi(k)
    kv = fk.transpose(-1, -2) @ v                      # [B, H, C, M]
    ksum = fk.sum(dim=2, keepdim=True)                 # [B, H, 1, C]
    return (fq @ kv) / ((fq * ksum).sum(-1, keepdim=True) + eps)


def linear_causal_chunked(q, k, v, eps=1e-6, chunk=64):
    fq, fk = phi(q), phi(k)
    b, h, n, c = fq.shape
    m = v.shape[-1]
    s = fq.new_zeros(b, h, c, m)
    z = fq.new_zeros(b, h, 1, c)
    tril = torch.tril(torch.ones(chunk, chunk))
    outs = []
    for start in range(0, n, chunk):
        qc, kc, vc = fq[:, :, start:start + chunk], fk[:, :, start:start + chunk], v[:, :, start:start + chunk]
        t = qc.shape[2]
        a = (qc @ kc.transpose(-1, -2)) * tril[:t, :t]   # [B, H, t, t]
        num = a @ vc + qc @ s
        den = a.sum(-1, keepdim=True) + (qc * z).sum(-1, keepdim=True)
        outs.append(num / (den + eps))
        s = s + kc.transpose(-1, -2) @ vc
        z = z + kc.sum(dim=2, keepdim=True)
    return torch.cat(outs, dim=2)


def softmax_attention(q, k, v, bias):
    scores = (q * (1 / D ** 0.5)) @ k.transpose(-1, -2)
    if bias is not None:
        scores = scores + bias
    return F.softmax(scores, dim=-1) @ v


def measure(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def run_one(config, args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    n = config["n"]
    q = (0.5 * torch.randn(1, HEADS, n, D)).requires_grad_()
    k = (0.5 * torch.randn(1, HEADS, n, D)).requires_grad_()
    v = torch.randn(1, HEADS, n, D).requires_grad_()
    g = torch.randn(1, HEADS, n, D)
    if config["attention"] == "softmax":
        bias = torch.triu(torch.full((n, n), -1e9), diagonal=1) if config["causal"] else None
        f = lambda: softmax_attention(q, k, v, bias)
    else:
        f = (lambda: linear_causal_chunked(q, k, v)) if config["causal"] else (lambda: linear_noncausal(q, k, v))
    reps = min(args.repeat, 3) if n >= 4096 else args.repeat
    ms = measure(lambda: torch.autograd.grad(f(), [q, k, v], g), reps)
    record = {"bench": "linear-attention", "config": config, "median_ms": round(ms, 4),
              "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0 - base, 1),
              "env": {"impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "cpu": cpu_model()}}
    print(json.dumps(record), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("name", choices=["linear-attention"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--max-n", type=int, default=16384)
    parser.add_argument("--max-softmax-n", type=int, default=8192)
    args = parser.parse_args()
    failed = 0
    for n in LENGTHS:
        if n > args.max_n:
            continue
        for attention in ("softmax", "linear"):
            for causal in (False, True):
                config = {"n": n, "d": D, "heads": HEADS, "attention": attention, "causal": causal}
                if attention == "softmax" and n > args.max_softmax_n:
                    print(json.dumps({"bench": "linear-attention", "config": config, "median_ms": 0,
                                      "skipped": f"n > {args.max_softmax_n}"}), flush=True)
                    continue
                failed += in_child(f"peer_attention: {config}", lambda: run_one(config, args))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
