"""Dataset loading for the Moodwire language model. Reads ../shared/data/text (never copies it).

Every example: dict(text, ds, split, emo (54 floats or None), emo_mask, sent (9 or None),
tox (6 or None), w (per-task weights)). Emotion vector has 53 LANGUAGE_EMOTION_LABELS + an
internal 'surprise' unit (index 53) used to build Surprise (positive/negative).
"""
import csv
import hashlib
import json
import math
import os
import random
import re

import numpy as np

EMO = ["Admiration", "Adoration", "Aesthetic Appreciation", "Amusement", "Anger", "Annoyance", "Anxiety",
       "Awe", "Awkwardness", "Boredom", "Calmness", "Concentration", "Confusion", "Contemplation",
       "Contempt", "Contentment", "Craving", "Desire", "Determination", "Disappointment", "Disapproval",
       "Disgust", "Distress", "Doubt", "Ecstasy", "Embarrassment", "Empathic Pain", "Enthusiasm",
       "Entrancement", "Envy", "Excitement", "Fear", "Gratitude", "Guilt", "Horror", "Interest", "Joy",
       "Love", "Nostalgia", "Pain", "Pride", "Realization", "Relief", "Romance", "Sadness", "Sarcasm",
       "Satisfaction", "Shame", "Surprise (negative)", "Surprise (positive)", "Sympathy", "Tiredness",
       "Triumph"]
assert len(EMO) == 53
INTERNAL = EMO + ["_surprise"]
NE = len(INTERNAL)
EI = {k: i for i, k in enumerate(INTERNAL)}
TOX = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]
GE_LABELS = ["admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
             "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
             "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
             "remorse", "sadness", "surprise", "neutral"]

# dataset-native label -> {hume label: target weight}. 1.0 = direct, < 1 = partial / related.
GE_MAP = {
    "admiration": {"Admiration": 1, "Aesthetic Appreciation": .3, "Awe": .3, "Entrancement": .2},
    "amusement": {"Amusement": 1},
    "anger": {"Anger": 1},
    "annoyance": {"Annoyance": 1},
    "approval": {"Satisfaction": 1},
    "caring": {"Sympathy": 1, "Empathic Pain": .3, "Adoration": .2},
    "confusion": {"Confusion": 1, "Doubt": .5},
    "curiosity": {"Interest": 1, "Contemplation": .4},
    "desire": {"Desire": 1, "Craving": .5},
    "disappointment": {"Disappointment": 1},
    "disapproval": {"Disapproval": 1, "Contempt": .3, "Doubt": .3},
    "disgust": {"Disgust": 1, "Contempt": .4, "Horror": .2},
    "embarrassment": {"Embarrassment": 1, "Awkwardness": .6, "Shame": .3},
    "excitement": {"Excitement": 1, "Enthusiasm": .5, "Ecstasy": .3, "Triumph": .2},
    "fear": {"Fear": 1, "Horror": .4, "Distress": .4, "Anxiety": .3},
    "gratitude": {"Gratitude": 1},
    "grief": {"Pain": 1, "Sadness": .6, "Empathic Pain": .5, "Distress": .3},
    "joy": {"Joy": 1, "Ecstasy": .3, "Satisfaction": .3},
    "love": {"Love": 1, "Adoration": .5, "Romance": .3},
    "nervousness": {"Anxiety": 1, "Distress": .4},
    "optimism": {"Determination": 1},
    "pride": {"Pride": 1, "Triumph": .4},
    "realization": {"Realization": 1, "Contemplation": .3},
    "relief": {"Relief": 1, "Calmness": .3},
    "remorse": {"Guilt": 1, "Shame": .4},
    "sadness": {"Sadness": 1, "Pain": .3, "Distress": .3},
    "surprise": {"_surprise": 1, "Awe": .3},
    "neutral": {},
}
# GoEmotions label -> how the evaluation reads it from the 53 outputs
GE_EVAL = {g: {"op": "max", "labels": [max(GE_MAP[g], key=lambda k: GE_MAP[g][k])]} for g in GE_LABELS if g not in ("neutral", "surprise")}
GE_EVAL["surprise"] = {"op": "sum", "labels": ["Surprise (negative)", "Surprise (positive)"]}
GE_EVAL["neutral"] = {"op": "one_minus_max", "labels": sorted({v["labels"][0] for k, v in GE_EVAL.items() if k != "surprise"}) + ["Surprise (negative)", "Surprise (positive)"]}

