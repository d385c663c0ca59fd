"""Trains the face expression classifier on FER2013 crops aligned by the served pipeline
(align-fer.mjs) with FER+ crowd votes as soft targets, plus a second head for FER2013's original
7 labels. Checkpoints every epoch; --resume continues from the last one. Exports ONNX with --export.
--time-budget fits the schedule's length to a wall-clock budget (how the shipped model was trained on a
lent GPU; the model card gives the exact command and the epoch count to use without a budget).

  /usr/bin/python3 training/face/train.py --data ../shared/data/face/fer2013 --aligned DIR --out DIR [--resume]
  /usr/bin/python3 training/face/train.py ... --widths 48 96 192 384 --seed 22 --epochs 59 [--device cuda]
  /usr/bin/python3 training/face/train.py ... --export models/face/expression.onnx [--ensemble DIR ...]
"""
import argparse, csv, os, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FERPLUS = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"]
SPLITS = {"Training": "training", "PublicTest": "publictest", "PrivateTest": "privatetest"}


def load_split(args, split):
    n_rows = []
    with open(os.path.join(args.data, "index.csv")) as f:
        for row in csv.DictReader(f):
            if row["split"] == split:
                n_rows.append(row)
    n_rows.sort(key=lambda r: int(r["idx"]))
    images = np.fromfile(os.path.join(args.aligned, SPLITS[split] + ".aligned.u8"), np.uint8).reshape(-1, 48, 48)
    assert len(images) == len(n_rows)
    votes = np.zeros((len(n_rows), 10), np.float32)
    joined = np.zeros(len(n_rows), bool)
    fer = np.array([int(r["emotion"]) for r in n_rows], np.int64)
    for i, r in enumerate(n_rows):
        if r["fer_row"] != "-1" and r["neutral"] != "":
            votes[i] = [float(r[k]) for k in FERPLUS + ["unknown", "NF"]]
            joined[i] = True
    return images, votes, joined, fer


def ferplus_targets(votes, joined):
    """Soft targets over the 8 emotions; usable when the majority is an emotion (not unknown / not a face)."""
    emotion = votes[:, :8]
    usable = joined & (emotion.max(1) > votes[:, 8:].max(1))
    soft = emotion / np.maximum(emotion.sum(1, keepdims=True), 1)
    return soft.astype(np.float32), usable


def conv(i, o):
    return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(inplace=True)]


DEFAULT_WIDTHS = (32, 64, 128, 256)


class Net(nn.Module):
    def __init__(self, widths=DEFAULT_WIDTHS):
        super().__init__()
        a, b, c, d = widths
        self.features = nn.Sequential(
            *conv(1, a), *conv(a, a), nn.MaxPool2d(2),
            *conv(a, b), *conv(b, b), nn.MaxPool2d(2), nn.Dropout(0.1),
            *conv(b, c), *conv(c, c), *conv(c, c), nn.MaxPool2d(2), nn.Dropout(0.2),
            *conv(c, d), *conv(d, d), nn.MaxPool2d(2), nn.Dropout(0.3),
            nn.Flatten(), nn.Linear(d * 9, 512), nn.BatchNorm1d(512), nn.ReLU(inplace=True), nn.Dropout(0.4))
        self.ferplus = nn.Linear(512, 8)
        self.fer2013 = nn.Linear(512, 7)

    def forward(self, x):
        h = self.features((x - 128.0) / 64.0)
        return self.ferplus(h), self.fer2013(h)


class Served(nn.Module):
    """What the server runs: uint8-range greyscale in, probabilities out, averaged over the mirror image
    and over every network of an ensemble."""
    def __init__(self, *nets):
        super().__init__()
        self.nets = nn.ModuleList(nets)

    def forward(self, x):
        flipped = torch.flip(x, dims=[3])
        ferplus, fer2013 = [], []
        for net in self.nets:
            for view in (x, flipped):
                a, b = net(view)
                ferplus.append(F.softmax(a, 1)); fer2013.append(F.softmax(b, 1))
        return sum(ferplus) / len(ferplus), sum(fer2013) / len(fer2013)


