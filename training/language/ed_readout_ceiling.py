"""Diagnostic (never used for training or selection): how well could the network's outputs rank
EmpatheticDialogues situations if they were read in-domain? A logistic read-out of the 69 raw outputs
(54 emotion units, 9 sentiment, 6 toxicity) is fit on ED *train* (non-commercial: this script only
measures, nothing it fits is shipped) and scored on ED test, beside the output read by its name (the
AUC that `npm run eval -- language` reports). Prints one JSON line.

  /usr/bin/python3 training/language/ed_readout_ceiling.py --data ../shared/data/text <cache>/finetuned.pt
"""
import argparse
import csv
import json
import os
import sys

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data as D  # noqa: E402
from finetune import predict_rows, tokenize  # noqa: E402
from train import load_members  # noqa: E402

# the label pairs of eval/language.ts (ED_WEAK, ED_LEARNED)
SEED = {"Envy": ["jealous"], "Horror": ["terrified"], "Nostalgia": ["nostalgic", "sentimental"], "Shame": ["ashamed"]}
LEARNED = {"Admiration": ["impressed"], "Anger": ["angry", "furious"], "Annoyance": ["annoyed"],
           "Anxiety": ["anxious", "apprehensive"], "Contentment": ["content"], "Disappointment": ["disappointed"],
           "Disgust": ["disgusted"], "Embarrassment": ["embarrassed"], "Excitement": ["excited"], "Fear": ["afraid"],
           "Gratitude": ["grateful"], "Guilt": ["guilty"], "Joy": ["joyful"], "Pride": ["proud"], "Sadness": ["sad", "devastated"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("MOODWIRE_TEXT_DATA", "../shared/data/text"))
    ap.add_argument("--cache", default=os.environ.get("MOODWIRE_CACHE", "/tmp/moodwire_lang_cache"), help="piece-id cache, as train.py's")
    ap.add_argument("weights", nargs="+", help="finetuned.pt file(s), averaged as train.py --resume does")
    args = ap.parse_args()
    folder = os.path.join(args.data, "empathetic_dialogues_situations")
    names = [line.strip() for line in open(os.path.join(folder, "labels.txt"))]
    members = load_members(args.weights, False)

    def outputs(split):
        rows = list(csv.DictReader(open(os.path.join(folder, f"{split}.csv"), encoding="utf-8")))
        ids = tokenize([r["text"] for r in rows], args.cache)
        return np.concatenate(predict_rows(members, ids, range(len(ids))), 1), [names[int(r["label"])] for r in rows]

    x_train, y_train = outputs("train")
    x_test, y_test = outputs("test")
    mu, sd = x_train.mean(0), x_train.std(0) + 1e-6
    by_name, read_out = {}, {}
    for emotion, labels in {**SEED, **LEARNED}.items():
        truth_train = np.array([y in labels for y in y_train])
        truth_test = np.array([y in labels for y in y_test])
        fit = LogisticRegression(C=1.0, max_iter=2000).fit((x_train - mu) / sd, truth_train)
        by_name[emotion] = round(roc_auc_score(truth_test, x_test[:, D.EI[emotion]]), 4)
        read_out[emotion] = round(roc_auc_score(truth_test, fit.decision_function((x_test - mu) / sd)), 4)
    mean = lambda d, keys: round(float(np.mean([d[k] for k in keys])), 4)
    print(json.dumps({"by_name_seed_mean": mean(by_name, SEED), "by_name_all_mean": mean(by_name, by_name),
                      "read_out_seed_mean": mean(read_out, SEED), "read_out_all_mean": mean(read_out, read_out),
                      "by_name": by_name, "read_out": read_out}))


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
