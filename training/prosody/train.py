"""Trains the prosody classifier on the served front end's output (extract.mjs): per segment, its
functionals and its frames, each normalised by the speaker's statistics (functionals per segment, log-mel
bands per frame, F0 per voiced frame). Two parts, averaged:
  * linear heads on the functionals: a multinomial logistic regression over CLASSES and arousal /
    valence heads (targets from the class and the take's intensity);
  * frame networks on the frames (FRAME_SEEDS of them, from different seeds, probabilities averaged):
    three dilated 1-D convolutions, mean and spread pooled over time, a class head (augmented: crops,
    time stretch, mel shifts, band masks, noise).
Reports, for the served average and for each part alone (the baselines), on the same folds:
  ravdess_uar       8 classes, 5 folds grouped by actor (no speaker in both train and test)
  cross_corpus_uar  trained on RAVDESS only, tested on EmoDB's 6 classes shared with RAVDESS
Clip predictions average the clip's segment probabilities, weighted by duration. The fold models are the
evaluation's models: --export writes them, the served model (both corpora) and config.json. Each trained
frame network is checkpointed in --checkpoints; --resume reuses those present (the linear heads take
seconds and are always refitted); --jobs trains the missing ones in that many processes.
--variants adds augmented copies of the corpora (extract.mjs --variant: other speeds, pitches, noise) to
every training set, only ever of the training speakers; evaluation clips stay original.
Each copy of a speaker is normalised by its own statistics, as a new stream would be.

  /usr/bin/python3 training/prosody/train.py --features DIR [--variants speed,pitch-noise]
      [--export models/prosody/prosody.onnx] [--checkpoints DIR --resume] [--threads N] [--jobs N]
      [--frame-seeds N] [--epochs N]
"""
import argparse, json, multiprocessing, os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

CLASSES = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised", "boredom"]
CORPUS_CLASSES = {"ravdess": CLASSES[:8], "emodb": ["neutral", "happy", "sad", "angry", "fearful", "disgust", "boredom"]}
SHARED = ["neutral", "happy", "sad", "angry", "fearful", "disgust"]
# Arousal and valence (-1 .. 1) of each class at normal intensity: the circumplex placements of
# Russell (1980) and the category means of the Warriner / NRC-VAD lexicons, rounded.
CLASS_AFFECT = {"neutral": (-0.2, 0.0), "calm": (-0.6, 0.4), "happy": (0.5, 0.8), "sad": (-0.5, -0.7), "angry": (0.8, -0.6),
                "fearful": (0.7, -0.7), "disgust": (0.2, -0.7), "surprised": (0.7, 0.2), "boredom": (-0.7, -0.3)}
STRONG_AROUSAL = 0.2  # a "strong" RAVDESS take sits this much higher on arousal
# At serving, a stream's running statistics are blended with the corpora's global ones, worth this many
# segments (src/models/prosody/statistics.ts); the frame statistics' worth is as many segments' frames.
PRIOR_SEGMENTS = 10
# Frame layout (src/models/audio-features/frames.ts): MEL log-mel bands, then F0, voiced, voicing.
MEL = 64
F0, VOICED = MEL, MEL + 1
CHANNELS, CROP, EPOCHS, BATCH = 64, 250, 40, 32
FRAME_SEEDS = 3


def load(folder, name, width):
    """The clips with speech of one extraction (<corpus>[.<variant>].jsonl and .frames.bin)."""
    frames = np.memmap(os.path.join(folder, name + ".frames.bin"), dtype=np.float32, mode="r")
    clips = []
    with open(os.path.join(folder, name + ".jsonl")) as f:
        for line in f:
            c = json.loads(line)
            if not c["segments"]:
                continue
            c["frames_raw"] = [np.array(frames[s["frames"]["offset"]:s["frames"]["offset"] + s["frames"]["count"] * width]).reshape(-1, width)
                               for s in c["segments"]]
            clips.append(c)
    return clips


