"""Trains the facemesh landmark classifier: FER2013 training images meshed by the served face mesh
(training/face/extract-meshes.mjs), their features as serving computes them (features.mjs: the mesh in
the face's own frame plus the 52 blendshapes), FER+ crowd votes as soft targets over the 8 classes.
Model selection on PublicTest (dev); PrivateTest (= the FER+ test split) is never read here.
Checkpoints every epoch (--resume continues); --export writes models/facemesh/.

  /usr/bin/python3 training/facemesh/train.py --data ../shared/data/face/fer2013 --meshes DIR --out DIR [--resume]
  /usr/bin/python3 training/facemesh/train.py ... --export models/facemesh
"""
import argparse, csv, json, os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FERPLUS = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"]


def votes_of(data, split):
    rows = []
    with open(os.path.join(data, "index.csv")) as f:
        for row in csv.DictReader(f):
            if row["split"] == split:
                rows.append(row)
    rows.sort(key=lambda r: int(r["idx"]))
    votes = np.zeros((len(rows), 10), np.float32)
    for i, r in enumerate(rows):
        if r["fer_row"] != "-1" and r["neutral"] != "":
            votes[i] = [float(r[k]) for k in FERPLUS + ["unknown", "NF"]]
    return votes


def targets(votes):
    """Soft targets over the 8 emotions, and which rows count: the majority is an emotion (as in FER+)."""
    emotion = votes[:, :8]
    usable = (emotion.sum(1) > 0) & (emotion.max(1) > votes[:, 8:].max(1))
    return (emotion / np.maximum(emotion.sum(1, keepdims=True), 1)).astype(np.float32), usable


def majority(votes):
    """FER+ majority class, -1 where the image is left out (unknown / not a face / tie), as eval/fer2013.ts."""
    out = np.full(len(votes), -1)
    for i, v in enumerate(votes):
        if v.sum() == 0:
            continue
        top = v.max()
        winners = np.flatnonzero(v == top)
        if len(winners) == 1 and winners[0] < 8:
            out[i] = winners[0]
    return out


def load(args, split, width):
    x = np.fromfile(os.path.join(args.meshes, f"{split}.features.f32"), np.float32).reshape(-1, width)
    return x, votes_of(args.data, split)


class Net(nn.Module):
    def __init__(self, width, mean, sd, hidden=512, dropout=0.4):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("sd", torch.tensor(sd))
        self.body = nn.Sequential(
            nn.Linear(width, hidden), nn.BatchNorm1d(hidden), nn.GELU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden // 2), nn.BatchNorm1d(hidden // 2), nn.GELU(), nn.Dropout(dropout),
            nn.Linear(hidden // 2, len(FERPLUS)),
        )

    def forward(self, x):
        return self.body((x - self.mean) / self.sd)


class Exported(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, features):
        return F.softmax(self.net(features), dim=1)


def accuracy(net, x, truth):
    net.eval()
    with torch.no_grad():
        predicted = net(torch.from_numpy(x)).argmax(1).numpy()
    keep = truth >= 0
    return float((predicted[keep] == truth[keep]).mean())


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--meshes", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--noise", type=float, default=0.02, help="Gaussian jitter (face-frame units) on the points")
    p.add_argument("--resume", action="store_true")
    p.add_argument("--export", help="write facemesh.onnx and config.json into this folder")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(2)
    os.makedirs(args.out, exist_ok=True)

    width = 478 * 3 + 52
    x_train, v_train = load(args, "Training", width)
    x_dev, v_dev = load(args, "PublicTest", width)
    soft, usable = targets(v_train)
    x_train, soft = x_train[usable], soft[usable]
    dev_truth = majority(v_dev)
    mean = x_train.mean(0)
    sd = x_train.std(0) + 1e-3
    net = Net(width, mean, sd)
    optimiser = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=5e-2)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=2e-3, total_steps=args.epochs * (len(x_train) // 256 + 1))
    checkpoint = os.path.join(args.out, "checkpoint.pt")
    start, best, history = 0, (-1.0, 0), []
    if args.resume and os.path.exists(checkpoint):
        state = torch.load(checkpoint)
        net.load_state_dict(state["net"]); optimiser.load_state_dict(state["optimiser"]); schedule.load_state_dict(state["schedule"])
        start, best, history = state["epoch"] + 1, tuple(state["best"]), state["history"]
    xt, st = torch.from_numpy(x_train), torch.from_numpy(soft)
    noise = torch.zeros(width)
    noise[: 478 * 3] = args.noise
    for epoch in range(start, args.epochs):
        net.train()
        order = torch.randperm(len(xt))
        for i in range(0, len(order), 256):
            batch = order[i:i + 256]
            if len(batch) < 2:
                continue
            x = xt[batch] + torch.randn(len(batch), width) * noise
            loss = -(st[batch] * F.log_softmax(net(x), 1)).sum(1).mean()
            optimiser.zero_grad(); loss.backward(); optimiser.step(); schedule.step()
        dev = accuracy(net, x_dev, dev_truth)
        history.append({"epoch": epoch, "loss": round(float(loss), 4), "dev_accuracy": round(dev, 4)})
        if dev > best[0]:
            best = (dev, epoch)
            torch.save(net.state_dict(), os.path.join(args.out, "best.pt"))
        torch.save({"net": net.state_dict(), "optimiser": optimiser.state_dict(), "schedule": schedule.state_dict(), "epoch": epoch, "best": list(best), "history": history}, checkpoint)
        print(json.dumps(history[-1]), flush=True)
    print(json.dumps({"best_dev_accuracy": round(best[0], 4), "best_epoch": best[1]}))

    # The strongest simple baseline on the same features and split: logistic regression on the blendshapes alone.
    from sklearn.linear_model import LogisticRegression
    hard = soft.argmax(1)
    baseline = LogisticRegression(max_iter=2000, C=1.0).fit(x_train[:, 478 * 3:], hard)
    keep = dev_truth >= 0
    baseline_dev = float((baseline.predict(x_dev[keep][:, 478 * 3:]) == dev_truth[keep]).mean())
    print(json.dumps({"baseline_blendshapes_logistic_dev_accuracy": round(baseline_dev, 4)}))

    if args.export:
        net.load_state_dict(torch.load(os.path.join(args.out, "best.pt")))
        net.eval()
        os.makedirs(args.export, exist_ok=True)
        torch.onnx.export(Exported(net), torch.zeros(1, width), os.path.join(args.export, "facemesh.onnx"),
                          input_names=["features"], output_names=["classes"], dynamic_axes={"features": {0: "batch"}, "classes": {0: "batch"}}, opset_version=13)
        ratio = json.load(open(os.path.join(args.meshes, "ratio.json")))
        config = {
            "format_version": 1,
            "classifier": {"file": "facemesh.onnx", "classes": FERPLUS, "features": width},
            "normalised_input": ratio,
            "training": {"epochs": args.epochs, "seed": args.seed, "noise": args.noise, "best_epoch": best[1]},
            "metrics_dev": {"publictest_ferplus_accuracy": round(best[0], 4), "baseline_blendshapes_logistic": round(baseline_dev, 4)},
        }
        with open(os.path.join(args.export, "config.json"), "w") as f:
            json.dump(config, f, indent=1)
            f.write("\n")
        print(json.dumps({"exported": args.export}))


if __name__ == "__main__":
    main()
