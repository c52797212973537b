"""Export torchvision models to ONNX for reprune's benches (peer tool only; never a dependency of reprune).

Usage: python3 export_torchvision.py '<json list of specs>'
Each spec: {"arch": "resnet50", "file": "/abs/out.onnx", "size": 64, "classes": 10, "keepBn": false,
            "trainedLike": true, "opset": 13, "kwargs": {...}, "seed": 0,
            "custom": "fpn" | "unet" (a model of custom_models.py instead of torchvision's; arch is its label),
            "smallClassifier": 256 (VGG/AlexNet: global pool + hidden Linear width 256, see custom_models.py)}
Prints one JSON line per model: {"file", "arch", "params"} (params = sum(p.numel()) as PyTorch counts them).
"trainedLike" draws BatchNorm affine parameters at random so no two tensors are identical (an untrained net's BN
tensors are all ones/zeros, which the exporter deduplicates) and measures the running statistics on random images,
jittered, so activations stay normalised with BN folded, as in a trained model.
"""
import json
import sys

import torch
import torchvision.models as M

from custom_models import CUSTOM, small_classifier


def trained_like(model, gen):
    for mod in model.modules():
        if isinstance(mod, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d)):
            n = mod.num_features
            mod.running_mean.copy_(torch.randn(n, generator=gen) * 0.1)
            mod.running_var.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            mod.weight.data.copy_(torch.rand(n, generator=gen) * 0.5 + 0.75)
            mod.bias.data.copy_(torch.randn(n, generator=gen) * 0.1)
        elif isinstance(mod, torch.nn.LayerNorm) and mod.elementwise_affine:
            shape = mod.weight.shape
            mod.weight.data.copy_(torch.rand(shape, generator=gen) * 0.5 + 0.75)
            mod.bias.data.copy_(torch.randn(shape, generator=gen) * 0.1)


def measured_bn_statistics(model, size, gen):
    """Running statistics measured on random images (then jittered ±10 %), as a trained model's match its own
    activations. Drawn at random alone they leave deep nets unnormalised once BN is folded: Inception-v3's logits
    reached 1e9 and any fine-tuning step diverged, which says nothing about a trained model."""
    bns = [m for m in model.modules() if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.BatchNorm1d))]
    if not bns:
        return
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None  # cumulative average over the calibration batches
    model.train()
    for _ in range(2):
        model(torch.rand(8, 3, size, size, generator=gen))
    for bn in bns:
        n = bn.num_features
        bn.running_var.mul_(torch.rand(n, generator=gen) * 0.2 + 0.9)
        bn.running_mean.add_(torch.randn(n, generator=gen) * 0.05 * bn.running_var.sqrt())
        bn.momentum = 0.1


def export(spec):
    seed = spec.get("seed", 0)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    kwargs = dict(spec.get("kwargs", {}))
    if spec["arch"] in ("googlenet", "inception_v3"):
        kwargs.setdefault("aux_logits", False)
        kwargs.setdefault("init_weights", True)
    if spec.get("custom"):
        model = CUSTOM[spec["custom"]](num_classes=spec.get("classes", 10), **kwargs)
    else:
        model = getattr(M, spec["arch"])(num_classes=spec.get("classes", 10), **kwargs)
    if spec.get("smallClassifier"):
        small_classifier(model, spec["smallClassifier"])
    size = spec.get("size", 64)
    with torch.no_grad():
        if spec.get("trainedLike", True):
            trained_like(model, gen)
            measured_bn_statistics(model, size, gen)
    model.eval()
    batch = spec.get("batch", 1)
    mode = torch.onnx.TrainingMode.PRESERVE if spec.get("keepBn") else torch.onnx.TrainingMode.EVAL
    torch.onnx.export(
        model,
        torch.zeros(batch, 3, size, size),
        spec["file"],
        opset_version=spec.get("opset", 13),
        training=mode,
        do_constant_folding=True,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
    )
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"file": spec["file"], "arch": spec["arch"], "params": params}), flush=True)


def main():
    for spec in json.loads(sys.argv[1]):
        try:
            export(spec)
        except Exception as e:  # one model's failure must not stop the others
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            print(json.dumps({"file": spec["file"], "arch": spec["arch"], "error": msg[:300]}), flush=True)


if __name__ == "__main__":
    main()
