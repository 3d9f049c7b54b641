"""The workbench's model as a PyTorch nn.Module, built from the spec in bundle.json.

Same layers in the same order as the workbench (src/core/train/models): an MLP, a small CNN
(3x3 'same' convolutions, grouped where `groups` says so, each followed by the activation and
a 2x2 max-pool) or a depthwise-separable CNN (3x3 stem, then depthwise 3x3 with the block's
stride and pointwise 1x1, global average pooling), then the dense layers. Rows arrive as the
workbench encodes them: float32 [batch, dim], images channels last; the module reshapes them
to NCHW once and back to channels last before flattening, so the dense head sees the
workbench's order. 'same' padding is TensorFlow's (the extra row or column at the end).

Weights travel in the workbench's layouts (`initial_weights.npz`, `trained_weights.npz`, keyed
by the workbench's tensor names): dense kernels [in, out], convolution kernels
[kh, kw, in / groups, out], depthwise kernels [3, 3, channels, 1]. `load_workbench_weights`
and `workbench_tensors` convert between them and PyTorch's.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ACTIVATIONS = {"relu": F.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


def same_pads(size, kernel, stride):
    """TensorFlow's 'same' padding of one dimension: (before, after)."""
    out = -(-size // stride)
    total = max(0, (out - 1) * stride + kernel - size)
    return total // 2, total - total // 2


class WorkbenchModel(nn.Module):
    def __init__(self, spec, inputs, outputs):
        super().__init__()
        self.spec = spec
        self.act = ACTIVATIONS[spec["activation"]]
        self.kind = spec["type"]
        widths = list(spec["hidden"]) + [outputs]
        if self.kind == "mlp":
            flat = inputs
        else:
            h, w, c = spec["inputShape"]
            self.shape = (h, w, c)
            if self.kind == "cnn":
                groups = spec.get("groups") or [1] * len(spec["filters"])
                self.convs = []
                for i, (co, g) in enumerate(zip(spec["filters"], groups)):
                    conv = nn.Conv2d(c, co, 3, padding=1, groups=g)
                    self.add_module(f"conv{i}", conv)
                    self.convs.append(conv)
                    h, w, c = h // 2, w // 2, co
                flat = h * w * c
            else:
                self.stem = nn.Conv2d(c, spec["stem"], 3, padding=1)
                c = spec["stem"]
                self.blocks = []
                for i, b in enumerate(spec["blocks"]):
                    dw = nn.Conv2d(c, c, 3, stride=b["stride"], groups=c)
                    pw = nn.Conv2d(c, b["filters"], 1)
                    self.add_module(f"block{i}_depthwise", dw)
                    self.add_module(f"block{i}_pointwise", pw)
                    self.blocks.append((dw, pw, b["stride"]))
                    c = b["filters"]
                flat = c
        self.dense = []
        for l, units in enumerate(widths):
            layer = nn.Linear(flat, units)
            self.add_module(f"dense{l}", layer)
            self.dense.append(layer)
            flat = units

    def forward(self, x):
        n = x.shape[0]
        if self.kind != "mlp":
            h, w, c = self.shape
            x = x.reshape(n, h, w, c).permute(0, 3, 1, 2)
            if self.kind == "cnn":
                for conv in self.convs:
                    x = F.max_pool2d(self.act(conv(x)), 2, 2)
                x = x.permute(0, 2, 3, 1).reshape(n, -1)
            else:
                x = self.act(self.stem(x))
                for dw, pw, stride in self.blocks:
                    top, bottom = same_pads(x.shape[2], 3, stride)
                    left, right = same_pads(x.shape[3], 3, stride)
                    x = self.act(dw(F.pad(x, (left, right, top, bottom))))
                    x = self.act(pw(x))
                x = x.mean(dim=(2, 3))
        for l, layer in enumerate(self.dense):
            x = layer(x)
            if l + 1 < len(self.dense):
                x = self.act(x)
        return x


def _target(model, name):
    """The module parameter a workbench tensor name refers to, and how to lay the values out."""
    layer, _, part = name.partition("/")
    if part in ("depthwise", "depthwise_bias", "pointwise", "pointwise_bias"):
        module = getattr(model, f"{layer}_{part.replace('_bias', '')}")
        return (module.bias, None) if part.endswith("_bias") else (module.weight, part)
    module = getattr(model, layer)
    return (module.bias, None) if part == "bias" else (module.weight, "dense" if layer.startswith("dense") else "conv")


# Axis orders from the workbench's layouts to PyTorch's, and back.
_PERMS = {
    "dense": ((1, 0), (1, 0)),
    "depthwise": ((2, 3, 0, 1), (2, 3, 0, 1)),
    "conv": ((3, 2, 0, 1), (2, 3, 1, 0)),
    "pointwise": ((3, 2, 0, 1), (2, 3, 1, 0)),
}


def _relayout(values, layout, back=False):
    perm = _PERMS.get(layout)
    return values if perm is None else values.transpose(perm[1 if back else 0])


def load_workbench_weights(model, tensors, names):
    """Sets the model's parameters from workbench tensors (a dict or an np.load result) in `names` order."""
    with torch.no_grad():
        for name in names:
            param, layout = _target(model, name)
            values = np.ascontiguousarray(_relayout(np.asarray(tensors[name], dtype=np.float32), layout))
            if tuple(values.shape) != tuple(param.shape):
                raise ValueError(f"{name}: shape {values.shape} does not fit {tuple(param.shape)}")
            param.copy_(torch.from_numpy(values))


def workbench_tensors(model, names):
    """The model's parameters in the workbench's layouts, in `names` order."""
    out = []
    for name in names:
        param, layout = _target(model, name)
        out.append(np.ascontiguousarray(_relayout(param.detach().cpu().numpy(), layout, back=True)).astype("<f4"))
    return out