def frame_statistics(frame_sets):
    """Mean and sd per frame column as SpeakerStatistics computes them: log-mel over all frames, F0 over
    voiced frames, the voicing columns left alone (0, 1)."""
    a = np.concatenate(frame_sets)
    mean, sd = np.zeros(a.shape[1], np.float32), np.ones(a.shape[1], np.float32)
    mean[:MEL], sd[:MEL] = a[:, :MEL].mean(0), a[:, :MEL].std(0) + 1e-3
    voiced = a[a[:, VOICED] == 1, F0]
    if len(voiced):
        mean[F0], sd[F0] = voiced.mean(), voiced.std() + 1e-3
    return mean, sd


def normalise_frames(frames, mean, sd):
    out = (frames - mean) / sd
    out[frames[:, VOICED] != 1, F0] = 0
    return out.astype(np.float32)


def normalise_per_speaker(clips):
    """Each speaker's clips (each augmented copy of a speaker on its own) by that speaker's statistics."""
    key = lambda c: (c["speaker"], c.get("variant"))
    by_speaker = {}
    for c in clips:
        entry = by_speaker.setdefault(key(c), ([], []))
        entry[0].extend(s["features"] for s in c["segments"])
        entry[1].extend(c["frames_raw"])
    stats = {k: (np.mean(f, 0), np.std(f, 0) + 1e-3, *frame_statistics(fr)) for k, (f, fr) in by_speaker.items()}
    for c in clips:
        m, s, fm, fs = stats[key(c)]
        c["x"] = ((np.array([seg["features"] for seg in c["segments"]], np.float32) - m) / s).astype(np.float32)
        c["frames"] = [normalise_frames(fr, fm, fs) for fr in c["frames_raw"]]
        c["w"] = np.array([seg["end"] - seg["begin"] for seg in c["segments"]], np.float32)


class LinearHeads(nn.Module):
    """Multinomial logistic regression over the classes plus linear (tanh) arousal and valence."""
    def __init__(self, n_in):
        super().__init__()
        self.classes = nn.Linear(n_in, len(CLASSES))
        self.affect = nn.Linear(n_in, 2)

    def forward(self, x):
        return self.classes(x), torch.tanh(self.affect(x))


