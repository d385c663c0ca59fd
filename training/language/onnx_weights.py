"""A shipped language graph read back as a finetuned.pt member, so `train.py --resume language.onnx` can start
from the committed model when the run's own checkpoint is gone.

The graph keeps every weight the PyTorch member has, in three forms: plain initializers named by their module
path (biases, layer norms, the heads' wide table, mu and sd), the embedding table in float16
(`Fp16Embedding`), and the weight MatMuls as int8 with one scale per output column (quantize.py), or float32
where they were too small to quantize. Read back, the int8 weights are the quantized values times their scale:
quantizing them again gives the shipped int8 weights exactly, so the member is the shipped model, not the
float32 network it was exported from.

Only a graph of one USE-lite member is read (v4.2 and earlier); a graph with a GloVe member is refused.
"""
import numpy as np
import onnx
import torch
from onnx import numpy_helper

from use_model import USELite

ENCODER, HEADS = "encs.0", "heads.0"  # the single member's module paths in the exported LanguageModel


def _linear_weight(inits, matmul_weight, prefix, module):
    """nn.Linear weight [out, in] of `module` (e.g. "att0.qkv"), from its int8 or float MatMul."""
    flat = module.replace(".", "_")
    # torch names a quantized encoder MatMul without the member's path (the encoder runs through span_features,
    # not forward), the heads' with it
    for base in (f"{flat}_MatMul", f"{prefix}_{flat}_MatMul"):
        if base + "_Wq" in inits:
            w = inits[base + "_Wq"].astype(np.float32) * inits[base + "_Wscale"][None, :]
            return w.T
    node = f"/{prefix}/{module.replace('.', '/')}/MatMul"
    if node in matmul_weight:
        return inits[matmul_weight[node]].T
    raise KeyError(f"no MatMul for {prefix}.{module} in the graph")


def _value(inits, matmul_weight, prefix, key):
    if f"{prefix}.{key}" in inits:
        return inits[f"{prefix}.{key}"]
    if key == "emb.weight":
        return inits[f"{prefix}.emb.w16"].astype(np.float32)
    if key.endswith(".weight"):
        return _linear_weight(inits, matmul_weight, prefix, key[: -len(".weight")])
    raise KeyError(f"{prefix}.{key} is not in the graph")


def member_from_onnx(path, heads_template):
    """finetuned.pt-style state {"enc", "heads", "kind"} of the graph's one USE-lite member. heads_template(hidden)
    -> an untrained Heads module, whose state dict names the keys to fill."""
    graph = onnx.load(path).graph
    if any(i.name.startswith("glove") for i in graph.input) or any(i.name.startswith("encs.1.") for i in graph.initializer):
        raise ValueError(f"{path}: only a graph of one USE-lite member can be read back as weights")
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    matmul_weight = {n.name: n.input[1] for n in graph.node if n.op_type == "MatMul" and n.input[1] in inits}
    hidden = inits[f"{HEADS}.l1.bias"].shape[0]
    state = {}
    for prefix, module in ((ENCODER, USELite()), (HEADS, heads_template(hidden))):
        template = module.state_dict()
        values = {k: torch.tensor(np.array(_value(inits, matmul_weight, prefix, k)), dtype=v.dtype)
                  for k, v in template.items()}
        for k, v in values.items():
            if v.shape != template[k].shape:
                raise ValueError(f"{path}: {prefix}.{k} has shape {tuple(v.shape)}, the member {tuple(template[k].shape)}")
        state["enc" if prefix == ENCODER else "heads"] = values
    state["kind"] = "use"
    return state
