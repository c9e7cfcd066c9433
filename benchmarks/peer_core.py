#!/usr/bin/env python3
"""PyTorch peer of `kexue bench <name>` for the core kernels.

    python benchmarks/peer_core.py matmul|softmax|layernorm|gelu [--threads 2] [--repeat 20]

Prints one JSON object per config, in the shape `kexue bench` prints (see benchmarks/README.md):
  {"bench", "config", "median_ms", "gflops" | "gbps", "peak_mb", "env"}

Timing: warm-up, then R repetitions; each repetition runs the op `inner` times back to back
(`inner` is calibrated so that one repetition takes >= 5 ms, which keeps timer noise out of tiny
kernels) and median_ms is the median over repetitions of the time per call.

peak_mb: each config runs in a forked child process (the parent never computes, so no OpenMP
pool exists at fork time). peak_mb is the growth of the child's peak resident set
(getrusage ru_maxrss, KiB on Linux) from just after the fork to the end of the config: inputs,
outputs, saved activations, library workspace, memory the allocators keep after free (glibc/MKL
hold ~100 MB more after 20 calls of the 2048 GEMM) and library code pages the child touches.
It is what the OS sees, not the sum of tensor sizes.
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

ELEMENTWISE_SHAPE = [8, 128, 1536]  # BERT-base-like activations: batch 8, seq 128, 4*384 wide


def matmul_configs():
    def cfg(m, k, n, transA=False, transB=False, batch=1):
        return {"m": m, "k": k, "n": n, "transA": transA, "transB": transB, "batch": batch}

    configs = [cfg(s, s, s) for s in (256, 512, 1024, 2048)]
    for m, k, n in [(1024, 384, 384), (1024, 384, 1536), (1024, 1536, 384)]:
        configs += [cfg(m, k, n), cfg(m, k, n, transB=True)]
    configs.append(cfg(1024, 384, 1536, transA=True))
    configs.append(cfg(128, 32, 128, batch=96))   # attention scores  [96,128,32] x [96,32,128]
    configs.append(cfg(128, 128, 32, batch=96))   # attention context [96,128,128] x [96,128,32]
    return configs


def elementwise_configs():
    return [{"shape": ELEMENTWISE_SHAPE, "pass": p} for p in ("forward", "backward")]


def matmul_case(c):
    """Returns (fn, flops). A transposed operand is stored transposed and passed as a `.t()` view,
    as nn.Linear passes its [out, in] weight; batched operands are [batch, rows, cols]."""
    m, k, n, batch = c["m"], c["k"], c["n"], c["batch"]
    lead = [batch] if batch > 1 else []
    a = torch.randn(*lead, k, m).transpose(-1, -2) if c["transA"] else torch.randn(*lead, m, k)
    b = torch.randn(*lead, n, k).transpose(-1, -2) if c["transB"] else torch.randn(*lead, k, n)
    return (lambda: torch.matmul(a, b)), 2.0 * batch * m * k * n


def elementwise_case(name, c):
    """Returns (fn, bytes). Bytes are the minimum float32 traffic of the op, N = numel:
    forward reads x and writes y: 2*4*N. Backward reads two [N] tensors and writes dx: 3*4*N
    (softmax reads y and g; layernorm and gelu read x and g). Per-row statistics and the [C]-sized
    weight, bias and their gradients are not counted.
    Backward is timed alone: torch.autograd.grad on a retained graph with a fixed random upstream
    gradient g. For layernorm it produces dx, dweight and dbias, as a training step does."""
    x = torch.randn(*c["shape"], requires_grad=True)
    width = c["shape"][-1]
    if name == "softmax":
        op, params = (lambda t: F.softmax(t, dim=-1)), []
    elif name == "layernorm":
        weight = torch.randn(width, requires_grad=True)
        bias = torch.randn(width, requires_grad=True)
        op, params = (lambda t: F.layer_norm(t, (width,), weight, bias, eps=1e-12)), [weight, bias]
    else:  # gelu, exact erf form as in BERT
        op, params = (lambda t: F.gelu(t, approximate="none")), []
    numel = x.numel()
    if c["pass"] == "forward":
        def forward():
            with torch.no_grad():
                return op(x)
        return forward, 2 * 4 * numel
    y = op(x)
    g = torch.randn_like(y)
    return (lambda: torch.autograd.grad(y, [x] + params, g, retain_graph=True)), 3 * 4 * numel


def measure(fn, repeat):
    for _ in range(3):
        fn()
    inner, elapsed = 1, 0.0
    while True:  # calibrate: one repetition should take >= 5 ms
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed >= 0.005:
            break
        inner *= 2
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times) * 1e3


def maxrss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def run_one(name, config, args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    base = maxrss_mb()
    if name == "matmul":
        fn, flops = matmul_case(config)
    else:
        fn, nbytes = elementwise_case(name, config)
    ms = measure(fn, args.repeat)
    record = {"bench": name, "config": config, "median_ms": round(ms, 4)}
    if name == "matmul":
        record["gflops"] = round(flops / (ms * 1e-3) / 1e9, 2)
    else:
        record["gbps"] = round(nbytes / (ms * 1e-3) / 1e9, 2)
    record["peak_mb"] = round(maxrss_mb() - base, 1)
    record["env"] = {"impl": "pytorch", "torch": torch.__version__,
                     "threads": torch.get_num_threads(), "cpu": cpu_model()}
    print(json.dumps(record), flush=True)


def in_child(label, run):
    """Runs `run()` in a forked child, so that one config's peak memory does not hide the next one's;
    returns True when it failed (the error is printed with `label`)."""
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        try:
            run()
            code = 0
        except BaseException as error:  # report, then leave the child without cleanup
            print(f"{label}: {error!r}", file=sys.stderr, flush=True)
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) != 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("name", choices=["matmul", "softmax", "layernorm", "gelu"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    configs = matmul_configs() if args.name == "matmul" else elementwise_configs()
    failed = 0
    for config in configs:
        failed += in_child(f"peer_core: {args.name} {config}", lambda: run_one(args.name, config, args))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
