"""Encode unique texts once with the frozen USE-lite port; cache span-pooled features.
Feature per text = [mean over tokens of layer-1 output x4 (512) | mean of layer-0 output x2 (512)]."""
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from use_model import USELite  # noqa: E402
from use_tokenizer import Tokenizer  # noqa: E402


def encode_texts(texts, max_tokens=64, batch_tokens=6144, log=True):
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    tok = Tokenizer()
    model = USELite().load_tfjs().eval()
    t0 = time.time()
    ids = [tok.encode(t)[:max_tokens] or [0] for t in texts]
    if log:
        print(f"tokenized {len(ids)} texts, {sum(map(len, ids))} tokens in {time.time() - t0:.0f}s", flush=True)
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    feats = np.zeros((len(ids), 1024), np.float16)
    i = 0
    done_tok = 0
    t0 = time.time()
    last = t0
    with torch.no_grad():
        while i < len(order):
            T = len(ids[order[min(len(order) - 1, i)]])
            bs = max(1, batch_tokens // max(T, 1))
            chunk = order[i:i + bs]
            T = max(len(ids[j]) for j in chunk)
            a = torch.zeros((len(chunk), T), dtype=torch.long)
            m = torch.zeros((len(chunk), T))
            for r, j in enumerate(chunk):
                a[r, :len(ids[j])] = torch.tensor(ids[j])
                m[r, :len(ids[j])] = 1
            x2, x4 = model.states(a, m)
            den = m.sum(1, keepdim=True).clamp(min=1)
            f = torch.cat([(x4 * m.unsqueeze(-1)).sum(1) / den, (x2 * m.unsqueeze(-1)).sum(1) / den], -1)
            feats[chunk] = f.numpy().astype(np.float16)
            done_tok += int(m.sum())
            i += len(chunk)
            if log and time.time() - last > 30:
                last = time.time()
                print(f"  {i}/{len(order)} texts, {done_tok / (last - t0):.0f} tok/s", flush=True)
    if log:
        print(f"encoded in {time.time() - t0:.0f}s", flush=True)
    return feats


def encode_spans(items, batch_tokens=6144, log=True):
    """items: list of (ids, [(start, end), ...]) -> features [sum spans, 1024] for each token span
    pooled from the contextual states of the whole sentence (word/phrase-in-context)."""
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    model = USELite().load_tfjs().eval()
    order = sorted(range(len(items)), key=lambda i: len(items[i][0]))
    offs = np.cumsum([0] + [len(it[1]) for it in items])
    feats = np.zeros((offs[-1], 1024), np.float16)
    i = 0
    t0 = time.time()
    with torch.no_grad():
        while i < len(order):
            T = len(items[order[i]][0])
            bs = max(1, batch_tokens // max(T, 1))
            chunk = order[i:i + bs]
            T = max(len(items[j][0]) for j in chunk)
            a = torch.zeros((len(chunk), T), dtype=torch.long)
            m = torch.zeros((len(chunk), T))
            for r, j in enumerate(chunk):
                a[r, :len(items[j][0])] = torch.tensor(items[j][0])
                m[r, :len(items[j][0])] = 1
            x2, x4 = model.states(a, m)
            for r, j in enumerate(chunk):
                for k, (s, e) in enumerate(items[j][1]):
                    f = torch.cat([x4[r, s:e].mean(0), x2[r, s:e].mean(0)])
                    feats[offs[j] + k] = f.numpy().astype(np.float16)
            i += len(chunk)
    if log:
        print(f"encoded {offs[-1]} spans in {time.time() - t0:.0f}s", flush=True)
    return feats
