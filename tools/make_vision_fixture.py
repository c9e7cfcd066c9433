#!/usr/bin/env python3
"""Golden fixtures for Kexue's vision ops (conv2d, pooling, up-sampling, batch norm) from PyTorch.

Writes Tests/Fixtures/vision_ops.json: per case the op, its parameters, the inputs, the output,
and — for a fixed upstream gradient `seed` — the gradients of sum(output * seed) with respect to
every input (batch norm also records the updated running statistics). Inputs lie on a 1/1024
grid so they are exact in Float32 and short in JSON.

    python3 -m venv /tmp/visvenv && /tmp/visvenv/bin/pip install torch numpy
    /tmp/visvenv/bin/python tools/make_vision_fixture.py
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(2020)
torch.set_num_threads(1)


def grid(*shape, scale=2.0):
    """Uniform in [-scale, scale], rounded to multiples of 1/1024 (exact in Float32)."""
    return (torch.round((torch.rand(*shape) * 2 - 1) * scale * 1024) / 1024).float()


def enc(t):
    t = t.detach().float().contiguous()
    return {"shape": list(t.shape), "data": [float(f"{v:.8g}") for v in t.flatten().tolist()]}


def case(name, op, params, inputs, fn, extra=None):
    leaves = {k: v.clone().requires_grad_(True) for k, v in inputs.items()}
    out = fn(**leaves)
    seed = grid(*out.shape, scale=1.0)
    (out * seed).sum().backward()
    c = {"name": name, "op": op, "params": params,
         "inputs": {k: enc(v) for k, v in inputs.items()},
         "output": enc(out), "seed": enc(seed),
         "grads": {k: enc(v.grad) for k, v in leaves.items()}}
    if extra:
        c.update({k: enc(v) for k, v in extra().items()})
    return c


cases = []


def conv(name, x, w, b, stride, padding, dilation, groups):
    inputs = {"x": x, "weight": w}
    if b is not None:
        inputs["bias"] = b
    params = {"stride": list(stride), "padding": list(padding), "dilation": list(dilation), "groups": groups}
    cases.append(case(name, "conv2d", params, inputs,
                      lambda x, weight, bias=None: F.conv2d(x, weight, bias, stride, padding, dilation, groups)))


conv("conv 3x3 pad 1", grid(2, 3, 8, 8), grid(4, 3, 3, 3, scale=0.5), grid(4), (1, 1), (1, 1), (1, 1), 1)
conv("conv stride 2 pad 1 dilation 2 groups 2", grid(2, 4, 9, 9), grid(6, 2, 3, 3, scale=0.5), grid(6), (2, 2), (1, 1), (2, 2), 2)
conv("conv asymmetric 3x2 stride (1,2) pad (1,0)", grid(1, 3, 6, 7), grid(5, 3, 3, 2, scale=0.5), None, (1, 2), (1, 0), (1, 1), 1)
conv("conv 1x1", grid(2, 8, 5, 5), grid(6, 8, 1, 1, scale=0.5), grid(6), (1, 1), (0, 0), (1, 1), 1)
conv("conv 1x1 stride 2", grid(1, 4, 6, 6), grid(3, 4, 1, 1, scale=0.5), None, (2, 2), (0, 0), (1, 1), 1)
conv("depthwise 5x5 16x16", grid(1, 4, 16, 16), grid(4, 1, 5, 5, scale=0.5), grid(4), (1, 1), (2, 2), (1, 1), 4)
conv("depthwise 5x5 8x8", grid(2, 3, 8, 8), grid(3, 1, 5, 5, scale=0.5), None, (1, 1), (2, 2), (1, 1), 3)
conv("depthwise 3x3 stride 2", grid(1, 3, 7, 9), grid(3, 1, 3, 3, scale=0.5), grid(3), (2, 2), (1, 1), (1, 1), 3)

x = grid(2, 3, 7, 7)
cases.append(case("maxpool 3x3 stride 2 pad 1", "maxPool2d", {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1]},
                  {"x": x}, lambda x: F.max_pool2d(x, 3, 2, 1)))
cases.append(case("maxpool 2x2", "maxPool2d", {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0]},
                  {"x": grid(1, 2, 6, 8)}, lambda x: F.max_pool2d(x, 2, 2, 0)))
cases.append(case("avgpool 3x3 stride 2 pad 1", "avgPool2d", {"kernel": [3, 3], "stride": [2, 2], "padding": [1, 1]},
                  {"x": x}, lambda x: F.avg_pool2d(x, 3, 2, 1)))
cases.append(case("avgpool 2x2", "avgPool2d", {"kernel": [2, 2], "stride": [2, 2], "padding": [0, 0]},
                  {"x": grid(1, 2, 6, 8)}, lambda x: F.avg_pool2d(x, 2, 2, 0)))

for scale, align in [(2, False), (3, False), (2, True)]:
    cases.append(case(f"bilinear x{scale} align_corners={align}", "upsampleBilinear2d",
                      {"scale": scale, "alignCorners": align}, {"x": grid(2, 2, 5, 6)},
                      lambda x, s=scale, a=align: F.interpolate(x, scale_factor=s, mode="bilinear", align_corners=a)))
cases.append(case("nearest x2", "upsampleNearest2d", {"scale": 2}, {"x": grid(1, 2, 3, 4)},
                  lambda x: F.interpolate(x, scale_factor=2, mode="nearest")))


def bn(name, shape, training, momentum=0.05, eps=1e-5):
    c = shape[1]
    x = grid(*shape) * 3 + 1
    rm0, rv0 = grid(c, scale=0.5), grid(c, scale=0.5).abs() + 0.5
    rm, rv = rm0.clone(), rv0.clone()
    inputs = {"x": x, "weight": grid(c), "bias": grid(c)}
    result = case(name, "batchNorm", {"training": training, "momentum": momentum, "eps": eps}, inputs,
                  lambda x, weight, bias: F.batch_norm(x, rm, rv, weight, bias, training, momentum, eps),
                  extra=lambda: {"runningMeanOut": rm, "runningVarOut": rv})
    result["inputs"]["runningMean"] = enc(rm0)
    result["inputs"]["runningVar"] = enc(rv0)
    cases.append(result)


bn("batchnorm train NCHW", (4, 3, 5, 5), True)
bn("batchnorm train NC", (6, 4), True, momentum=0.1)
bn("batchnorm eval NCHW", (2, 3, 4, 4), False)

out = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "vision_ops.json")
with open(out, "w") as f:
    json.dump({"torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases, {os.path.getsize(out)} bytes, torch {torch.__version__}")
