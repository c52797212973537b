"""PyTorch side of `npm run bench:train`: trains the identical architecture (a layer list exported by
bench/train.ts from the ONNX graph) with the same optimizer, batch size and thread count, and prints one JSON
line {samplesPerSecond, peakRssMb}. Data: the same number of MNIST-shaped samples, reshuffled each epoch."""
import json
import resource
import sys
import time

import torch
from torch import nn


def build(layers):
    mods = []
    for l in layers:
        t = l["type"]
        if t == "conv":
            mods.append(nn.Conv2d(l["cin"], l["cout"], l["k"], stride=l["stride"], padding=l["pad"], groups=l["group"], bias=l["bias"]))
        elif t == "bn":
            mods.append(nn.BatchNorm2d(l["c"], eps=l["eps"], momentum=l["momentum"]))
        elif t == "relu":
            mods.append(nn.ReLU())
        elif t == "maxpool":
            mods.append(nn.MaxPool2d(l["k"], l["stride"]))
        elif t == "flatten":
            mods.append(nn.Flatten())
        elif t == "linear":
            mods.append(nn.Linear(l["fin"], l["fout"], bias=l["bias"]))
        elif t == "gap":
            mods.append(nn.AdaptiveAvgPool2d(1))
        else:
            raise SystemExit(f"unsupported layer {t}")
    return nn.Sequential(*mods)


def main():
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(0)
    model = build(cfg["layers"])
    model.train()
    n, b = cfg["samples"], cfg["batch"]
    x = torch.rand((n, *cfg["inputShape"]))
    y = torch.randint(0, cfg["classes"], (n,))
    opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"], momentum=0.9, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    rates = []
    for epoch in range(cfg["epochs"]):
        perm = torch.randperm(n)
        t0 = time.perf_counter()
        seen = 0
        for i in range(n // b):
            idx = perm[i * b:(i + 1) * b]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            opt.step()
            (logits.argmax(1) == yb).sum().item()  # the TS trainer also computes batch accuracy
            seen += b
        rates.append(seen / (time.perf_counter() - t0))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"samplesPerSecond": sum(rates[1:] or rates) / len(rates[1:] or rates), "peakRssMb": rss, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