XED_NAMES = {1: "anger", 2: "anticipation", 3: "disgust", 4: "fear", 5: "joy", 6: "sadness", 7: "surprise", 8: "trust"}
XED_MAP = {"anger": {"Anger": 1}, "anticipation": {"Excitement": .5, "Interest": .3}, "disgust": {"Disgust": 1},
           "fear": {"Fear": 1}, "joy": {"Joy": 1}, "sadness": {"Sadness": 1}, "surprise": {"_surprise": 1},
           "trust": {"Contentment": .3, "Calmness": .3}}
CF_MAP = {"anger": {"Anger": 1}, "boredom": {"Boredom": 1}, "empty": {"Boredom": .3}, "enthusiasm": {"Enthusiasm": 1},
          "fun": {"Amusement": .6}, "happiness": {"Joy": .6, "Contentment": .4}, "hate": {"Anger": .5, "Contempt": .5},
          "love": {"Love": .6, "Adoration": .4}, "neutral": {}, "relief": {"Relief": 1}, "sadness": {"Sadness": .7},
          "surprise": {"_surprise": .7}, "worry": {"Anxiety": .7, "Fear": .3}}

# hume labels that the GoEmotions evaluation reads (+ internal surprise): supervised by GoEmotions ONLY,
# so they stay faithful GoEmotions classifiers (other sets would blur the GE label semantics)
GE_PRIMARY = sorted({v["labels"][0] for k, v in GE_EVAL.items() if v["op"] == "max"} | {"_surprise"})
# labels with no direct supervision in the commercial-safe sets: get seed-prototype weak targets
WEAK = ["Adoration", "Aesthetic Appreciation", "Awe", "Awkwardness", "Calmness", "Concentration", "Contemplation",
        "Contempt", "Craving", "Distress", "Doubt", "Ecstasy", "Empathic Pain", "Entrancement",
        "Envy", "Horror", "Nostalgia", "Romance", "Shame", "Tiredness", "Triumph"]
# Family ceilings (issue 19, v4.4): a seed label is a kind of a feeling the data-labelled units already measure, so it is
# served as min(label, scale * max(its family)) and cannot fire on text whose own feeling is another (Horror on an angry
# text). Only labels whose family units rise on their own kind of text are listed; Envy, Nostalgia, Craving, Calmness,
# Concentration, Contemplation, Doubt and Tiredness have no such unit (e.g. Desire 0.001 on "I'm so jealous of her new
# house") and stay as trained.
FAMILY_CEILINGS = {
    "Adoration": ["Love", "Admiration"], "Aesthetic Appreciation": ["Admiration", "Joy"],
    "Awe": ["Admiration", "Surprise (positive)", "Surprise (negative)", "Excitement"], "Awkwardness": ["Embarrassment", "Confusion"],
    "Contempt": ["Disgust", "Disapproval", "Anger"], "Distress": ["Fear", "Anxiety", "Sadness", "Pain"], "Ecstasy": ["Joy", "Excitement"],
    "Empathic Pain": ["Sympathy", "Sadness"], "Entrancement": ["Admiration", "Interest"], "Horror": ["Fear"],
    "Romance": ["Love", "Desire"], "Shame": ["Embarrassment", "Guilt"], "Triumph": ["Pride", "Joy", "Excitement"],
}
EXTRA_SEEDS = {
    "Concentration": ["I need to focus on this", "concentrating hard on my work", "deep in thought while studying",
                      "please be quiet, I'm trying to concentrate", "totally absorbed in the task"],
    "Tiredness": ["I'm so tired", "exhausted after a long day", "I can barely keep my eyes open", "so sleepy right now",
                  "I need to sleep", "completely worn out"],
    "Envy": ["I'm so jealous of you", "I envy her so much", "why does he get everything", "must be nice to be that rich"],
    "Guilt": ["I feel so guilty", "it was my fault and I regret it", "I shouldn't have done that to her"],
    "Shame": ["I'm so ashamed of myself", "I feel humiliated", "I can't face anyone after what I did"],
    "Horror": ["that was absolutely horrifying", "a gruesome, terrifying scene", "I was horrified by what I saw"],
    "Nostalgia": ["I miss the good old days", "this reminds me of my childhood", "remember when we used to play here",
                  "those were the days"],
}


