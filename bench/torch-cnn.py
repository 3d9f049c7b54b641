"""PyTorch reference for bench/gpu.ts's cnn workloads, on the same card (run where torch with CUDA exists).

Same networks as src/core/train/models/cnn.ts (3x3 'same' conv, ReLU, 2x2 max-pool per filter
count; flatten; dense layers), Adam, seeded synthetic batches, fp32 with TF32 off and fp16
autocast; a warm-up run, then five timed runs of the same step count as bench/gpu.ts; median
samples/s as JSON on stdout. Prints {"skipped": why} when torch or CUDA is missing.
"""
import json
import statistics
import sys
import time

try:
    import torch
    from torch import nn
except Exception as e:  # noqa: BLE001
    print(json.dumps({"skipped": f"no torch: {e}"}))
    sys.exit(0)

if not torch.cuda.is_available():
    print(json.dumps({"skipped": "torch has no CUDA device"}))
    sys.exit(0)

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
torch.backends.cudnn.benchmark = True

WORKLOADS = [
    ("cnn-28x28x1 [8,16] adam b64", (1, 28, 28), [8, 16], [], 64, 100),
    ("cnn-32x32x3 [32,64] h128 adam b256", (3, 32, 32), [32, 64], [128], 256, 60),
]


def model(shape, filters, hidden):
    layers, c, h, w = [], shape[0], shape[1], shape[2]
    for f in filters:
        layers += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
        c, h, w = f, h // 2, w // 2
    layers.append(nn.Flatten())
    width = c * h * w
    for u in hidden:
        layers += [nn.Linear(width, u), nn.ReLU()]
        width = u
    layers.append(nn.Linear(width, 10))
    return nn.Sequential(*layers).cuda()


def rate(net, opt, batches, steps, amp):
    loss_fn = nn.CrossEntropyLoss()
    scaler = torch.cuda.amp.GradScaler(enabled=amp)
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    for s in range(steps):
        x, y = batches[s % len(batches)]
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cuda", dtype=torch.float16, enabled=amp):
            loss = loss_fn(net(x), y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
    torch.cuda.synchronize()
    return steps * batches[0][0].shape[0] / (time.perf_counter() - t0)


out = {"torch": torch.__version__, "device": torch.cuda.get_device_name(0), "results": []}
g = torch.Generator(device="cuda").manual_seed(42)
for name, shape, filters, hidden, batch, steps in WORKLOADS:
    batches = [
        (torch.randn(batch, *shape, device="cuda", generator=g), torch.randint(0, 10, (batch,), device="cuda", generator=g))
        for _ in range(4)
    ]
    for amp in (False, True):
        torch.manual_seed(1)
        net = model(shape, filters, hidden)
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        rate(net, opt, batches, 10, amp)
        rates = [rate(net, opt, batches, steps, amp) for _ in range(5)]
        out["results"].append(
            {"name": f"{name} · pytorch {'fp16 autocast' if amp else 'fp32'}", "median": statistics.median(rates),
             "min": min(rates), "max": max(rates), "unit": "samples/s"}
        )
        print(f"{out['results'][-1]['name']}: {out['results'][-1]['median']:.0f} samples/s", file=sys.stderr)
print(json.dumps(out))
