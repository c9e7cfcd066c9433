#!/usr/bin/env python3
"""Golden trajectories for Kexue's optimizers, from PyTorch.

Writes Tests/Fixtures/optim_adamw.json: two parameters (a [4,3] weight that decays, a [3] bias
that does not), fixed initial values, ten fixed gradients (not computed from a loss: the bias has
no gradient at step 5, to pin down PyTorch's skip-and-keep-state semantics), and the parameters
after every step for AdamW, Adam, SGD (Nesterov momentum) and Adamax, each in float32 and float64.
The learning rate follows HF's get_linear_schedule_with_warmup (reimplemented here, so only torch
is needed), applied with HF's `optimizer.step(); scheduler.step()` order.

    python3 -m venv /tmp/optvenv && /tmp/optvenv/bin/pip install numpy torch
    /tmp/optvenv/bin/python tools/make_optim_fixture.py
"""
import json
import os

import numpy as np
import torch

STEPS = 10
WARMUP, TOTAL = 3, 12
BETAS, EPS, WEIGHT_DECAY = (0.9, 0.999), 1e-8, 0.01
SKIPPED_BIAS_STEP = 5  # 1-based: the bias has grad None at this step

# name → (torch class, base lr, extra constructor arguments)
RUNS = {
    "adamw": (torch.optim.AdamW, 1e-3, dict(betas=BETAS, eps=EPS)),
    "adam": (torch.optim.Adam, 1e-3, dict(betas=BETAS, eps=EPS)),
    # SGD moves by lr·g, so 1e-3 would barely move it: 0.05 makes every term visible at 1e-6.
    "sgd_nesterov": (torch.optim.SGD, 0.05, dict(momentum=0.9, nesterov=True)),
    "adamax": (torch.optim.Adamax, 1e-3, dict(betas=BETAS, eps=EPS)),
}


def linear_warmup_decay(step):
    """HF get_linear_schedule_with_warmup's lr_lambda."""
    if step < WARMUP:
        return float(step) / float(max(1, WARMUP))
    return max(0.0, float(TOTAL - step) / float(max(1, TOTAL - WARMUP)))


def f32_list(a):
    """Values rounded to float32, as exact Python floats."""
    return [float(x) for x in np.asarray(a, dtype=np.float32).ravel()]


def run(name, dtype, initial, gradients):
    cls, lr, extra = RUNS[name]
    weight = torch.tensor(initial["weight"], dtype=dtype).reshape(4, 3)
    bias = torch.tensor(initial["bias"], dtype=dtype)
    groups = [
        {"params": [weight], "weight_decay": WEIGHT_DECAY},
        {"params": [bias], "weight_decay": 0.0},
    ]
    opt = cls(groups, lr=lr, foreach=False, **extra)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, linear_warmup_decay)
    after = []
    lrs = []
    for g in gradients:
        lrs.append(opt.param_groups[0]["lr"])
        weight.grad = torch.tensor(g["weight"], dtype=dtype).reshape(4, 3)
        bias.grad = None if g["bias"] is None else torch.tensor(g["bias"], dtype=dtype)
        opt.step()
        sched.step()
        after.append({"weight": [float(x) for x in weight.detach().ravel()],
                      "bias": [float(x) for x in bias.detach().ravel()]})
    return {
        "optimizer": cls.__name__,
        "dtype": "float32" if dtype == torch.float32 else "float64",
        "lr": lr,
        **{k: (list(v) if isinstance(v, tuple) else v) for k, v in extra.items()},
        "weight_decay": {"weight": WEIGHT_DECAY, "bias": 0.0},
        "lr_per_step": lrs,
        "after_step": after,
    }


def main():
    torch.set_num_threads(1)
    rng = np.random.default_rng(20200101)
    initial = {"weight": f32_list(rng.normal(0, 0.5, 12)), "bias": f32_list(rng.normal(0, 0.1, 3))}
    gradients = []
    for step in range(1, STEPS + 1):
        w = f32_list(rng.normal(0, 1, 12))
        b = f32_list(rng.normal(0, 1, 3))
        gradients.append({"weight": w, "bias": None if step == SKIPPED_BIAS_STEP else b})

    runs = {}
    for name in RUNS:
        runs[name] = run(name, torch.float32, initial, gradients)
        runs[name + "_float64"] = run(name, torch.float64, initial, gradients)

    fixture = {
        "generator": "tools/make_optim_fixture.py",
        "torch": torch.__version__,
        "steps": STEPS,
        "schedule": {"kind": "linear_warmup_decay", "warmup_steps": WARMUP, "total_steps": TOTAL,
                     "multipliers": [linear_warmup_decay(s) for s in range(STEPS)]},
        "shapes": {"weight": [4, 3], "bias": [3]},
        "initial": initial,
        "gradients": gradients,
        "runs": runs,
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "optim_adamw.json")
    with open(out, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