# Mined pseudo-labels (v4) for the labels no commercial-safe set annotates: a text that names the feeling
# outright ("I'm so jealous", "it was horrifying") is a positive for that label, kept only where the
# pretrained sentence embedding agrees (similarity to the label's seed phrases above the median).
# Word-boundary, case-insensitive regular expressions; written from the seed phrases and their inflections.
MINED_CUES = {
    "Adoration": r"\b(adore[sd]?|adoring|adorable|so cute|sweetheart)\b",
    "Aesthetic Appreciation": r"\b(gorgeous|stunning|exquisite|lovely view|elegant|beautiful (view|painting|music|song|art|scenery|sunset|design))\b",
    "Awe": r"\b(in awe|awe-?struck|awe-?inspiring|breathtaking|majestic|mind-?blowing)\b",
    "Awkwardness": r"\b(awkward|awkwardly|awkwardness|cringe|cringy|cringey|cringing|uncomfortable silence)\b",
    "Calmness": r"\b(calm|calmer|calming|peaceful|serene|relaxed|relaxing|tranquil)\b",
    "Concentration": r"\b(concentrat(e|ed|es|ing|ion)|focus(ed|ing)? on|studying hard|in the zone)\b",
    "Contemplation": r"\b(ponder(ed|ing)?|contemplat(e|ed|ing)|reflect(ed|ing)? on|wonder(ing)? (whether|if)|thinking about life)\b",
    "Contempt": r"\b(contempt|contemptible|pathetic|scorn(ful)?|beneath me|despise[sd]?)\b",
    "Craving": r"\b(crave[sd]?|craving|cravings|starving|dying for an?|need a drink)\b",
    "Distress": r"\b(distress(ed|ing)?|overwhelmed|panick(ed|ing)|desperate)\b",
    "Doubt": r"\b(doubt(s|ed|ful)?|skeptical|sceptical|unsure|not (so )?sure)\b",
    "Ecstasy": r"\b(ecstatic|ecstasy|euphori[ac]|over the moon|best day ever)\b",
    "Empathic Pain": r"\b(heart goes out|sorry for your loss|heartbreaking to (see|hear|read)|feel (so )?bad for (you|him|her|them))\b",
    "Entrancement": r"\b(mesmeri[sz](ed|ing)|captivat(ed|ing)|spellbound|hypnoti[cz]|transfixed|entranc(ed|ing))\b",
    "Envy": r"\b(jealous|jealousy|envy|envious|envied|wish i had what)\b",
    "Horror": r"\b(horrified|horrifying|horrific|horror|terrified|terrifying|gruesome)\b",
    "Nostalgia": r"\b(nostalgi[ac]|nostalgically|good old days|childhood memories|those were the days|brings? back (so many )?memories|reminisc(e|ed|ing))\b",
    "Romance": r"\b(romantic|romance|date night|candlelit|my (girlfriend|boyfriend))\b",
    "Shame": r"\b(ashamed|shameful|humiliat(ed|ing|ion)|mortified)\b",
    "Tiredness": r"\b(so tired|exhausted|exhausting|sleepy|worn out|need a nap|drained|fatigued?)\b",
    "Triumph": r"\b(we won|i won|victory|victorious|triumph(ant)?|finally did it|crushed it|champions?)\b",
}
MINED_RE = {k: re.compile(v, re.I) for k, v in MINED_CUES.items()}


def mined_labels(text):
    """Labels whose cue the text contains."""
    return [k for k, r in MINED_RE.items() if r.search(text)]


