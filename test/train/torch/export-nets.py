"""
Exports networks whose fine-tuning used to fail (issue 15) to <dir>/<name>.onnx at 64x64, 10 classes: torchvision's
SqueezeNet 1.0 and ShuffleNetV2 (overlapping 3x3/2 MaxPool, chunk/Slice from Shape) and MobileNetV3-small
(HardSigmoid, HardSwish) at opset 13, and a small net with LayerNorm over channels, GELU and bilinear upsampling at
opset 17, with raw float32 files of a batch of 2 inputs, a cotangent r and PyTorch's gradient of sum(logits * r)
with respect to the input. Prints the names. Run by test/train/torchvision-finetune.test.ts.
"""
import copy, sys, os, torch, torch.nn as nn, torch.nn.functional as F, torchvision

torch.manual_seed(0)
out = sys.argv[1]


class NormUp(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.norm = nn.LayerNorm(8)
        self.head = nn.Conv2d(8, 8, 3, padding=1)
        self.fc = nn.Linear(8, 10)

    def forward(self, x):
        x = self.stem(x)
        x = self.norm(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        x = F.interpolate(F.gelu(x), scale_factor=2, mode='bilinear', align_corners=False)
        return self.fc(F.relu(self.head(x)).mean((2, 3)))


NETS = [
    ('squeezenet', torchvision.models.squeezenet1_0(num_classes=10), 13),
    ('shufflenet', torchvision.models.shufflenet_v2_x0_5(num_classes=10), 13),
    ('mobilenetv3', torchvision.models.mobilenet_v3_small(num_classes=10), 13),
    ('layernorm-gelu-upsample', NormUp(), 17),
]
for name, m, opset in NETS:
    # Trained-like BatchNorm statistics: a few forward passes in train mode on the data distribution, so the BN that
    # the exporter folds into each conv normalizes (with PyTorch's fresh mean 0 / var 1 an untrained MobileNetV3's
    # activations, and so its weight gradients, vanish below float32 resolution).
    m.train()
    with torch.no_grad():
        for _ in range(5):
            m(torch.randn(8, 3, 64, 64))
    m.eval()
    # Input gradient of sum(logits * r) on a fixed batch, for the autodiff cross-check, computed in float64: a
    # ReLU input or MaxPool runner-up within float32 rounding of the kink flips PyTorch's own float32 gradient
    # (by 0.3 % on SqueezeNet here), so float64 is the reference.
    x = torch.randn(2, 3, 64, 64)
    y = m(x)
    r = torch.randn(*y.shape)
    x64 = x.double().requires_grad_(True)
    (copy.deepcopy(m).double()(x64) * r.double()).sum().backward()
    for suffix, t in (('in', x), ('out', y), ('r', r), ('dx', x64.grad)):
        t.detach().numpy().astype('float32').tofile(os.path.join(out, f'{name}.{suffix}.bin'))
    torch.onnx.export(m, torch.zeros(1, 3, 64, 64), os.path.join(out, name + '.onnx'), opset_version=opset,
                      input_names=['input'], output_names=['logits'],
                      dynamic_axes={'input': {0: 'N'}, 'logits': {0: 'N'}})
    print(name)
