#!/usr/bin/python3
"""Write a small GPT checkpoint with nothing but json and numpy, and the
logits PyTorch computes with it, for nn's tests.

    /usr/bin/python3 gen_fixture.py          # writes gpt_fixture.safetensors, gpt_fixture.json
    /usr/bin/python3 gen_fixture.py check F  # reads safetensors file F with json+numpy

The model mirrors nn.GPT (and ../../../shared/anchors/torch/a3_transformer.py):
token and learned position embeddings, pre-LN blocks
x += proj(causal_mha(ln1(x))); x += fc2(gelu(fc1(ln2(x)))), final LN and a
linear head. Parameters are random (not the GPT-2 init) so every one of them
matters, LayerNorm scales included. The tensors are written in reverse name
order, unlike gotensor's writer, to check that the reader follows offsets.
"""
import json
import math
import struct
import sys

import numpy as np

CFG = dict(vocab=7, context=8, dim=8, heads=2, layers=2, hidden=24)


def write_safetensors(path, tensors, metadata):
    header, blobs, off = {"__metadata__": metadata}, [], 0
    for name in sorted(tensors, reverse=True):
        a = np.ascontiguousarray(tensors[name], dtype="<f4")
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [off, off + a.nbytes]}
        blobs.append(a.tobytes())
        off += a.nbytes
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    out = {}
    for name, e in header.items():
        assert e["dtype"] == "F32", e
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(data[base + b:base + end], dtype="<f4").reshape(e["shape"])
    return out, meta


def params(rng):
    V, T, C, L, Hd = CFG["vocab"], CFG["context"], CFG["dim"], CFG["layers"], CFG["hidden"]
    p = {"tok.weight": rng.randn(V, C), "pos.weight": rng.randn(T, C) * 0.5}
    lin = {"attn.qkv": (3 * C, C), "attn.proj": (C, C), "mlp.fc1": (Hd, C), "mlp.fc2": (C, Hd)}
    for i in range(L):
        for ln in ("ln1", "ln2"):
            p["blocks.%d.%s.weight" % (i, ln)] = 1 + 0.2 * rng.randn(C)
            p["blocks.%d.%s.bias" % (i, ln)] = 0.1 * rng.randn(C)
        for name, (o, n) in lin.items():
            p["blocks.%d.%s.weight" % (i, name)] = rng.randn(o, n) / math.sqrt(n)
            p["blocks.%d.%s.bias" % (i, name)] = 0.1 * rng.randn(o)
    p["lnf.weight"] = 1 + 0.2 * rng.randn(C)
    p["lnf.bias"] = 0.1 * rng.randn(C)
    p["head.weight"] = rng.randn(V, C) / math.sqrt(C)
    p["head.bias"] = 0.1 * rng.randn(V)
    return {k: v.astype(np.float32) for k, v in p.items()}


def forward(p, ids):
    """Logits (B, T, V) of the model, in float64 with PyTorch."""
    import torch
    import torch.nn.functional as F
    P = {k: torch.tensor(v, dtype=torch.float64) for k, v in p.items()}
    C, H = CFG["dim"], CFG["heads"]
    ids = torch.tensor(ids)
    B, T = ids.shape
    x = P["tok.weight"][ids] + P["pos.weight"][:T]
    mask = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)
    for i in range(CFG["layers"]):
        g = lambda n: P["blocks.%d.%s" % (i, n)]
        h = F.layer_norm(x, (C,), g("ln1.weight"), g("ln1.bias"), 1e-5)
        q, k, v = F.linear(h, g("attn.qkv.weight"), g("attn.qkv.bias")).split(C, dim=2)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // H)
        att = att.masked_fill(mask, float("-inf")).softmax(dim=-1)
        o = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + F.linear(o, g("attn.proj.weight"), g("attn.proj.bias"))
        h = F.layer_norm(x, (C,), g("ln2.weight"), g("ln2.bias"), 1e-5)
        x = x + F.linear(F.gelu(F.linear(h, g("mlp.fc1.weight"), g("mlp.fc1.bias"))), g("mlp.fc2.weight"), g("mlp.fc2.bias"))
    x = F.layer_norm(x, (C,), P["lnf.weight"], P["lnf.bias"], 1e-5)
    return F.linear(x, P["head.weight"], P["head.bias"]).numpy()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        ts, meta = read_safetensors(sys.argv[2])
        out = {"metadata": meta, "tensors": {k: {"shape": list(v.shape), "sum": float(v.astype(np.float64).sum())} for k, v in ts.items()}}
        print(json.dumps(out, sort_keys=True))
        return
    rng = np.random.RandomState(2024)
    p = params(rng)
    write_safetensors("gpt_fixture.safetensors", p, {"generator": "gen_fixture.py", "format": "pt"})
    back, _ = read_safetensors("gpt_fixture.safetensors")
    assert all(np.array_equal(back[k], p[k]) for k in p)
    ids = rng.randint(0, CFG["vocab"], size=(2, CFG["context"]))
    logits = forward(p, ids)
    with open("gpt_fixture.json", "w") as f:
        json.dump({"config": CFG, "ids": ids.reshape(-1).tolist(), "batch": 2,
                   "logits": [float(x) for x in logits.reshape(-1)]}, f)


if __name__ == "__main__":
    main()