def _vec(hmap_list):
    t = np.zeros(NE, np.float32)
    for hm in hmap_list:
        for k, w in hm.items():
            t[EI[k]] = max(t[EI[k]], w)
    return t


def _mask(maps):
    m = np.zeros(NE, np.float32)
    for hm in maps.values():
        for k in hm:
            m[EI[k]] = 1
    return m


def _split(key, dev_frac=0.1, salt="dev"):
    h = int(hashlib.md5((salt + str(key)).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "dev" if h < dev_frac else "train"


def ex(text, ds, split, emo=None, emo_mask=None, sent=None, tox=None, tox_mask=None, w=1.0, neutral=False):
    """One training row; `neutral`: rated neutral by its dataset (a negative for every emotion unit)."""
    return dict(text=text, ds=ds, split=split, emo=emo, emo_mask=emo_mask, sent=sent, tox=tox, tox_mask=tox_mask, w=w, neutral=neutral)


def load_goemotions(root):
    out = []
    mask = _mask(GE_MAP)
    for split in ("train", "dev"):  # test is never read here
        with open(os.path.join(root, "goemotions", f"{split}.tsv"), encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 2:
                    continue
                labs = [GE_LABELS[int(i)] for i in parts[1].split(",")]
                e = ex(parts[0], "ge", split, _vec([GE_MAP[l] for l in labs]), mask, neutral=labs == ["neutral"])
                e["ge"] = [int(i) for i in parts[1].split(",")]
                out.append(e)
    return out


def load_xed(root):
    out = []
    mask = _mask(XED_MAP)
    with open(os.path.join(root, "xed_en", "en-annotated.tsv"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 2:
                continue
            labs = [XED_NAMES[int(x)] for x in parts[1].split(",") if x.strip()]
            out.append(ex(parts[0], "xed", _split("x" + parts[0]), _vec([XED_MAP[l] for l in labs]), mask))
    rng = random.Random(1)
    neu = [l.rstrip("\n").split("\t", 1) for l in open(os.path.join(root, "xed_en", "neu_en.txt"), encoding="utf-8")]
    neu = [p[1] for p in neu if len(p) == 2]
    rng.shuffle(neu)
    for t in neu[:4000]:
        out.append(ex(t, "xed", _split("x" + t), np.zeros(NE, np.float32), mask, neutral=True))
    return out


def load_crowdflower(root, per_class_cap=1500):
    out = []
    mask = _mask(CF_MAP)
    rows = list(csv.DictReader(open(os.path.join(root, "crowdflower_text_emotion", "text_emotion.csv"), encoding="utf-8")))
    rng = random.Random(2)
    rng.shuffle(rows)
    cnt = {}
    for r in rows:
        s = r["sentiment"]
        cnt[s] = cnt.get(s, 0) + 1
        if cnt[s] > per_class_cap:
            continue
        out.append(ex(r["content"], "cf", _split("c" + r["tweet_id"]), _vec([CF_MAP[s]]), mask, w=0.5, neutral=s == "neutral"))
    return out


def load_sarcasm(root):
    out = []
    m = np.zeros(NE, np.float32)
    m[EI["Sarcasm"]] = 1
    for r in csv.DictReader(open(os.path.join(root, "sarcasm", "isarcasmeval", "train.En.csv"), encoding="utf-8")):
        if not r["tweet"]:
            continue
        t = np.zeros(NE, np.float32)
        t[EI["Sarcasm"]] = float(r["sarcastic"])
        out.append(ex(r["tweet"], "sarc", _split("s" + r["tweet"]), t, m))
    return out


def soft_levels(center, sigma):
    lv = np.arange(1, 10, dtype=np.float32)
    p = np.exp(-0.5 * ((lv - center) / sigma) ** 2)
    return (p / p.sum()).astype(np.float32)


def sst_soft(k):
    c = 2 * k  # index of level 1+2k
    p = np.zeros(9, np.float32)
    p[c] = 0.6
    for d in (-1, 1):
        if 0 <= c + d < 9:
            p[c + d] = 0.2
    return p / p.sum()


def parse_tree(s):
    """PTB sentiment tree -> [(words, label)] for every node (root last). Leaves may hold spaces."""
    pos = 0
    phrases = []

    def rec():
        nonlocal pos
        assert s[pos] == "("
        pos += 1
        j = s.index(" ", pos)
        label = int(s[pos:j])
        pos = j + 1
        words = []
        if s[pos] == "(":
            while s[pos] == "(":
                words += rec()
                while s[pos] == " ":
                    pos += 1
        else:
            j = s.index(")", pos)
            words = [s[pos:j]]
            pos = j
        assert s[pos] == ")"
        pos += 1
        phrases.append((words, label))
        return words

    rec()
    return phrases  # last one is the root


SST_DETOK = [[" n't", "n't"], [" 's", "'s"], [" 're", "'re"], [" 've", "'ve"], [" 'm", "'m"], [" 'll", "'ll"], [" 'd", "'d"],
             ["-LRB- ", "("], [" -RRB-", ")"], ["-LRB-", "("], ["-RRB-", ")"], ["`` ", "\""], [" ''", "\""], ["``", "\""], ["''", "\""],
             [" ,", ","], [" .", "."], [" !", "!"], [" ?", "?"], [" ;", ";"], [" :", ":"], ["\\/", "/"], ["\\*", "*"]]


def sst_detok(words):
    s = " ".join(words)
    for a, b in SST_DETOK:
        s = s.replace(a, b)
    return s


def load_sst(root, n_phrases=14000, n_words=7000):
    out = []
    rng = random.Random(3)
    for split in ("train", "dev"):  # test never read here
        phr = {}
        for line in open(os.path.join(root, "sst5_ptb_trees", f"{split}.txt"), encoding="utf-8"):
            line = line.strip()
            if not line:
                continue
            ph = parse_tree(line)
            words, lab = ph[-1]
            e = ex(sst_detok(words), "sst", split, sent=sst_soft(lab), w=2.0, neutral=lab == 2)
            e["sst"] = lab
            out.append(e)
            if split == "train":
                for w_, l_ in ph[:-1]:
                    phr.setdefault(sst_detok(w_), l_)
        if split == "train":
            singles = [k for k in phr if " " not in k]
            multi = [k for k in phr if " " in k and len(k.split()) <= 12]
            rng.shuffle(singles)
            rng.shuffle(multi)
            for k in singles[:n_words] + multi[:n_phrases]:
                out.append(ex(k, "sstp", "train", sent=sst_soft(phr[k]), w=0.3, neutral=phr[k] == 2))
    return out


def load_emobank(root):
    out = []
    for r in csv.DictReader(open(os.path.join(root, "emobank", "emobank.csv"), encoding="utf-8")):
        if r["split"] == "test" or not r["text"]:
            continue
        v = float(r["V"])
        e = ex(r["text"], "eb", r["split"], sent=soft_levels(1 + 2 * (v - 1), 0.8), w=0.5)
        e["V"] = v
        e["A"] = float(r["A"])
        out.append(e)
    return out


def load_lexicons(root):
    out = []
    for line in open(os.path.join(root, "lexicons", "vader", "vader_lexicon.txt"), encoding="utf-8"):
        p = line.rstrip("\n").split("\t")
        if len(p) < 2:
            continue
        out.append(ex(p[0], "vader", "train", sent=soft_levels(min(9, max(1, float(p[1]) + 5)), 1.0), w=0.3))
    af = json.load(open(os.path.join(root, "lexicons", "afinn165", "afinn-165.json"), encoding="utf-8"))
    for k, v in af.items():
        out.append(ex(k, "afinn", "train", sent=soft_levels(5 + 0.8 * float(v), 1.0), w=0.3))
    return out


def jigsaw_split(root, holdout_frac=0.15, seed=1234):
    """Fixed random 15% holdout by id (seeded shuffle of sorted ids)."""
    rows = list(csv.DictReader(open(os.path.join(root, "jigsaw_toxic_subsets", "jigsaw_subset_dedup.csv"), encoding="utf-8")))
    ids = sorted(r["id"] for r in rows)
    rng = random.Random(seed)
    rng.shuffle(ids)
    hold = set(ids[: int(round(len(ids) * holdout_frac))])
    return rows, hold


def load_jigsaw(root):
    rows, hold = jigsaw_split(root)
    out = []
    m = np.ones(6, np.float32)
    for r in rows:
        if r["id"] in hold:
            continue
        t = np.array([float(r[k]) for k in TOX], np.float32)
        out.append(ex(r["comment_text"], "jig", _split("j" + r["id"]), tox=t, tox_mask=m))
    return out, sorted(hold)


def load_davidson(root, n=6000):
    rows = list(csv.DictReader(open(os.path.join(root, "davidson_hate_offensive", "labeled_data.csv"), encoding="utf-8")))
    rng = random.Random(4)
    rng.shuffle(rows)
    out = []
    m = np.array([1, 0, 1, 0, 1, 1], np.float32)
    for r in rows[:n]:
        c = float(r["count"])
        h, o = float(r["hate_speech"]) / c, float(r["offensive_language"]) / c
        t = np.array([h + o, 0, 0.5 * o, 0, 0.5 * o, h], np.float32)
        out.append(ex(r["tweet"], "dav", _split("d" + r[""]), tox=t, tox_mask=m, w=0.3))
    return out


def load_all(root):
    exs = []
    exs += load_goemotions(root)
    exs += load_xed(root)
    exs += load_crowdflower(root)
    exs += load_sarcasm(root)
    exs += load_sst(root)
    exs += load_emobank(root)
    exs += load_lexicons(root)
    jig, hold = load_jigsaw(root)
    exs += jig
    exs += load_davidson(root)
    return exs, hold


def parse_tree_spans(s):
    """PTB tree -> (leaf words, [(leaf_start, leaf_end, label)] for every node, root last)."""
    pos = 0
    leaves = []
    spans = []

    def rec():
        nonlocal pos
        pos += 1
        j = s.index(" ", pos)
        label = int(s[pos:j])
        pos = j + 1
        start = len(leaves)
        if s[pos] == "(":
            while s[pos] == "(":
                rec()
                while s[pos] == " ":
                    pos += 1
        else:
            j = s.index(")", pos)
            leaves.append(s[pos:j])
            pos = j
        pos += 1
        spans.append((start, len(leaves), label))

    rec()
    return leaves, spans


def sst_context_items(root, tok, per_sentence=6, max_tokens=64, seed=5, split="train", words_only=False):
    """SST sentences of `split` with sub-phrase spans located inside the sentence (for word/phrase-in-
    context sentiment). Text = leaves joined by spaces; spans mapped to token ranges via U+2581 word starts."""
    rng = random.Random(seed)
    items, labels = [], []
    for line in open(os.path.join(root, "sst5_ptb_trees", f"{split}.txt"), encoding="utf-8"):
        line = line.strip()
        if not line:
            continue
        leaves, spans = parse_tree_spans(line)
        # a leaf may contain spaces ("8 1\\/2"): expand into whitespace words
        wstart, words = [], []
        for lf in leaves:
            wstart.append(len(words))
            words += lf.split(" ")
        wstart.append(len(words))
        ids = tok.encode(" ".join(words))
        starts = [j for j, t in enumerate(ids) if tok.vocab[t][0].startswith("\u2581")]
        if len(starts) != len(words):
            continue
        starts.append(len(ids))
        cand = [sp for sp in spans[:-1] if not words_only or sp[1] - sp[0] == 1]
        rng.shuffle(cand)
        short = sorted(cand, key=lambda sp: sp[1] - sp[0])
        pick = short[: per_sentence // 2] + cand[: per_sentence - per_sentence // 2]
        out = []
        seen = set()
        for (a, b, lab) in pick:
            ta, tb = starts[wstart[a]], starts[wstart[b]]
            if tb > max_tokens or tb <= ta or (ta, tb) in seen:
                continue
            seen.add((ta, tb))
            out.append((ta, tb))
            labels.append(lab)
        if out:
            items.append((ids[:max_tokens], out))
    return items, labels
