"""Python mirror of the SentencePiece-unigram tokenizer in @energetic-ai/embeddings@0.2.0
(dist/index.js: processInput, Trie, Tokenizer.encode). Mirrors every quirk:

* text -> NFKC; if non-empty, prefix U+2581 and replace every U+0020 space with U+2581
  (other whitespace is kept as-is and usually becomes <unk>);
* symbols are Unicode code points;
* vocab pieces 0..5 (<unk>, <s>, </s>, extra ids) are reserved and never matched;
  a duplicated piece keeps the LAST index (trie insertion overwrites);
* a position with no matching piece yields one unknown symbol with score 0 and id 0;
* Viterbi: ends processed left to right, candidates by ascending start, then by ascending
  length; a candidate wins when best[end] == 0 or score >= best[end] (ties -> later);
* backtracking steps back by the UTF-16 length of the piece string (JS String.length);
* consecutive <unk> ids are collapsed into one.

The ids are the row indices of the embedding table module/Embeddings_en (no offset).
"""
import json
import os
import unicodedata

SEP = "\u2581"
RESERVED = 6


def default_vocab_path():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "node_modules", "@energetic-ai", "model-embeddings-en", "dist", "vocab.json")


def _u16len(s):
    return len(s.encode("utf-16-le")) // 2


class Tokenizer:
    def __init__(self, vocab_path=None):
        vocab_path = vocab_path or default_vocab_path()
        with open(vocab_path, encoding="utf-8") as f:
            self.vocab = json.load(f)
        # trie as dict: piece(str) -> (score, index); plus prefix set for early stop
        self.pieces = {}
        self.maxlen = 0
        for i in range(RESERVED, len(self.vocab)):
            p, s = self.vocab[i]
            self.pieces[p] = (float(s) if s is not None else 0.0, i)  # JS: null + x == x
            self.maxlen = max(self.maxlen, len(p))
        self.prefixes = set()
        for p in self.pieces:
            for k in range(1, len(p) + 1):
                self.prefixes.add(p[:k])
        self.u16 = [_u16len(p) for p, _ in self.vocab]

    @staticmethod
    def process_input(text):
        n = unicodedata.normalize("NFKC", text)
        return SEP + n.replace(" ", SEP) if len(n) > 0 else n

    def encode(self, text):
        s = self.process_input(text)
        L = len(s)  # Python str indexes by code point == JS for...of symbols
        nodes = [dict() for _ in range(L + 1)]  # end -> {start: [(len, score, idx)]}
        prefixes, pieces, maxlen = self.prefixes, self.pieces, self.maxlen
        for i in range(L):
            matches = []
            for k in range(1, min(maxlen, L - i) + 1):
                sub = s[i:i + k]
                if sub not in prefixes:
                    break
                hit = pieces.get(sub)
                if hit is not None:
                    matches.append((k, hit[0], hit[1]))
            if not matches:
                matches.append((1, 0.0, 0))
            for (k, sc, idx) in matches:
                nodes[i + k].setdefault(i, []).append((k, sc, idx))
        best = [0.0] * (L + 1)
        words = [0] * (L + 1)
        for end in range(L + 1):
            for start in sorted(nodes[end].keys()):
                for (k, sc, idx) in nodes[end][start]:
                    score = sc + best[end - k]
                    if best[end] == 0 or score >= best[end]:
                        best[end] = score
                        words[end] = idx
        results = []
        it = len(words) - 1
        while it > 0:
            results.append(words[it])
            it -= self.u16[words[it]]
        merged = []
        prev_unk = False
        for idx in results:
            if not (prev_unk and idx == 0):
                merged.append(idx)
            prev_unk = idx == 0
        merged.reverse()
        return merged

    def encode_words(self, text):
        """Tokenize and also return, per token, the index of the whitespace-separated word it
        belongs to (words = maximal runs between U+2581 boundaries)."""
        return self.encode(text)