class FrameNet(nn.Module):
    """Dilated 1-D convolutions over the frames, mean and spread pooled over time, a class head."""
    def __init__(self, n_in):
        super().__init__()
        layers = []
        for i, dilation in enumerate([1, 2, 4]):
            layers += [nn.Conv1d(n_in if i == 0 else CHANNELS, CHANNELS, 5, padding=2 * dilation, dilation=dilation), nn.BatchNorm1d(CHANNELS), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.drop = nn.Dropout(0.3)
        self.head = nn.Linear(2 * CHANNELS, len(CLASSES))

    def forward(self, frames):  # batch × time × descriptors
        h = self.body(frames.transpose(1, 2))
        mean = h.mean(2)
        spread = ((h - mean[:, :, None]) ** 2).mean(2).sqrt()
        return self.head(self.drop(torch.cat([mean, spread], 1)))


class FrameNets(nn.Module):
    """Frame networks trained from different seeds: their class probabilities' mean."""
    def __init__(self, nets):
        super().__init__()
        self.nets = nn.ModuleList(nets)

    def forward(self, frames):
        return torch.stack([F.softmax(net(frames), 1) for net in self.nets]).mean(0)


class Served(nn.Module):
    """What the server runs on one segment: normalised functionals and frames in; class probabilities
    (the two parts' mean), arousal and valence out."""
    def __init__(self, linear, frame_nets):
        super().__init__()
        self.linear, self.frame_nets = linear, frame_nets

    def forward(self, features, frames):
        logits, affect = self.linear(features)
        classes = 0.5 * (F.softmax(logits, 1) + self.frame_nets(frames))
        return classes, affect[:, 0], affect[:, 1]


def class_mask(corpus):
    return [k in CORPUS_CLASSES[corpus] for k in CLASSES]


def segments_of(clips):
    x = np.concatenate([c["x"] for c in clips])
    y = np.concatenate([[CLASSES.index(c["emotion"])] * len(c["x"]) for c in clips])
    affect = np.concatenate([[[CLASS_AFFECT[c["emotion"]][0] + (STRONG_AROUSAL if c["strong"] else 0), CLASS_AFFECT[c["emotion"]][1]]] * len(c["x"]) for c in clips])
    return x, y, affect.astype(np.float32)


def balanced_weights(y):
    """Each class weighs the same whatever its count."""
    counts = np.bincount(y, minlength=len(CLASSES)).clip(min=1)
    return torch.tensor(1 / counts[y], dtype=torch.float32)


def train_linear(clips, seed=1, epochs=40):
    """The class head is a multinomial logistic regression (scikit-learn, C 0.5, classes balanced; a class
    the clips lack gets a bias of -30); the affect head is fitted to the targets by gradient descent."""
    x, y, affect = segments_of(clips)
    net = LinearHeads(x.shape[1])
    lr = LogisticRegression(max_iter=3000, C=0.5, class_weight="balanced").fit(x, y)
    with torch.no_grad():
        net.classes.weight.zero_(); net.classes.bias.fill_(-30)
        net.classes.weight[lr.classes_] = torch.from_numpy(lr.coef_).float()
        net.classes.bias[lr.classes_] = torch.from_numpy(lr.intercept_).float()
    torch.manual_seed(seed)
    x, affect = torch.from_numpy(x), torch.from_numpy(affect)
    opt = torch.optim.AdamW(net.affect.parameters(), lr=2e-3, weight_decay=1e-2)
    for epoch in range(epochs):
        order = torch.randperm(len(x))
        for s in range(0, len(x), 64):
            i = order[s:s + 64]
            loss = F.mse_loss(torch.tanh(net.affect(x[i] + 0.1 * torch.randn_like(x[i]))), affect[i])
            opt.zero_grad(); loss.backward(); opt.step()
    net.eval()
    return net


def augmented_batch(frames, rng):
    """Random crops of at most CROP frames, time stretch 0.85-1.15, a mel shift of up to 2 bands, one
    band mask and Gaussian noise; short segments repeat to the batch's length."""
    length = min(CROP, max(len(f) for f in frames))
    out = np.zeros((len(frames), length, frames[0].shape[1]), np.float32)
    for i, f in enumerate(frames):
        if len(f) > length:
            start = rng.integers(0, len(f) - length + 1)
            f = f[start:start + length]
        f = f[np.clip(np.round(np.arange(0, len(f), rng.uniform(0.85, 1.15))).astype(int), 0, len(f) - 1)].copy()
        shift = rng.integers(-2, 3)
        if shift:
            f[:, :MEL] = np.roll(f[:, :MEL], shift, axis=1)
        band = rng.integers(0, MEL - 8)
        f[:, band:band + rng.integers(0, 9)] = 0
        f += 0.1 * rng.standard_normal(f.shape).astype(np.float32)
        out[i] = np.tile(f, (int(np.ceil(length / len(f))), 1))[:length]
    return torch.from_numpy(out)


def train_frames(clips, seed, epochs):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    items = [(f, CLASSES.index(c["emotion"]), class_mask(c["corpus"])) for c in clips for f in c["frames"]]
    y_all = np.array([y for _, y, _ in items])
    weight = balanced_weights(y_all)
    net = FrameNet(items[0][0].shape[1])
    opt = torch.optim.AdamW(net.parameters(), 2e-3, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=epochs * ((len(items) + BATCH - 1) // BATCH))
    for epoch in range(epochs):
        net.train()
        order = rng.permutation(len(items))
        for s in range(0, len(items), BATCH):
            idx = order[s:s + BATCH]
            x = augmented_batch([items[i][0] for i in idx], rng)
            mask = torch.tensor([items[i][2] for i in idx])
            logits = net(x).masked_fill(~mask, -1e4)
            w = weight[idx]
            loss = (F.cross_entropy(logits, torch.from_numpy(y_all[idx]), reduction="none", label_smoothing=0.05) * w).sum() / w.sum()
            opt.zero_grad(); loss.backward(); opt.step(); sched.step()
    net.eval()
    return net


def checkpoint(name, seed, args):
    return os.path.join(args.checkpoints, f"{name}.frames{'' if seed == 0 else f'-s{seed}'}.pt") if args.checkpoints else None


def trained_frames(name, clips, seed, args):
    """One frame network (the slow part), from its checkpoint when --resume finds one."""
    path = checkpoint(name, seed, args)
    if path and args.resume and os.path.exists(path):
        net = FrameNet(clips[0]["frames"][0].shape[1])
        net.load_state_dict(torch.load(path))
        return net
    net = train_frames(clips, seed, args.epochs)
    if path:
        os.makedirs(args.checkpoints, exist_ok=True)
        torch.save(net.state_dict(), path)
    return net


TRAINING_SETS = {}  # name -> clips; read by the forked --jobs workers


def train_checkpoint(job):
    name, seed, args = job
    torch.set_num_threads(1)
    trained_frames(name, TRAINING_SETS[name], seed, args)
    print("trained", name, "seed", seed, flush=True)


def train_missing_frames(args):
    """Trains the frame networks that have no checkpoint yet in --jobs processes (forked: they share the clips)."""
    missing = [(name, seed, args) for seed in range(args.frame_seeds) for name in TRAINING_SETS
               if not (args.resume and os.path.exists(checkpoint(name, seed, args)))]
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        pool.map(train_checkpoint, missing, chunksize=1)


def trained(name, clips, args):
    """The served model trained on `clips`: linear heads and FRAME_SEEDS frame networks."""
    frame_nets = FrameNets([trained_frames(name, clips, seed, args) for seed in range(args.frame_seeds)])
    model = Served(train_linear(clips), frame_nets)
    model.eval()
    print("trained", name, flush=True)
    return model


def clip_probs_model(model, clips, part="served"):
    out = []
    with torch.no_grad():
        for c in clips:
            rows = []
            for x, fr in zip(c["x"], c["frames"]):
                features, frames = torch.from_numpy(x)[None], torch.from_numpy(fr)[None]
                if part == "linear":
                    rows.append(F.softmax(model.linear(features)[0], 1)[0].numpy())
                elif part == "frames":
                    rows.append(model.frame_nets(frames)[0].numpy())
                else:
                    rows.append(model(features, frames)[0][0].numpy())
            out.append(np.average(rows, axis=0, weights=c["w"]))
    return out


def uar(clips, probs, allowed):
    idx = [CLASSES.index(k) for k in allowed]
    pred = [allowed[int(np.argmax(p[idx]))] for p in probs]
    recalls = [np.mean([p == k for p, c in zip(pred, clips) if c["emotion"] == k]) for k in allowed]
    return round(float(np.mean(recalls)), 4)


def export_onnx(model, path, n_in, width):
    torch.onnx.export(model, (torch.zeros(1, n_in), torch.zeros(1, 50, width)), path, input_names=["features", "frames"],
                      output_names=["classes", "arousal", "valence"], dynamic_axes={"frames": {1: "time"}}, opset_version=13)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", required=True)
    ap.add_argument("--export")
    ap.add_argument("--checkpoints")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--frame-seeds", type=int, default=FRAME_SEEDS, help="frame networks averaged, each from its own seed")
    ap.add_argument("--epochs", type=int, default=EPOCHS, help="frame network epochs")
    ap.add_argument("--jobs", type=int, default=1, help="frame networks trained at once (needs --checkpoints)")
    ap.add_argument("--variants", default="", help="augmented extractions to train on too, comma-separated")
    args = ap.parse_args()
    if args.jobs > 1 and not args.checkpoints:
        ap.error("--jobs needs --checkpoints")
    torch.set_num_threads(args.threads)
    with open(os.path.join(args.features, "features.json")) as f:
        layout = json.load(f)
    width = layout["frame_descriptors"]
    variants = [v for v in args.variants.split(",") if v]
    ravdess, emodb = load(args.features, "ravdess", width), load(args.features, "emodb", width)
    augmented = {corpus: [c for v in variants for c in load(args.features, f"{corpus}.{v}", width)] for corpus in ["ravdess", "emodb"]}
    for clips in [ravdess, emodb, augmented["ravdess"], augmented["emodb"]]:
        normalise_per_speaker(clips)
    shared = [c for c in emodb if c["emotion"] in SHARED]

    folds = list(GroupKFold(5).split(ravdess, groups=[c["speaker"] for c in ravdess]))
    for k, (tr, _) in enumerate(folds):
        speakers = {ravdess[i]["speaker"] for i in tr}
        TRAINING_SETS[f"ravdess-fold{k}"] = ([ravdess[i] for i in tr] + [c for c in augmented["ravdess"] if c["speaker"] in speakers]
                                             + emodb + augmented["emodb"])
    TRAINING_SETS["ravdess-only"] = ravdess + augmented["ravdess"]
    if args.export:
        TRAINING_SETS["served"] = ravdess + emodb + augmented["ravdess"] + augmented["emodb"]
    if args.jobs > 1:
        train_missing_frames(args)
        args.resume = True  # every frame network now has this run's checkpoint
    fold_models = [trained(f"ravdess-fold{k}", TRAINING_SETS[f"ravdess-fold{k}"], args) for k in range(len(folds))]
    ravdess_only = trained("ravdess-only", TRAINING_SETS["ravdess-only"], args)
    results = {}
    for part in ["served", "linear", "frames"]:
        probs = [None] * len(ravdess)
        for model, (_, te) in zip(fold_models, folds):
            for i, p in zip(te, clip_probs_model(model, [ravdess[i] for i in te], part)):
                probs[i] = p
        results[part] = {"ravdess_uar": uar(ravdess, probs, CORPUS_CLASSES["ravdess"]),
                         "cross_corpus_uar": uar(shared, clip_probs_model(ravdess_only, shared, part), SHARED)}
    print(json.dumps({"clips": {"ravdess": len(ravdess), "emodb": len(emodb), "augmented": {k: len(v) for k, v in augmented.items()}}, "variants": variants, **results}), flush=True)
    if args.export:
        export(args, ravdess, emodb, folds, fold_models, ravdess_only, layout)


def export(args, ravdess, emodb, folds, fold_models, ravdess_only, layout):
    """The served model (both corpora), the evaluation's models (one per RAVDESS fold, trained without
    that fold's actors, and the RAVDESS-only one for EmoDB) and config.json."""
    folder = os.path.dirname(args.export)
    n_in, width = len(layout["features"]), layout["frame_descriptors"]
    export_onnx(trained("served", TRAINING_SETS["served"], args), args.export, n_in, width)
    evaluation = {"ravdess_folds": [], "cross_corpus": "eval/ravdess-only.onnx"}
    os.makedirs(os.path.join(folder, "eval"), exist_ok=True)
    for k, (model, (_, te)) in enumerate(zip(fold_models, folds)):
        name = f"eval/ravdess-fold{k}.onnx"
        export_onnx(model, os.path.join(folder, name), n_in, width)
        evaluation["ravdess_folds"].append({"file": name, "speakers": sorted({ravdess[i]["speaker"] for i in te})})
    export_onnx(ravdess_only, os.path.join(folder, evaluation["cross_corpus"]), n_in, width)
    clips = ravdess + emodb
    raw = np.concatenate([[s["features"] for s in c["segments"]] for c in clips])
    all_frames = np.concatenate([f for c in clips for f in c["frames_raw"]])
    frame_mean, frame_sd = frame_statistics([all_frames])
    segments = sum(len(c["segments"]) for c in clips)
    config = {"format_version": 2,
              "classifier": {"file": os.path.basename(args.export), "classes": CLASSES, "features": layout["features"], "frame_descriptors": width},
              "normalisation": {"mean": np.round(raw.mean(0), 5).tolist(), "sd": np.round(raw.std(0) + 1e-3, 5).tolist(),
                                "prior_segments": PRIOR_SEGMENTS,
                                "frames": {"mean": np.round(frame_mean, 5).tolist(), "sd": np.round(frame_sd, 5).tolist(),
                                           "prior_frames": round(PRIOR_SEGMENTS * len(all_frames) / segments),
                                           "prior_voiced_frames": round(PRIOR_SEGMENTS * int((all_frames[:, VOICED] == 1).sum()) / segments)}},
              "evaluation": evaluation}
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=1)
    print("exported", args.export, "and", len(folds) + 1, "evaluation models")


if __name__ == "__main__":
    main()
