"""End-to-end multitask fine-tuning of USE-lite + heads on token ids (stage 2 of train.py).

Every training example is a *row*: a token span of a sequence (a whole text, or an SST sub-phrase inside
its sentence). A batch holds sequences padded to its longest one and a [B,S,T] span mask, exactly the
ONNX graph's inputs, so training and serving share `span_logits`. Matrix products run in bfloat16
autocast (on a CPU with AMX, ~5x the float32 speed; `train.py --no-bf16` where bfloat16 is slow or
missing); weights and losses stay float32. Everything runs on the device the encoder's weights are on
(a GPU when train.py is given one); batches are built on the CPU and moved there.
"""
import hashlib
import os
import random
import time

import numpy as np
import torch
import torch.nn.functional as F

from use_model import batch_ids

CLIP_CHARS = 1200  # tokenisation speed-up: no 128-token window needs more characters than this
TRAIN_TOKENS = 128  # the runtime's window


def device_of(module):
    return next(module.parameters()).device


def span_logits(enc, heads, token_ids, token_mask, span_mask, glove=None):
    """Raw head logits for every span row: ([B,S,54] emotions, [B,S,9] sentiment, [B,S,6] toxicity). enc: any
    member encoder (USE-lite, the GloVe member); glove: the GloVe member's graph inputs (None: derived)."""
    f = enc.span_features(token_ids, token_mask, span_mask, glove)
    sm = span_mask * token_mask.unsqueeze(1)
    den = torch.clamp(sm.sum(-1, keepdim=True), min=1e-6)
    wide = torch.matmul(sm, heads.wide[token_ids]) / den.sqrt()
    return heads(f.float(), wide.float())


def ensemble_logits(members, token_ids, token_mask, span_mask, glove=None):
    """Raw logits of members [(enc, heads), ...] fine-tuned separately, averaged output by output with the weights
    heads.share (all ones: the plain mean; one member: its own logits)."""
    outs = [span_logits(enc, heads, token_ids, token_mask, span_mask, glove) for enc, heads in members]
    if len(outs) == 1:
        return outs[0]
    shares = [torch.split(heads.share, heads.sizes) for _, heads in members]
    return tuple(sum(sh[k] * out[k] for sh, out in zip(shares, outs)) / sum(sh[k] for sh in shares) for k in range(len(outs[0])))


def disk_cached(path, compute, save, load):
    """load(path) when the file exists (path None: never cached), else compute(), saved with save(path, value)."""
    if path is not None and os.path.exists(path):
        return load(path)
    value = compute()
    if path is not None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        save(path, value)
    return value


def tokenize(texts, cache_dir):
    """Piece ids (at most TRAIN_TOKENS, never empty) of every text; cached on disk by content hash."""
    from use_tokenizer import Tokenizer
    key = hashlib.md5(("\x00".join(texts) + f"|{TRAIN_TOKENS}|{CLIP_CHARS}").encode()).hexdigest()[:12]

    def compute():
        t0 = time.time()
        tok = Tokenizer()
        ids = [tok.encode(t[:CLIP_CHARS])[:TRAIN_TOKENS] or [0] for t in texts]
        print(f"tokenized {len(texts)} texts ({sum(len(x) for x in ids)} pieces) in {time.time() - t0:.0f}s", flush=True)
        return ids

    def save(path, ids):
        np.savez(path, flat=np.array([i for x in ids for i in x], np.int16), offs=np.cumsum([0] + [len(x) for x in ids]))

    def load(path):
        z = np.load(path)
        flat, offs = z["flat"], z["offs"]
        return [flat[offs[i]:offs[i + 1]].tolist() for i in range(len(texts))]

    return disk_cached(os.path.join(cache_dir, f"ids_{key}.npz"), compute, save, load)


def length_batches(order, length, batch_tokens, max_batch=256):
    """Consecutive runs of `order` (sorted by length) cut so that B x T <= batch_tokens."""
    out, cur, T = [], [], 0
    for i in order:
        t = max(T, length(i))
        if cur and (len(cur) + 1) * t > batch_tokens or len(cur) >= max_batch:
            out.append(cur)
            cur, t = [], length(i)
        cur.append(i)
        T = t
    if cur:
        out.append(cur)
    return out


def frozen_features(enc, seqs, bf16=True, batch_tokens=16384, cache_dir=None):
    """[tail(p4) | p4 | p2] (1536, float16) of every whole sequence through the *pretrained* encoder:
    input of the weak seed-prototype targets and of the heads' standardisation. With cache_dir, kept on
    disk by content hash (a --resume run then skips this pass)."""
    path = None
    if cache_dir is not None:
        digest = hashlib.md5(f"{bf16}|".encode())
        for s in seqs:
            digest.update(np.asarray(s, np.int16).tobytes() + b"|")
        path = os.path.join(cache_dir, f"frozen_{digest.hexdigest()[:12]}.npy")
    return disk_cached(path, lambda: _frozen_pass(enc, seqs, bf16, batch_tokens), np.save, np.load)


