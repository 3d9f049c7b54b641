"""Trains the workbench run of bundle.json in PyTorch, on one process or many (DDP).

    python3 train_ddp.py --workbench-order            # one process, the workbench's batch order
    torchrun --standalone --nproc_per_node=N train_ddp.py        # N processes on one machine
    torchrun --nnodes=H --node_rank=R --nproc_per_node=N \\
        --rdzv_backend=c10d --rdzv_endpoint=HOST:29500 train_ddp.py   # H machines

Same model (model.py), same initial weights (initial_weights.npz), same data split
(data.npz), same loss, optimizer, hyper-parameters, learning-rate schedule, gradient clipping
and Lookahead as the workbench's run (src/core/train/optimizers: the formulas are copied, not
approximated; Lion and Lookahead are small classes here since torch has neither), in float32
whatever the run's precision (an fp16-mixed run keeps float32 master weights). With DDP
each of the W processes takes batch / W rows of every global batch from a DistributedSampler
seeded with the run's seed, so a global batch has the workbench's size. Rank 0 writes a run
record in the workbench's format (version 1), which the workbench opens beside its own runs.
"""
import argparse
import base64
import json
import math
import os
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from model import WorkbenchModel, load_workbench_weights, workbench_tensors


def learning_rate_at(opt, step):
    """The workbench's schedule (src/core/train/schedules.ts) for update `step` (from 0)."""
    lr = opt["learningRate"]
    s = opt.get("schedule") or {"type": "constant"}
    warm = s.get("warmupSteps", 0)
    if step < warm:
        return lr * (step + 1) / warm
    since = step - warm
    if s["type"] == "step":
        return lr * s.get("gamma", 0.1) ** (since // s["stepSize"])
    if s["type"] == "cosine":
        total = s.get("totalSteps", warm + 1)
        low = s.get("minLearningRate", 0)
        p = min(1.0, since / max(1, total - warm))
        return low + (lr - low) * 0.5 * (1 + math.cos(math.pi * p))
    return lr


class WorkbenchOptimizer(torch.optim.Optimizer):
    """sgd, momentum, nesterov, rmsprop, adam and adamw exactly as the workbench writes them."""

    def __init__(self, params, spec):
        self.name = spec["name"]
        self.spec = spec
        super().__init__(params, {"lr": spec["learningRate"]})
        self.t = 0

    @torch.no_grad()
    def step(self):
        self.t += 1
        s = self.spec
        wd = s.get("weightDecay", 0)
        for group in self.param_groups:
            lr = group["lr"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                state = self.state[p]
                decoupled = self.name == "adamw"
                if wd and not decoupled:
                    g = g + wd * p
                if self.name == "sgd":
                    p.sub_(lr * g)
                elif self.name in ("momentum", "nesterov"):
                    v = state.setdefault("v", torch.zeros_like(p))
                    v.mul_(s["momentum"]).add_(g)
                    p.sub_(lr * (g + s["momentum"] * v if self.name == "nesterov" else v))
                elif self.name == "rmsprop":
                    sq = state.setdefault("sq", torch.zeros_like(p))
                    sq.mul_(s["rho"]).add_((1 - s["rho"]) * g * g)
                    p.sub_(lr * g / (sq.sqrt() + s["epsilon"]))
                else:  # adam, adamw
                    m = state.setdefault("m", torch.zeros_like(p))
                    v = state.setdefault("v", torch.zeros_like(p))
                    m.mul_(s["beta1"]).add_((1 - s["beta1"]) * g)
                    v.mul_(s["beta2"]).add_((1 - s["beta2"]) * g * g)
                    m_hat = m / (1 - s["beta1"] ** self.t)
                    v_hat = v / (1 - s["beta2"] ** self.t)
                    update = m_hat / (v_hat.sqrt() + s["epsilon"])
                    if decoupled and wd:
                        update = update + wd * p
                    p.sub_(lr * update)


class Lion(torch.optim.Optimizer):
    """Lion (Chen et al. 2023, Program 1): c = b1 m + (1 - b1) g; p -= lr (sign(c) + wd p); m = b2 m + (1 - b2) g."""

    def __init__(self, params, lr, beta1=0.9, beta2=0.99, weight_decay=0.0):
        super().__init__(params, {"lr": lr, "beta1": beta1, "beta2": beta2, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                update = torch.sign(group["beta1"] * m + (1 - group["beta1"]) * g)
                if group["weight_decay"]:
                    update = update + group["weight_decay"] * p
                p.sub_(group["lr"] * update)
                m.mul_(group["beta2"]).add_((1 - group["beta2"]) * g)


class Lookahead:
    """Lookahead (Zhang et al. 2019): every k inner steps slow += alpha (fast - slow), fast = slow."""

    def __init__(self, inner, k, alpha):
        self.inner, self.k, self.alpha, self.steps = inner, k, alpha, 0
        self.param_groups = inner.param_groups
        self.slow = [p.detach().clone() for g in inner.param_groups for p in g["params"]]

    @torch.no_grad()
    def step(self):
        self.inner.step()
        self.steps += 1
        if self.steps % self.k:
            return
        params = [p for g in self.param_groups for p in g["params"]]
        for slow, fast in zip(self.slow, params):
            slow.add_(self.alpha * (fast - slow))
            fast.copy_(slow)


def make_optimizer(params, spec):
    if spec["name"] == "lion":
        opt = Lion(params, spec["learningRate"], spec["beta1"], spec["beta2"], spec.get("weightDecay", 0))
    else:
        opt = WorkbenchOptimizer(params, spec)
    look = spec.get("lookahead")
    return Lookahead(opt, look["k"], look["alpha"]) if look else opt


def clip_global_norm(params, clip):
    """The workbench's clipping: every gradient times clip / max(norm, clip)."""
    grads = [p.grad for p in params if p.grad is not None]
    norm = torch.sqrt(sum((g * g).sum() for g in grads))
    scale = clip / torch.maximum(norm, torch.tensor(clip, dtype=norm.dtype))
    for g in grads:
        g.mul_(scale)


def batch_loss(kind, out, y):
    if kind == "softmax-ce":
        return F.cross_entropy(out, y.long())
    if kind == "binary-ce":
        return F.binary_cross_entropy_with_logits(out[:, 0], y)
    return F.mse_loss(out[:, 0], y)


def evaluate(model, kind, x, y):
    """Mean loss and accuracy (classification) over rows, in chunks."""
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for at in range(0, len(y), 2048):
            out = model(x[at : at + 2048])
            yy = y[at : at + 2048]
            if kind == "softmax-ce":
                loss_sum += F.cross_entropy(out, yy.long(), reduction="sum").item()
                correct += (out.argmax(1) == yy.long()).sum().item()
            elif kind == "binary-ce":
                loss_sum += F.binary_cross_entropy_with_logits(out[:, 0], yy, reduction="sum").item()
                correct += ((out[:, 0] > 0).long() == yy.long()).sum().item()
            else:
                loss_sum += F.mse_loss(out[:, 0], yy, reduction="sum").item()
    model.train()
    n = max(1, len(y))
    return loss_sum / n, (correct / n if kind != "mse" else None)


def b64(a):
    return base64.urlsafe_b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode().rstrip("=")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundle", default=os.path.join(here, "bundle.json"))
    ap.add_argument("--data", default=os.path.join(here, "data.npz"))
    ap.add_argument("--weights", default=os.path.join(here, "initial_weights.npz"), help="start from these")
    ap.add_argument("--epochs", type=int, help="default: the run's")
    ap.add_argument("--max-steps", type=int)
    ap.add_argument("--workbench-order", action="store_true", help="one process, the workbench's batch order")
    ap.add_argument("--backend", help="torch.distributed backend (default nccl on CUDA, else gloo)")
    ap.add_argument("--out", default="run-pytorch.json", help="where rank 0 writes the run record")
    args = ap.parse_args()

    bundle = json.load(open(args.bundle))
    config, spec, pre = bundle["config"], bundle["model"], bundle["preprocessing"]
    names = [t["name"] for t in bundle["tensors"]]
    seed = config["seed"]
    torch.manual_seed(seed)

    distributed = "WORLD_SIZE" in os.environ and not args.workbench_order
    rank, world, local = 0, 1, 0
    device = torch.device("cpu")
    if distributed:
        backend = args.backend or ("nccl" if torch.cuda.is_available() else "gloo")
        dist.init_process_group(backend)
        rank, world = dist.get_rank(), dist.get_world_size()
        local = int(os.environ.get("LOCAL_RANK", 0))
    if torch.cuda.is_available():
        device = torch.device("cuda", local)
        torch.cuda.set_device(device)

    data = np.load(args.data)
    x = torch.from_numpy(data["x"]).to(device)
    y = torch.from_numpy(data["y"]).to(device)
    train_rows = data["train"]
    val_rows = torch.from_numpy(data["val"].astype(np.int64)).to(device)
    kind = bundle["loss"]

    model = WorkbenchModel(spec, pre["dim"], bundle["outputs"]).to(device)
    load_workbench_weights(model, np.load(args.weights), names)
    params = list(model.parameters())
    wrapped = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
    opt_spec = config["optimizer"]
    optimizer = make_optimizer(params, opt_spec)
    epochs = args.epochs or config["epochs"]
    batch = config["batchSize"]
    per_rank = max(1, batch // world)
    if rank == 0 and distributed and batch % world:
        print(f"batch {batch} does not divide by {world} processes: {per_rank} rows each per step", flush=True)

    steps, epoch_records = [], []
    step, samples = 0, 0
    start = time.perf_counter()
    for epoch in range(epochs):
        if args.workbench_order:
            order = data["order"][epoch] if epoch < len(data["order"]) else np.random.default_rng(seed + epoch).permutation(train_rows)
            batches = [order[i : i + batch] for i in range(0, len(order), batch)]
        else:
            sampler = torch.utils.data.DistributedSampler(
                range(len(train_rows)), num_replicas=world, rank=rank, shuffle=True, seed=seed
            )
            sampler.set_epoch(epoch)
            mine = train_rows[list(sampler)]
            batches = [mine[i : i + per_rank] for i in range(0, len(mine), per_rank)]
        loss_sum, loss_n = 0.0, 0
        for rows in batches:
            if args.max_steps is not None and step >= args.max_steps:
                break
            t0 = time.perf_counter()
            idx = torch.from_numpy(np.asarray(rows, dtype=np.int64)).to(device)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate_at(opt_spec, step)
            out = wrapped(x[idx])
            loss = batch_loss(kind, out, y[idx])
            for p in params:
                p.grad = None
            loss.backward()
            if opt_spec.get("clipNorm"):
                clip_global_norm(params, opt_spec["clipNorm"])
            optimizer.step()
            value = loss.detach()
            if distributed:
                dist.all_reduce(value)
                value /= world
            value = value.item()
            elapsed = time.perf_counter() - t0
            steps.append(
                {
                    "step": step,
                    "epoch": epoch,
                    "time": t0 - start,
                    "loss": value,
                    "samplesPerSec": len(rows) * world / max(elapsed, 1e-9),
                    "dataWaitMs": 0,
                    "gpuMs": None,
                    "readbackMs": 0,
                }
            )
            loss_sum += value
            loss_n += 1
            samples += len(rows) * world
            step += 1
        val_loss, val_acc = evaluate(model, kind, x[val_rows], y[val_rows]) if len(val_rows) else (None, None)
        epoch_record = {"epoch": epoch, "trainLoss": loss_sum / max(1, loss_n), "valLoss": val_loss, "valAccuracy": val_acc}
        if kind == "mse" and pre.get("target"):
            # The loss is on the standardised target: the RMSE in the label's units, as the workbench gives it.
            epoch_record["valRmse"] = None if val_loss is None else math.sqrt(val_loss) * pre["target"]["std"]
        epoch_records.append(epoch_record)
        if rank == 0:
            acc = "" if val_acc is None else f", val accuracy {100 * val_acc:.1f} %"
            print(f"epoch {epoch + 1}/{epochs}: train loss {loss_sum / max(1, loss_n):.4f}, val loss {val_loss}{acc}", flush=True)
        if args.max_steps is not None and step >= args.max_steps:
            break
    wall = time.perf_counter() - start

    if rank == 0:
        last = epoch_records[-1] if epoch_records else None
        rates = sorted(s["samplesPerSec"] for s in steps[1:]) or [0]
        where = f"cuda {torch.cuda.get_device_name(device)}" if device.type == "cuda" else "cpu"
        record = {
            "version": 1,
            "id": f"pytorch-{bundle['run']}-{int(time.time())}",
            "config": {**config, "epochs": epochs},
            "environment": {
                "runtime": f"pytorch {torch.__version__} · {'DDP ' + str(world) + ' x ' + dist.get_backend() if distributed else 'one process'} · {where}",
                "adapter": None,
                "features": [],
                "f16Path": "none",
                "backend": "cuda" if device.type == "cuda" else "cpu",
                "fallbackReason": None,
            },
            "steps": steps[:: max(1, -(-len(steps) // 1000))],
            "epochs": epoch_records,
            "summary": {
                "status": "done",
                "medianSamplesPerSec": rates[len(rates) // 2],
                "samplesPerSec": samples / wall if wall > 0 else 0,
                "timeToTargetLoss": None,
                "finalValMetric": (last["valAccuracy"] if kind != "mse" else last["valLoss"]) if last else None,
            },
            "trained": {
                "preprocessing": pre,
                "tensors": [
                    {"name": n, "shape": list(a.shape), "float32": b64(a)}
                    for n, a in zip(names, workbench_tensors(model, names))
                ],
            },
        }
        with open(args.out, "w") as f:
            json.dump(record, f)
        print(f"wrote {args.out}", flush=True)
    if distributed:
        # The DDP wrapper goes before its process group: left to be freed when main() returns,
        # after destroy_process_group, it hung one rank at exit in about one launch in five
        # (PyTorch 1.13, gloo, two processes; rank 0 had written its record).
        del wrapped
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
