"""
Exports tiny PyTorch modules built from the ops of issue 15 (LayerNorm, GroupNorm, InstanceNorm, GELU, Hardswish,
Mish, interpolate as Resize/Upsample, an FPN top-down path) to <dir>/<name>.onnx, with raw float32 files of the
input, PyTorch's output, a random cotangent r and PyTorch's gradient of sum(output * r) with respect to the input.
Prints one line per case: name, input dims, output dims (comma-separated). Run by test/ir/torch-ops.test.ts.
"""
import sys, os, torch, torch.nn as nn, torch.nn.functional as F
torch.manual_seed(0)
out = sys.argv[1]

class Interp(nn.Module):
    def __init__(self, **kw):
        super().__init__(); self.kw = kw; self.conv = nn.Conv2d(3, 3, 1)
    def forward(self, x):
        return F.interpolate(self.conv(x), **self.kw)

class Fpn(nn.Module):
    """top-down path: upsample the coarse map to the size of the fine one, add."""
    def __init__(self):
        super().__init__(); self.down = nn.Conv2d(3, 3, 3, stride=2, padding=1); self.lat = nn.Conv2d(3, 3, 1)
    def forward(self, x):
        c = self.down(x)
        return self.lat(x) + F.interpolate(c, size=x.shape[-2:], mode='nearest')

class Seq(nn.Module):
    def __init__(self, *m):
        super().__init__(); self.m = nn.Sequential(*m)
    def forward(self, x): return self.m(x)

def randomize(m):
    for p in m.parameters():
        with torch.no_grad(): p.copy_(torch.randn_like(p) * 0.5 + (1 if p.dim() == 1 else 0))
    return m

CASES = [
    ('layernorm-last', Seq(nn.Linear(8, 8), nn.LayerNorm(8)), (2, 5, 8), 17),
    ('layernorm-3d', Seq(nn.Conv2d(3, 4, 3, padding=1), nn.LayerNorm([4, 6, 6])), (2, 3, 6, 6), 17),
    ('groupnorm', Seq(nn.Conv2d(3, 6, 3, padding=1), nn.GroupNorm(2, 6)), (2, 3, 5, 5), 17),
    ('instancenorm', Seq(nn.Conv2d(3, 4, 3), nn.InstanceNorm2d(4, affine=True)), (2, 3, 6, 6), 13),
    ('gelu', Seq(nn.Linear(6, 6), nn.GELU()), (3, 6), 17),
    ('gelu-tanh', Seq(nn.Linear(6, 6), nn.GELU(approximate='tanh')), (3, 6), 17),
    ('hardswish', Seq(nn.Conv2d(3, 4, 3), nn.Hardswish(), nn.Hardsigmoid()), (2, 3, 6, 6), 14),
    ('mish', Seq(nn.Linear(6, 6), nn.Mish()), (3, 6), 17),
    ('nearest-x2', Interp(scale_factor=2, mode='nearest'), (2, 3, 5, 4), 13),
    ('bilinear-x2', Interp(scale_factor=2, mode='bilinear', align_corners=False), (2, 3, 5, 4), 13),
    ('bilinear-corners-size', Interp(size=(7, 9), mode='bilinear', align_corners=True), (2, 3, 5, 4), 11),
    ('bicubic-x1.5', Interp(scale_factor=1.5, mode='bicubic', align_corners=False), (2, 3, 6, 4), 13),
    ('nearest-opset9', Interp(scale_factor=2, mode='nearest'), (2, 3, 5, 4), 9),
    ('fpn-topdown', Fpn(), (2, 3, 9, 8), 11),
]
for name, m, shape, opset in CASES:
    m = randomize(m).eval()
    x = torch.randn(*shape, requires_grad=True)
    y = m(x)
    # Gradient of L = sum(y * r) with respect to the input, for the autodiff cross-check.
    r = torch.randn(*y.shape)
    (y * r).sum().backward()
    torch.onnx.export(m, x.detach(), os.path.join(out, name + '.onnx'), opset_version=opset, input_names=['input'],
                      output_names=['output'], dynamic_axes={'input': {0: 'batch'}, 'output': {0: 'batch'}})
    for suffix, t in (('in', x), ('out', y), ('r', r), ('dx', x.grad)):
        t.detach().numpy().astype('float32').tofile(os.path.join(out, f'{name}.{suffix}.bin'))
    print(name, ','.join(str(d) for d in shape), ','.join(str(d) for d in y.shape))