def _frozen_pass(enc, seqs, bf16, batch_tokens):
    out = np.zeros((len(seqs), 1536), np.float16)
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    enc.eval()
    dev = device_of(enc)
    t0 = time.time()
    with torch.no_grad(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
        for chunk in length_batches(order, lambda i: len(seqs[i]), batch_tokens, max_batch=1024):
            ids, mask = (t.to(dev) for t in batch_ids([seqs[i] for i in chunk]))
            x2, x4 = enc.states(ids, mask)
            m = mask.unsqueeze(-1)
            den = mask.sum(1, keepdim=True).clamp(min=1)
            p4 = ((x4 * m).sum(1) / den).float()
            p2 = ((x2 * m).sum(1) / den).float()
            out[chunk] = torch.cat([enc.pool_tail(p4), p4, p2], -1).float().cpu().numpy().astype(np.float16)
    print(f"frozen features for {len(seqs)} sequences in {time.time() - t0:.0f}s", flush=True)
    return out


class Rows:
    """Training rows: rows[k] = (sequence index, start, end); targets are indexed by row."""

    def __init__(self, seqs, units):
        self.seqs = seqs  # list of piece-id lists
        self.units = units  # list of (sequence index, [(start, end, row index), ...])

    def batch(self, unit_ids):
        seqs = [self.seqs[self.units[u][0]] for u in unit_ids]
        ids, mask = batch_ids(seqs)
        S = max(len(self.units[u][1]) for u in unit_ids)
        span = torch.zeros(len(unit_ids), S, ids.shape[1])
        row = torch.full((len(unit_ids), S), -1, dtype=torch.long)
        for b, u in enumerate(unit_ids):
            for s, (a, e, r) in enumerate(self.units[u][1]):
                span[b, s, a:min(e, ids.shape[1])] = 1
                row[b, s] = r
        return ids, mask, span, row

    def epoch_batches(self, unit_ids, rng, batch_tokens):
        """Shuffled, length-bucketed batches (buckets of ~50 batches keep the padding small)."""
        units = list(unit_ids)
        rng.shuffle(units)
        length = lambda u: len(self.seqs[self.units[u][0]])
        bucket = max(1, 50 * batch_tokens // 24)
        batches = []
        for k in range(0, len(units), bucket):
            part = sorted(units[k:k + bucket], key=length)
            batches += length_batches(part, length, batch_tokens)
        rng.shuffle(batches)
        return batches


def multitask_loss(le, ls, lt, r, T):
    """Masked multitask loss of rows r; T holds the row targets, masks and weights. With teacher logits in T
    (De, Ds, Dt: train.py --distill), a share T["distill"] of the loss is the same loss against the teachers'
    outputs, on every unit of every row (labelled or not) and without the positive weight."""
    hard = _weighted_loss(le, ls, lt, r, T, T["Ye"][r], T["Me"][r], T["Ys"][r], T["Ms"][r], T["Yt"][r], T["Mt"][r], T["pos_w"], 1.0)
    if "De" not in T:
        return hard
    soft = _weighted_loss(le, ls, lt, r, T, torch.sigmoid(T["De"][r]), torch.ones_like(le), F.softmax(T["Ds"][r], -1),
                          torch.ones(len(r), device=le.device), torch.sigmoid(T["Dt"][r]), torch.ones_like(lt), None, 1e-6)
    return (1 - T["distill"]) * hard + T["distill"] * soft


def _weighted_loss(le, ls, lt, r, T, ye, me, ys, ms, yt, mt, pos_w, min_mass):
    """3 x emotion BCE + sentiment cross-entropy + tox_weight x toxicity BCE, each averaged over its masked
    units with the rows' weights. min_mass: the least divisor (labelled masks can be empty: 1, so the term is 0;
    the teachers' masks never are, and a small batch's weights may sum under 1)."""
    w = T["W"][r]
    me = me * w.unsqueeze(1)
    l_e = (F.binary_cross_entropy_with_logits(le, ye, reduction="none", pos_weight=pos_w) * me).sum() / me.sum().clamp(min=min_mass)
    ms = ms * w
    l_s = (-(ys * F.log_softmax(ls, -1)).sum(-1) * ms).sum() / ms.sum().clamp(min=min_mass)
    mt = mt * w.unsqueeze(1)
    l_t = (F.binary_cross_entropy_with_logits(lt, yt, reduction="none") * mt).sum() / mt.sum().clamp(min=min_mass)
    return 3.0 * l_e + l_s + T["tox_weight"] * l_t


def train(enc, heads, rows, train_units, T, epochs, lr_enc, lr_head, wide_decay, batch_tokens, seed, bf16=True, monitor=None,
          checkpoint=None, resume=None):
    """checkpoint(ep, state) is called after each epoch with everything a stopped run needs to go on; resume: such a
    state, whose run is continued from the epoch after it (the batch plan is rebuilt from the seed, so it is the same)."""
    rng = random.Random(seed)
    dev = device_of(enc)
    T = {k: v.to(dev) if torch.is_tensor(v) else v for k, v in T.items()}
    enc_params = list(enc.parameters())
    enc_groups = enc.param_groups()
    deep = [p for n, p in heads.named_parameters() if n != "wide"]
    opt = torch.optim.AdamW([{"params": g["params"], "weight_decay": 0.01} for g in enc_groups]
                            + [{"params": deep, "weight_decay": 1e-4},
                               {"params": [heads.wide], "weight_decay": wide_decay}], lr=lr_head)
    plan = [rows.epoch_batches(train_units, rng, batch_tokens) for _ in range(epochs)]
    total = sum(len(p) for p in plan)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[lr_enc * g["lr_scale"] for g in enc_groups] + [lr_head, lr_head],
                                                total_steps=total, pct_start=0.06)
    start = 0
    if resume is not None:
        enc.load_state_dict(resume["enc"])
        heads.load_state_dict(resume["heads"])
        opt.load_state_dict(resume["opt"])
        sched.load_state_dict(resume["sched"])
        torch.set_rng_state(resume["rng"])
        start = resume["epoch"]
        print(f"continuing after epoch {start}", flush=True)
    t0 = time.time()
    step = sum(len(p) for p in plan[:start])
    for ep in range(start, epochs):
        batches = plan[ep]
        enc.train()
        heads.train()
        tot, ntok, t_ep = 0.0, 0, time.time()
        for units in batches:
            ids, mask, span, row = rows.batch(units)
            ntok += int(mask.sum())
            ids, mask, span, row = (t.to(dev, non_blocking=True) for t in (ids, mask, span, row))
            with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
                le, ls, lt = span_logits(enc, heads, ids, mask, span)
            valid = row >= 0
            r = row[valid]
            loss = multitask_loss(le[valid].float(), ls[valid].float(), lt[valid].float(), r, T)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(enc_params, 1.0)
            opt.step()
            sched.step()
            tot += loss.detach()  # a tensor: float() here would wait for the GPU every step
            step += 1
            if step % 200 == 0:
                print(f"  step {step}/{total} ({ntok / (time.time() - t_ep):.0f} tok/s)", flush=True)
        print(f"epoch {ep + 1}/{epochs} loss {float(tot) / len(batches):.4f} ({time.time() - t0:.0f}s)", flush=True)
        if monitor is not None:
            enc.eval()
            heads.eval()
            monitor(ep)
        if checkpoint is not None:
            checkpoint(ep, {"enc": enc.state_dict(), "heads": heads.state_dict(), "opt": opt.state_dict(),
                            "sched": sched.state_dict(), "rng": torch.get_rng_state(), "epoch": ep + 1})
    enc.eval()
    heads.eval()


def predict_rows(members, seqs, seq_index, batch_tokens=16384):
    """Raw logits (numpy) of whole sequences seqs[seq_index[k]], in float32 (the exported graph's precision);
    members: [(enc, heads), ...], their logits averaged."""
    return predict_spans(members, [(seqs[i], [(0, len(seqs[i]))]) for i in seq_index], batch_tokens)


def predict_spans(members, items, batch_tokens=16384):
    """Raw logits (numpy) of token spans inside their sequences: items = [(piece ids, [(start, end), ...])],
    rows in the order of the items' spans (words in context, the way the server scores them)."""
    units, n = [], 0
    for k, (_, spans) in enumerate(items):
        units.append((k, [(a, b, n + s) for s, (a, b) in enumerate(spans)]))
        n += len(spans)
    return row_logits(members, Rows([ids for ids, _ in items], units), range(len(units)), n, batch_tokens)


def row_logits(members, rows, unit_ids, n_rows, batch_tokens=16384, bf16=False):
    """Raw logits (numpy, [n_rows, ...]) of the rows of rows.units[unit_ids], averaged over members; the rows
    of other units stay zero. bf16: bfloat16 autocast (the teacher pass of --distill), else float32."""
    out = [np.zeros((n_rows, m), np.float32) for m in members[0][1].sizes]
    dev = device_of(members[0][0])
    length = lambda u: len(rows.seqs[rows.units[u][0]])
    with torch.no_grad(), torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16):
        for chunk in length_batches(sorted(unit_ids, key=length), length, batch_tokens, max_batch=512):
            ids, mask, span, row = (t.to(dev) for t in rows.batch(chunk))
            res = ensemble_logits(members, ids, mask, span)
            valid = row >= 0
            r = row[valid].cpu().numpy()
            for o, v in zip(out, res):
                o[r] = v[valid].float().cpu().numpy()
    return tuple(out)
