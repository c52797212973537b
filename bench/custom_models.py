"""Small non-torchvision models for reprune's coverage bench (peer tool only; imported by export_torchvision.py).

Both end in 10-way class logits [N, classes], so the same labelled .npy set fine-tunes them like the classifiers:
- "fpn": a RetinaNet-style detector head — a conv backbone with three stages (C3, C4, C5), 1x1 lateral convs, a
  top-down path (nearest 2x Upsample + Add, i.e. ONNX Resize), 3x3 output convs, and ONE class subnet whose weights
  are shared by the three pyramid levels (as RetinaNet does); the class maps are globally pooled and averaged.
- "unet": a U-Net with three encoder levels (two conv-BN-ReLU, max-pool), a bottleneck, a decoder with ConvTranspose
  2x up-sampling and skip concatenations, a 1x1 conv to class maps, globally pooled to logits.
"""
import torch
from torch import nn
import torch.nn.functional as F


def conv_bn(cin, cout, stride=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class FpnDetector(nn.Module):
    def __init__(self, num_classes=10, width=16):
        super().__init__()
        w = width
        self.stem = conv_bn(3, w, 2)
        self.c3 = nn.Sequential(conv_bn(w, 2 * w, 2), conv_bn(2 * w, 2 * w))
        self.c4 = nn.Sequential(conv_bn(2 * w, 4 * w, 2), conv_bn(4 * w, 4 * w))
        self.c5 = nn.Sequential(conv_bn(4 * w, 8 * w, 2), conv_bn(8 * w, 8 * w))
        f = 2 * w
        self.lat3, self.lat4, self.lat5 = nn.Conv2d(2 * w, f, 1), nn.Conv2d(4 * w, f, 1), nn.Conv2d(8 * w, f, 1)
        self.out3, self.out4, self.out5 = (nn.Conv2d(f, f, 3, padding=1) for _ in range(3))
        self.cls_subnet = nn.Sequential(nn.Conv2d(f, f, 3, padding=1), nn.ReLU(inplace=True))
        self.cls_logits = nn.Conv2d(f, num_classes, 3, padding=1)

    def forward(self, x):
        c3 = self.c3(self.stem(x))
        c4 = self.c4(c3)
        c5 = self.c5(c4)
        p5 = self.lat5(c5)
        p4 = self.lat4(c4) + F.interpolate(p5, scale_factor=2.0, mode="nearest")
        p3 = self.lat3(c3) + F.interpolate(p4, scale_factor=2.0, mode="nearest")
        levels = [self.out3(p3), self.out4(p4), self.out5(p5)]
        scores = [self.cls_logits(self.cls_subnet(p)).mean(dim=(2, 3)) for p in levels]
        return (scores[0] + scores[1] + scores[2]) / 3


class UNet(nn.Module):
    def __init__(self, num_classes=10, width=16):
        super().__init__()
        w = width
        self.enc1 = nn.Sequential(conv_bn(3, w), conv_bn(w, w))
        self.enc2 = nn.Sequential(conv_bn(w, 2 * w), conv_bn(2 * w, 2 * w))
        self.enc3 = nn.Sequential(conv_bn(2 * w, 4 * w), conv_bn(4 * w, 4 * w))
        self.bottleneck = nn.Sequential(conv_bn(4 * w, 8 * w), conv_bn(8 * w, 8 * w))
        self.up3 = nn.ConvTranspose2d(8 * w, 4 * w, 2, stride=2)
        self.dec3 = nn.Sequential(conv_bn(8 * w, 4 * w), conv_bn(4 * w, 4 * w))
        self.up2 = nn.ConvTranspose2d(4 * w, 2 * w, 2, stride=2)
        self.dec2 = nn.Sequential(conv_bn(4 * w, 2 * w), conv_bn(2 * w, 2 * w))
        self.up1 = nn.ConvTranspose2d(2 * w, w, 2, stride=2)
        self.dec1 = nn.Sequential(conv_bn(2 * w, w), conv_bn(w, w))
        self.head = nn.Conv2d(w, num_classes, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        e3 = self.enc3(F.max_pool2d(e2, 2))
        b = self.bottleneck(F.max_pool2d(e3, 2))
        d3 = self.dec3(torch.cat([self.up3(b), e3], dim=1))
        d2 = self.dec2(torch.cat([self.up2(d3), e2], dim=1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], dim=1))
        return self.head(d1).mean(dim=(2, 3))


CUSTOM = {"fpn": FpnDetector, "unet": UNet}


def small_classifier(model, hidden):
    """VGG/AlexNet: global-pool the features and narrow the classifier's hidden Linear layers to `hidden` (same
    Linear-ReLU-Dropout structure). Their 7x7 / 6x6 adaptive pool cannot be exported from a 2x2 / 1x1 feature map
    at small inputs, and the 4096-wide classifier would dominate every cell of the bench."""
    model.avgpool = nn.AdaptiveAvgPool2d(1)
    linears = [i for i, m in enumerate(model.classifier) if isinstance(m, nn.Linear)]
    channels = [m for m in model.features if isinstance(m, nn.Conv2d)][-1].out_channels
    for k, i in enumerate(linears):
        cin = channels if k == 0 else hidden
        cout = model.classifier[i].out_features if k == len(linears) - 1 else hidden
        model.classifier[i] = nn.Linear(cin, cout)
    return model