def augment(x, gen):
    """Random pose, mirror, contrast, brightness and one erased square. The random numbers come from a
    CPU generator in one block (one copy to the device per batch), so a run is reproducible anywhere."""
    n, dev = x.shape[0], x.device
    r = torch.rand(n, 12, generator=gen).to(dev)
    angle = (r[:, 0] * 2 - 1) * (12 * np.pi / 180)
    scale = 1 + (r[:, 1] * 2 - 1) * 0.1
    shift = (r[:, 2:4] * 2 - 1) * (4 / 24)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    mirror = 1 - 2 * (r[:, 4] < 0.5).float()
    theta = torch.stack([torch.stack([cos * mirror, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    x = F.grid_sample(x, grid, padding_mode="border", align_corners=False)
    contrast = (1 + (r[:, 5] * 2 - 1) * 0.3).view(n, 1, 1, 1)
    bright = ((r[:, 6] * 2 - 1) * 25).view(n, 1, 1, 1)
    mean = x.mean((2, 3), keepdim=True)
    x = ((x - mean) * contrast + mean + bright).clamp(0, 255)
    # Random erasing: one 12–20 px square per image with probability 0.5, filled with one grey level.
    size = 12 + (r[:, 7] * 9).floor()
    y0 = (r[:, 8] * (48 - size + 1)).floor(); x0 = (r[:, 9] * (48 - size + 1)).floor()
    pos = torch.arange(48, device=dev)
    rows = (pos[None, :] >= y0[:, None]) & (pos[None, :] < (y0 + size)[:, None])
    cols = (pos[None, :] >= x0[:, None]) & (pos[None, :] < (x0 + size)[:, None])
    erase = r[:, 10] < 0.5
    mask = (rows[:, :, None] & cols[:, None, :] & erase[:, None, None]).unsqueeze(1)
    return torch.where(mask, (r[:, 11] * 255).view(n, 1, 1, 1), x)


def predict(nets, images, device):
    """Served probabilities (mirror-averaged, ensemble-averaged) for uint8 crops."""
    served = Served(*nets).eval()
    probs_p, probs_f = [], []
    with torch.no_grad():
        for s in range(0, len(images), 512):
            x = torch.from_numpy(images[s:s + 512]).float().unsqueeze(1).to(device).contiguous(memory_format=torch.channels_last)
            p, f = served(x)
            probs_p.append(p.float().cpu().numpy()); probs_f.append(f.float().cpu().numpy())
    return np.concatenate(probs_p), np.concatenate(probs_f)


def evaluate(nets, images, soft, usable, fer, device):
    p, f = predict(nets, images, device)
    return {"ferplus_accuracy": float((p.argmax(1) == soft.argmax(1))[usable].mean()),
            "fer2013_accuracy": float((f.argmax(1) == fer).mean())}


def load_run(folder):
    """A run's kept network on the CPU, for export (weights saved in float16 load into float32)."""
    best = torch.load(os.path.join(folder, "best.pt"), map_location="cpu")
    net = Net(tuple(best.get("widths", DEFAULT_WIDTHS)))
    net.load_state_dict(best["model"]); net.eval()
    return net, best


def reschedule(sched, steps, lr):
    """Another total length for a one-cycle schedule already under way: the step count so far is kept and
    the warm-up and annealing phases are stretched or shrunk to the new length."""
    fresh = torch.optim.lr_scheduler.OneCycleLR(torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, momentum=0.9),
                                                max_lr=lr, total_steps=steps, pct_start=0.15)
    sched.total_steps, sched._schedule_phases = fresh.total_steps, fresh._schedule_phases


def soft_cross_entropy(logits, target):
    return -(target * F.log_softmax(logits, 1)).sum(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--aligned", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--widths", type=int, nargs=4, default=list(DEFAULT_WIDTHS), help="channels of the four conv groups")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fer2013-weight", type=float, default=0.5, help="weight of the FER2013 head's loss")
    ap.add_argument("--limit", type=int, default=0, help="train on the first N images only (smoke runs)")
    ap.add_argument("--time-budget", type=float, default=0, help="seconds: after the first epoch, fit the schedule's length to this")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--export")
    ap.add_argument("--ensemble", nargs="*", default=[], help="with --export: more run folders whose best.pt joins the exported ensemble")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.backends.cudnn.benchmark = True
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    device = torch.device(args.device)

    if args.export:
        nets = []
        for folder in [args.out, *args.ensemble]:
            net, best = load_run(folder)
            nets.append(net)
            print("member", folder, "epoch", best["epoch"], best["val"])
        torch.onnx.export(Served(*nets), torch.zeros(1, 1, 48, 48), args.export, input_names=["face"],
                          output_names=["ferplus", "fer2013"], dynamic_axes={"face": {0: "n"}, "ferplus": {0: "n"}, "fer2013": {0: "n"}},
                          opset_version=13)
        print("exported", args.export)
        return

    tr_img, tr_votes, tr_joined, tr_fer = load_split(args, "Training")
    va_img, va_votes, va_joined, va_fer = load_split(args, "PublicTest")
    if args.limit:
        tr_img, tr_votes, tr_joined, tr_fer = tr_img[:args.limit], tr_votes[:args.limit], tr_joined[:args.limit], tr_fer[:args.limit]
    tr_soft, tr_usable = ferplus_targets(tr_votes, tr_joined)
    va_soft, va_usable = ferplus_targets(va_votes, va_joined)
    x_all = torch.from_numpy(tr_img).float().unsqueeze(1).to(device)
    soft_all = torch.from_numpy(tr_soft).to(device); usable_all = torch.from_numpy(tr_usable).float().to(device)
    fer_all = torch.from_numpy(tr_fer).to(device)

    model = Net(tuple(args.widths)).to(device).to(memory_format=torch.channels_last)
    steps = args.epochs * (len(tr_img) // args.batch)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.15)
    gen = torch.Generator().manual_seed(args.seed)
    start, best_acc = 0, -1.0
    last = os.path.join(args.out, "last.pt")
    if args.resume and os.path.exists(last):
        ck = torch.load(last, map_location=device)
        model.load_state_dict(ck["model"]); opt.load_state_dict(ck["opt"]); sched.load_state_dict(ck["sched"])
        gen.set_state(ck["gen"]); start, best_acc = ck["epoch"] + 1, ck["best"]
        if sched.total_steps != steps:
            reschedule(sched, steps, args.lr)
        print("resumed at epoch", start, "of", args.epochs, flush=True)

    epoch, began = start, time.time()
    while epoch < args.epochs:
        model.train()
        t = time.time()
        order = torch.randperm(len(tr_img), generator=gen).to(device)
        total = torch.zeros((), device=device)
        for s in range(0, len(order) - args.batch + 1, args.batch):
            idx = order[s:s + args.batch]
            x = augment(x_all[idx], gen).contiguous(memory_format=torch.channels_last)
            logits_p, logits_f = model(x)
            mask = usable_all[idx]
            loss_p = (soft_cross_entropy(logits_p, soft_all[idx]) * mask).sum() / mask.sum().clamp(min=1)
            loss_f = F.cross_entropy(logits_f, fer_all[idx], label_smoothing=0.1)
            loss = loss_p + args.fer2013_weight * loss_f
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
            total += loss.detach()
        val = evaluate([model], va_img, va_soft, va_usable, va_fer, device)
        score = val["ferplus_accuracy"] + val["fer2013_accuracy"]
        if score > best_acc:
            best_acc = score
            torch.save({"model": model.state_dict(), "widths": args.widths, "epoch": epoch, "val": val}, os.path.join(args.out, "best.pt"))
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "gen": gen.get_state(),
                    "epoch": epoch, "best": best_acc}, last)
        seconds = time.time() - t
        print(f"epoch {epoch} loss {float(total) / (len(order) // args.batch):.4f} val {val} {seconds:.1f}s", flush=True)
        if args.time_budget and epoch == start + 1:
            # Fitted on the second epoch: the first also pays for start-up and kernel selection.
            fit = max(epoch + 2, min(args.epochs, epoch + 1 + int((args.time_budget - (time.time() - began)) / seconds)))
            if fit != args.epochs:
                args.epochs = fit
                reschedule(sched, fit * (len(tr_img) // args.batch), args.lr)
                print("time budget: training for", fit, "epochs", flush=True)
        epoch += 1


if __name__ == "__main__":
    main()
