"""Stage 1: build/load the frozen-encoder feature cache for all training/dev texts."""
import hashlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from encode_cache import encode_texts  # noqa: E402

MAX_CACHE_TOKENS = 64
CLIP_CHARS = 600  # training-time speed-up: tokens beyond the first 64 are dropped anyway


def get_features(texts, cache_dir):
    os.makedirs(cache_dir, exist_ok=True)
    key = hashlib.md5(("\x00".join(texts) + f"|{MAX_CACHE_TOKENS}|{CLIP_CHARS}").encode()).hexdigest()[:12]
    path = os.path.join(cache_dir, f"feats_{key}.npy")
    if os.path.exists(path):
        print(f"feature cache hit: {path}", flush=True)
        return np.load(path)
    feats = encode_texts([t[:CLIP_CHARS] for t in texts], max_tokens=MAX_CACHE_TOKENS)
    np.save(path + ".tmp.npy", feats)
    os.replace(path + ".tmp.npy", path)
    return feats


if __name__ == "__main__":
    from data import load_all
    data = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "data", "text")
    cache = sys.argv[2] if len(sys.argv) > 2 else "/tmp/moodwire_lang_cache"
    exs, _ = load_all(data)
    texts = sorted(set(e["text"] for e in exs))
    f = get_features(texts, cache)
    print(f.shape)
