#!/usr/bin/python3
"""Report-only check (no tuning): Jigsaw held-out AUC with the exported calibrated model at
max 128 tokens, computed in PyTorch from the saved fine-tuned weights (same math as the ONNX graph).
  /usr/bin/python3 training/language/eval_holdout.py --data ../shared/data/text --out models/language"""
import argparse
import csv
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data as D  # noqa: E402
from train import LanguageModel, auc, load_members  # noqa: E402
from use_tokenizer import Tokenizer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("MOODWIRE_TEXT_DATA", "../shared/data/text"))
    ap.add_argument("--out", default="models/language")
    ap.add_argument("--cache", default="/tmp/moodwire_lang_cache")
    args = ap.parse_args()
    torch.set_num_threads(2)
    path = os.path.join(args.cache, "finetuned.pt")
    model = LanguageModel(load_members([path], ensemble=True), torch.load(path)["cal"]).eval()
    hold = set(open(os.path.join(args.out, "jigsaw_holdout_ids.txt")).read().split())
    rows = [r for r in csv.DictReader(open(os.path.join(args.data, "jigsaw_toxic_subsets", "jigsaw_subset_dedup.csv"), encoding="utf-8")) if r["id"] in hold]
    tok = Tokenizer()
    ids = [tok.encode(r["comment_text"])[:128] or [0] for r in rows]
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    P = np.zeros((len(ids), 6), np.float32)
    with torch.no_grad():
        for b in range(0, len(order), 32):
            ch = order[b:b + 32]
            T = max(len(ids[i]) for i in ch)
            a = torch.zeros(len(ch), T, dtype=torch.long)
            m = torch.zeros(len(ch), T)
            for r, i in enumerate(ch):
                a[r, :len(ids[i])] = torch.tensor(ids[i])
                m[r, :len(ids[i])] = 1
            _, _, tox = model(a, m, m.unsqueeze(1))
            P[ch] = tox[:, 0].numpy()
    Y = np.array([[int(r[k]) for k in D.TOX] for r in rows])
    aucs = {k: round(auc(P[:, j], Y[:, j]), 4) for j, k in enumerate(D.TOX)}
    print("jigsaw holdout n=%d" % len(rows), aucs, "mean", round(float(np.mean(list(aucs.values()))), 4))


if __name__ == "__main__":
    main()
