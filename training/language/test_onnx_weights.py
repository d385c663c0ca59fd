#!/usr/bin/python3
"""A one-member graph read back as weights (onnx_weights.py) is that graph's model.

Run:  /usr/bin/python3 training/language/test_onnx_weights.py <dir>/language.onnx
with the run's config.json beside the graph, and its onnx_reference.json too unless the graph is the one the
committed fixture was written for (the rule check_onnx.mjs follows). The shipped graph has two members from v4.3 on,
so check v4.2's:
  mkdir -p /tmp/v42 && for f in language.onnx config.json; do git show 4cc4fbe:models/language/$f > /tmp/v42/$f; done
  git show 4cc4fbe:training/language/fixtures/onnx_reference.json > /tmp/v42/onnx_reference.json
Checks (1) quantizing the read-back weights again (quantize.py's rule) gives the graph's int8 weights and scales;
(2) the read-back member, with the graph's own calibration, scores the export's reference cases (written by the
float32 network before quantization) within TOLERANCE, the bound check_onnx.mjs holds the int8 graph to. Exits 0 on
success, 1 on failure.
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from quantize import W_MAX  # noqa: E402
from onnx_weights import ENCODER, HEADS  # noqa: E402
from train import Heads, LanguageModel, load_members  # noqa: E402

TOLERANCE = 0.1


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    graph = onnx.load(path).graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    [(enc, heads)] = load_members([path], False)
    failures = []

    state = {f"{ENCODER}.{k}": v for k, v in enc.state_dict().items()} | {f"{HEADS}.{k}": v for k, v in heads.state_dict().items()}
    n_int8 = 0
    for name in (n for n in inits if n.endswith("_Wq")):
        base = name[: -len("_Wq")]
        module = base[: -len("_MatMul")].replace(f"{HEADS}_", f"{HEADS}.", 1)
        key = (module if module.startswith(HEADS) else f"{ENCODER}.{module.replace('_', '.')}") + ".weight"
        w = state[key].numpy().T
        scale = np.maximum(np.abs(w).max(axis=0), 1e-8) / W_MAX
        wq = np.clip(np.round(w / scale), -W_MAX, W_MAX).astype(np.int8)
        if not np.array_equal(wq, inits[name]) or not np.allclose(scale, inits[base + "_Wscale"], rtol=1e-6, atol=0):
            failures.append(f"{key}: quantized again, it is not the graph's int8 weight")
        n_int8 += 1

    config = json.load(open(os.path.join(os.path.dirname(path), "config.json")))
    cal = {k: inits[k].tolist() for k in ("emo_a", "emo_b", "tox_a", "tox_b", "low_stretch")}
    cal["sent_t"] = config["metrics_dev"]["sentiment_temperature"]
    model = LanguageModel([(enc, heads)], cal).eval()
    worst = 0.0
    beside = os.path.join(os.path.dirname(path), "onnx_reference.json")
    for case in json.load(open(beside if os.path.exists(beside) else os.path.join(HERE, "fixtures", "onnx_reference.json"))):
        with torch.no_grad():
            got = model(torch.tensor(case["token_ids"]), torch.tensor(case["token_mask"], dtype=torch.float32),
                        torch.tensor(case["span_mask"], dtype=torch.float32))
        for name, out in zip(("emotions", "sentiment", "toxicity"), got):
            worst = max(worst, float(np.abs(out.numpy() - np.array(case[name], np.float32)).max()))
    if worst > TOLERANCE:
        failures.append(f"read-back member vs the float32 reference: max difference {worst:.4f} > {TOLERANCE}")
    print(f"{n_int8} int8 weights quantize back exactly; read-back member vs the float32 reference: max difference {worst:.4f}")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
