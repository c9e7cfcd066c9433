#!/usr/bin/env python3
"""PyTorch peer of `kexue bench cnn-step | bert-forward | bert-train` (same configs, same JSON shape).

    python benchmarks/peer_models.py cnn-step|bert-forward|bert-train [--threads 2] [--repeat 10]

- cnn-step {"batch": 128}: zero_grad, forward, cross-entropy, backward, Adam(1e-3) step of the MNIST
  CNN of `kexue mnist train --model cnn`: conv 1→16 3x3 pad 1, BN, ReLU, max-pool 2; conv 16→32,
  BN, ReLU, pool; Linear 1568→128, ReLU, Dropout 0.25; Linear 10. Train mode, random inputs.
- bert-forward {"batch": 1|8, "seq": 128}: HF BertModel on the MiniLM in $KEXUE_HOME, eval mode,
  no_grad, random ids, all-ones mask; the faster of attn "eager" and "sdpa" (named in env.attn).
- bert-train {"batch": 8, "seq": 128}: BertForSequenceClassification (2 labels, new head), train
  mode, forward with labels, backward, AdamW(5e-5, weight decay 0.01) step.
median_ms: median of --repeat timed calls after 3 warm-up calls.
"""
import argparse, json, os, platform, resource, statistics, time

import torch
import torch.nn as nn

HOME = os.environ.get("KEXUE_HOME", os.path.expanduser("~/.cache/kexue"))
MODEL = os.path.join(HOME, "models", "all-MiniLM-L6-v2")


def cpu():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def median_ms(fn, repeat):
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def emit(bench, config, ms, extra_env=None):
    env = {"impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(), "cpu": cpu()}
    env.update(extra_env or {})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"bench": bench, "config": config, "median_ms": ms, "peak_mb": round(peak, 1), "env": env},
                     sort_keys=True), flush=True)


def cnn_step(repeat):
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10)).train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.rand(128, 1, 28, 28), torch.randint(0, 10, (128,))

    def step():
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    emit("cnn-step", {"batch": 128}, median_ms(step, repeat))


def bert_forward(repeat):
    from transformers import AutoModel
    for batch in (1, 8):
        ids = torch.randint(1000, 30000, (batch, 128))
        mask = torch.ones(batch, 128, dtype=torch.long)
        best = None
        for attn in ("eager", "sdpa"):
            model = AutoModel.from_pretrained(MODEL, attn_implementation=attn).eval()
            with torch.no_grad():
                ms = median_ms(lambda: model(input_ids=ids, attention_mask=mask), repeat)
            if best is None or ms < best[0]:
                best = (ms, attn)
        emit("bert-forward", {"batch": batch, "seq": 128}, best[0], {"attn": best[1]})


def bert_train(repeat):
    from transformers import BertForSequenceClassification
    torch.manual_seed(0)
    best = None
    for attn in ("eager", "sdpa"):
        model = BertForSequenceClassification.from_pretrained(MODEL, num_labels=2, attn_implementation=attn).train()
        opt = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.01)
        ids, mask = torch.randint(1000, 30000, (8, 128)), torch.ones(8, 128, dtype=torch.long)
        labels = torch.randint(0, 2, (8,))

        def step():
            opt.zero_grad()
            model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
            opt.step()
        ms = median_ms(step, repeat)
        if best is None or ms < best[0]:
            best = (ms, attn)
    emit("bert-train", {"batch": 8, "seq": 128}, best[0], {"attn": best[1]})


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("name", choices=["cnn-step", "bert-forward", "bert-train"])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    {"cnn-step": cnn_step, "bert-forward": bert_forward, "bert-train": bert_train}[a.name](a.repeat)
