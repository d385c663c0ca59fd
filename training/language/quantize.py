#!/usr/bin/python3
"""Dynamic int8 quantization of the exported language model's weight MatMuls.

  /usr/bin/python3 training/language/quantize.py models/language/language.onnx [out.onnx]

There is no onnxruntime for Python here (so no onnxruntime.quantization); this writes the pattern
with plain ONNX ops. Activations are quantized **per row** (per token), symmetric, with a fixed zero
point of 128:

  s = max(|x|, over the row) / 127;  x_u8 = Cast<uint8>(Round(x / s) + 128)
  MatMulInteger(x_u8, W_s8, 128, 0) -> int32 -> Cast float -> * s[row] * w_scale[col]

Per row, not per tensor (onnxruntime's DynamicQuantizeLinear): a per-tensor scale is taken over the
whole batch, so a text's scores would change with the other texts (and the padding) it is batched
with. Per row, every token is quantized on its own, so batching across connections stays invisible.

Weights are symmetric int8 per output column. Their range is reduced to 7 bits (+-63) because the
AVX2 u8*s8 kernel (vpmaddubsw) adds two u8*s8 products in int16 and would saturate at 8 bits;
this is what onnxruntime's quantizer calls reduce_range. Only MatMuls whose second input is a 2-D
initializer with at least MIN_ELEMENTS elements are quantized (the small classifier layer and the
attention/pooling MatMuls between activations stay float).
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

MIN_ELEMENTS = 256 * 256
W_MAX = 63.0


TINY, Q_MAX, ZERO_POINT_F, ZERO_POINT_U8 = "q_tiny", "q_max", "q_zero_point_f", "q_zero_point_u8"


def quantize(model):
    g = model.graph
    g.initializer.extend([
        numpy_helper.from_array(np.array(1e-8, np.float32), TINY),
        numpy_helper.from_array(np.array(127.0, np.float32), Q_MAX),
        numpy_helper.from_array(np.array(128.0, np.float32), ZERO_POINT_F),
        numpy_helper.from_array(np.array(128, np.uint8), ZERO_POINT_U8),
    ])
    inits = {i.name: i for i in g.initializer}
    new_nodes = []
    n_q = 0
    for node in g.node:
        w = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        if w is None or len(w.dims) != 2 or w.dims[0] * w.dims[1] < MIN_ELEMENTS or w.data_type != TensorProto.FLOAT:
            new_nodes.append(node)
            continue
        W = numpy_helper.to_array(w).astype(np.float32)
        scale = np.maximum(np.abs(W).max(axis=0), 1e-8) / W_MAX  # per output column
        Wq = np.clip(np.round(W / scale), -W_MAX, W_MAX).astype(np.int8)
        base = node.name.strip("/").replace("/", "_") or f"mm{n_q}"
        wq_name, ws_name, wzp_name = base + "_Wq", base + "_Wscale", base + "_Wzp"
        g.initializer.extend([
            numpy_helper.from_array(Wq, wq_name),
            numpy_helper.from_array(scale.astype(np.float32), ws_name),
            numpy_helper.from_array(np.zeros(W.shape[1], np.int8), wzp_name),
        ])
        x = node.input[0]
        n = lambda suffix: f"{base}_{suffix}"  # noqa: E731
        new_nodes += [
            helper.make_node("Abs", [x], [n("abs")], name=n("abs")),
            helper.make_node("ReduceMax", [n("abs")], [n("amax")], name=n("amax"), axes=[-1], keepdims=1),
            helper.make_node("Max", [n("amax"), TINY], [n("amax_safe")], name=n("amax_safe")),
            helper.make_node("Div", [n("amax_safe"), Q_MAX], [n("xscale")], name=n("xscale")),
            helper.make_node("Div", [x, n("xscale")], [n("xdiv")], name=n("xdiv")),
            helper.make_node("Round", [n("xdiv")], [n("xround")], name=n("xround")),
            helper.make_node("Add", [n("xround"), ZERO_POINT_F], [n("xshift")], name=n("xshift")),
            helper.make_node("Cast", [n("xshift")], [n("xq")], name=n("xq"), to=TensorProto.UINT8),
            helper.make_node("MatMulInteger", [n("xq"), wq_name, ZERO_POINT_U8, wzp_name], [n("acc")], name=n("mmi")),
            helper.make_node("Cast", [n("acc")], [n("accf")], name=n("accf"), to=TensorProto.FLOAT),
            helper.make_node("Mul", [n("accf"), n("xscale")], [n("rowscaled")], name=n("rowscaled")),
            helper.make_node("Mul", [n("rowscaled"), ws_name], [node.output[0]], name=n("out")),
        ]
        n_q += 1
    used = {i for n in new_nodes for i in n.input}
    keep = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(keep)
    del g.node[:]
    g.node.extend(new_nodes)
    return n_q


def main():
    src = sys.argv[1]
    dst = sys.argv[2] if len(sys.argv) > 2 else src
    model = onnx.load(src)
    n = quantize(model)
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    print(f"quantized {n} MatMuls -> {dst}")


if __name__ == "__main__":
    main()
