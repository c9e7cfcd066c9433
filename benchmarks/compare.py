#!/usr/bin/env python3
"""Runs `kexue bench <name>` and its PyTorch peer alternately and prints time ratios.

    python benchmarks/compare.py matmul softmax layernorm gelu [--threads 2] [--rounds 3]

For each benchmark: kexue, peer, kexue, peer, ... (--rounds times each), so that drift in the
machine's load hits both sides alike. Lines are matched by (bench, config); each side's time is
the median of its per-round medians, and ratio = kexue_ms / pytorch_ms (< 1: Kexue is faster).
The table goes to stderr, one JSON object per config to stdout. Needs only the standard library;
the peer runs under the tools venv's python (tools/make_venv.sh).
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
VENV_PYTHON = os.path.join(os.environ.get("KEXUE_HOME", os.path.expanduser("~/.cache/kexue")),
                           "venv-tools", "bin", "python")


def run(cmd):
    """Runs one benchmark command; returns {(bench, config key): record} of its JSON lines."""
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"compare: {' '.join(cmd)} exited with {proc.returncode}")
    records = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            r = json.loads(line)
            if "skipped" in r:  # a config too large to run (e.g. softmax attention at n = 16384)
                continue
            records[(r["bench"], json.dumps(r["config"], sort_keys=True))] = r
    return records


def describe(config):
    parts = []
    for key, value in config.items():
        if value is True:
            parts.append(key)
        elif isinstance(value, list):
            parts.append(f"{key}={'x'.join(map(str, value))}")
        elif value is not False:
            parts.append(f"{key}={value}")
    return " ".join(parts)


# Which peer script times which benchmark (the core kernels are in peer_core.py).
PEERS = {"cnn-step": "peer_models.py", "bert-forward": "peer_models.py", "bert-train": "peer_models.py",
         "ig": "peer_ig.py",
         "linear-attention": "peer_attention.py",
         "nvae-step": "peer_nvae.py",
         "qg-decode": "peer_qg.py"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="+", help="benchmarks, e.g. matmul softmax layernorm gelu")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--kexue", default=".build/release/kexue", help="the kexue binary")
    parser.add_argument("--python", default=VENV_PYTHON if os.path.exists(VENV_PYTHON)
                        else sys.executable, help="python with torch (default: the tools venv)")
    args = parser.parse_args()
    if not os.access(args.kexue, os.X_OK):
        sys.exit(f"compare: no kexue binary at {args.kexue}: run `swift build -c release` or pass --kexue")

    threads = ["--threads", str(args.threads)]
    sides = {"kexue": lambda name: [args.kexue, "bench", name] + threads,
             "pytorch": lambda name: [args.python, os.path.join(HERE, PEERS.get(name, "peer_core.py")), name] + threads}
    times = {}   # (bench, config key) -> {"kexue": [ms per round], "pytorch": [...]}
    last = {}    # (bench, config key) -> {"kexue": record, "pytorch": record}
    order = []
    for name in args.names:
        for round_ in range(args.rounds):
            for impl, command in sides.items():
                print(f"[{name} round {round_ + 1}/{args.rounds}] {impl}", file=sys.stderr, flush=True)
                for key, record in run(command(name)).items():
                    if key not in times:
                        order.append(key)
                    times.setdefault(key, {}).setdefault(impl, []).append(record["median_ms"])
                    last.setdefault(key, {})[impl] = record

    print(f"\n{'bench':<10} {'config':<44} {'kexue ms':>10} {'torch ms':>10} {'ratio':>7}",
          file=sys.stderr)
    logs = {}
    for key in order:
        bench, config = key[0], last[key].get("pytorch", last[key].get("kexue"))["config"]
        ms = {impl: statistics.median(v) for impl, v in times[key].items()}
        ratio = ms["kexue"] / ms["pytorch"] if len(ms) == 2 else None
        if ratio:
            logs.setdefault(bench, []).append(math.log(ratio))
        cell = lambda impl: f"{ms[impl]:10.3f}" if impl in ms else f"{'missing':>10}"
        print(f"{bench:<10} {describe(config):<44} {cell('kexue')} {cell('pytorch')} "
              f"{'-' if ratio is None else f'{ratio:.2f}':>7}", file=sys.stderr)
        rounded = lambda v: None if v is None else round(v, 4)
        print(json.dumps({"bench": bench, "config": config, "kexue_ms": rounded(ms.get("kexue")),
                          "pytorch_ms": rounded(ms.get("pytorch")), "ratio": rounded(ratio),
                          "rounds": args.rounds,
                          "env": {impl: r["env"] for impl, r in last[key].items()}}), flush=True)
    for bench, values in logs.items():
        print(f"{bench}: geometric mean ratio {math.exp(statistics.mean(values)):.2f} "
              f"over {len(values)} configs", file=sys.stderr)


if __name__ == "__main__":
    main()
