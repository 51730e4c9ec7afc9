#!/usr/bin/python3
"""Writes golden.json: forward values and input gradients of every op in
package ops, computed by PyTorch 1.13 in float64.

Run with the system Python, which has torch (CI never needs this script):

    cd ops/testdata && /usr/bin/python3 gen_golden.py

Each case lists its op, its inputs (drawn in float32 and widened, so that Go
sees exactly the same numbers), the op's other arguments, its outputs, a random
upstream gradient for each output, and the gradient of
loss = sum_i sum(output_i * upstream_i) with respect to each input
(null for an input that takes no gradient). The Go test (golden_test.go)
rebuilds the same loss with package ops and compares.

PyTorch 1.13 returns NaN for an attention row whose keys are all masked; ops
returns zeros there. The attention cases therefore use an explicit masked
softmax (masked_softmax below), which equals torch.softmax on every row that
keeps a key (checked in this script) and gives exact zeros (and zero
gradients) on rows that keep none.
"""

import json
import math

import torch
import torch.nn.functional as F

torch.manual_seed(1234)
D = torch.float64


def rnd(*shape, lo=None, hi=None):
    """Random inputs drawn in float32 and widened to float64."""
    if lo is None:
        x = torch.randn(shape, dtype=torch.float32)
    else:
        x = torch.rand(shape, dtype=torch.float32) * (hi - lo) + lo
    return x.to(D)


def distinct(*shape):
    n = math.prod(shape)
    return (torch.randperm(n).to(D) * 0.25 - n * 0.1).reshape(shape)


def const(values, *shape):
    return torch.tensor(values, dtype=torch.float32).to(D).reshape(shape)


def enc(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


cases = []


def case(name, op, inputs, f, args=None, grad=None, tol=1e-5):
    """Records op applied to inputs; grad[i] False marks an input without a gradient."""
    grad = grad or [True] * len(inputs)
    xs = [x.clone().requires_grad_(g) for x, g in zip(inputs, grad)]
    outs = f(*xs)
    if not isinstance(outs, (tuple, list)):
        outs = [outs]
    ups = [torch.rand(o.shape, dtype=torch.float32).to(D) * 2 - 1 for o in outs]
    loss = sum((o * u).sum() for o, u in zip(outs, ups))
    gs = torch.autograd.grad(loss, [x for x in xs if x.requires_grad], allow_unused=True)
    it = iter(gs)
    grads = []
    for x in xs:
        if not x.requires_grad:
            grads.append(None)
            continue
        g = next(it)
        grads.append(enc(torch.zeros_like(x) if g is None else g))
    for o in outs:
        assert torch.isfinite(o).all(), name
    cases.append({
        "name": name, "op": op, "args": args or {}, "tol": tol,
        "inputs": [enc(x.detach()) for x in xs],
        "outputs": [enc(o.detach()) for o in outs],
        "upstream": [enc(u) for u in ups],
        "grads": grads,
    })


# arith.go
case("Add/broadcast", "Add", [rnd(2, 3), rnd(3)], torch.add)
case("Add/size1", "Add", [rnd(2, 1, 4), rnd(3, 1)], torch.add)
case("Sub", "Sub", [rnd(2, 1), rnd(1, 3)], torch.sub)
case("Mul", "Mul", [rnd(2, 3), rnd(2, 1)], torch.mul)
case("Mul/0d", "Mul", [rnd(2, 3), rnd()], torch.mul)
case("Div", "Div", [rnd(3, 2), rnd(2, lo=0.5, hi=2)], torch.div)
case("Neg", "Neg", [rnd(4)], torch.neg)
case("Pow", "Pow", [rnd(2, 3, lo=0.5, hi=2), rnd(3, lo=-1, hi=2)], torch.pow)
case("AddScalar", "AddScalar", [rnd(3)], lambda x: x + 2.5, {"s": 2.5})
case("SubScalar", "SubScalar", [rnd(3)], lambda x: x - 2.5, {"s": 2.5})
case("MulScalar/0d", "MulScalar", [rnd()], lambda x: x * -3, {"s": -3})
case("DivScalar", "DivScalar", [rnd(2, 2)], lambda x: x / 4, {"s": 4})
case("PowScalar/2", "PowScalar", [rnd(3)], lambda x: x ** 2, {"s": 2})
case("PowScalar/1.5", "PowScalar", [rnd(3, lo=0.5, hi=2)], lambda x: x ** 1.5, {"s": 1.5})
case("PowScalar/-1", "PowScalar", [rnd(3, lo=0.5, hi=2)], lambda x: x ** -1, {"s": -1})
# matmul.go
case("MatMul", "MatMul", [rnd(3, 4), rnd(4, 5)], torch.matmul)
case("MatMul/broadcast", "MatMul", [rnd(2, 1, 3, 4), rnd(3, 4, 2)], torch.matmul)
case("MatMul/size1", "MatMul", [rnd(1, 6), rnd(6, 1)], torch.matmul)
case("Linear", "Linear", [rnd(2, 3, 6), rnd(4, 6), rnd(4)], F.linear)
case("Linear/nobias", "Linear", [rnd(5, 6), rnd(3, 6)], F.linear)
# unary.go
case("Exp", "Exp", [rnd(2, 3)], torch.exp)
case("Exp/0d", "Exp", [rnd()], torch.exp)
case("Log", "Log", [rnd(2, 3, lo=0.2, hi=3)], torch.log)
case("Sqrt", "Sqrt", [rnd(2, 3, lo=0.2, hi=3)], torch.sqrt)
case("Tanh", "Tanh", [rnd(2, 3)], torch.tanh)
case("Sigmoid", "Sigmoid", [const([-30, -1, 0, 0.5, 2, 30], 2, 3)], torch.sigmoid)
# Exact zeros: PyTorch's ReLU has gradient 0 there, and so does ops.
case("ReLU/zeros", "ReLU", [const([-1, 0, 2, 0, -0.5, 3], 2, 3)], torch.relu)
case("LeakyReLU", "LeakyReLU", [const([-1, 0, 2, 0, -0.5, 3], 6)], lambda x: F.leaky_relu(x, 0.1), {"s": 0.1})
case("GELU", "GELU", [rnd(2, 4) * 2], F.gelu)
case("GELUTanh", "GELUTanh", [rnd(2, 4) * 2], lambda x: F.gelu(x, approximate="tanh"))
# reduce.go
case("Sum", "Sum", [rnd(2, 3, 4)], lambda x: x.sum(1), {"axis": 1})
case("Sum/keepdim", "Sum", [rnd(2, 3)], lambda x: x.sum(-1, keepdim=True), {"axis": -1, "keepdim": True})
case("Mean", "Mean", [rnd(3, 2)], lambda x: x.mean(0), {"axis": 0})
case("Mean/size1", "Mean", [rnd(3, 1)], lambda x: x.mean(1, keepdim=True), {"axis": 1, "keepdim": True})
case("SumAll", "SumAll", [rnd(2, 3)], torch.sum)
case("SumAll/0d", "SumAll", [rnd()], torch.sum)
case("MeanAll", "MeanAll", [rnd(4, 3)], torch.mean)
case("Max", "Max", [distinct(2, 4, 3)], lambda x: x.max(1).values, {"axis": 1})
case("Max/keepdim", "Max", [distinct(3, 4)], lambda x: x.max(-1, keepdim=True).values, {"axis": -1, "keepdim": True})
# shape.go
case("Reshape", "Reshape", [rnd(2, 3, 2)], lambda x: x.reshape(3, 4), {"shape": [3, 4]})
case("Transpose", "Transpose", [rnd(2, 3, 4)], lambda x: x.transpose(-1, -2))
case("Permute", "Permute", [rnd(2, 3, 4)], lambda x: x.permute(2, 0, 1), {"axes": [2, 0, 1]})
case("Concat", "Concat", [rnd(2, 1, 3), rnd(2, 2, 3)], lambda a, b: torch.cat([a, b], 1), {"axis": 1})
case("Split", "Split", [rnd(2, 5)], lambda x: torch.split(x, [2, 3], -1), {"axis": -1, "sizes": [2, 3]})
case("Slice", "Slice", [rnd(2, 4, 2)], lambda x: x[:, 1:3], {"axis": 1, "start": 1, "end": 3})
case("Gather", "Gather", [rnd(3, 2, 2)], lambda x: x[[2, 0, 2]], {"idx": [2, 0, 2]})
case("Embedding/repeated", "Embedding", [rnd(5, 3)], lambda t: F.embedding(torch.tensor([1, 4, 1, 1, 0]), t), {"idx": [1, 4, 1, 1, 0]})
# softmax.go
case("Softmax", "Softmax", [rnd(3, 5)], lambda x: torch.softmax(x, -1), {"axis": -1})
case("Softmax/axis0", "Softmax", [rnd(3, 2, 2)], lambda x: torch.softmax(x, 0), {"axis": 0})
case("Softmax/huge", "Softmax", [const([1e4, -1e4, 1e4 - 1, 0, -1e4, -1e4 + 2], 2, 3)], lambda x: torch.softmax(x, -1), {"axis": -1})
case("LogSoftmax", "LogSoftmax", [rnd(2, 3, 4)], lambda x: torch.log_softmax(x, 1), {"axis": 1})
case("LogSoftmax/huge", "LogSoftmax", [const([1e4, -1e4, 1e4 - 1, 0, -1e4, -1e4 + 2], 2, 3)], lambda x: torch.log_softmax(x, -1), {"axis": -1})
# loss.go


def ce(targets, ignore=-100, smoothing=0.0):
    return lambda x: F.cross_entropy(x.reshape(-1, x.shape[-1]), torch.tensor(targets), ignore_index=ignore, label_smoothing=smoothing)


case("CrossEntropy", "CrossEntropy", [rnd(4, 5)], ce([1, 0, 4, 2]), {"targets": [1, 0, 4, 2]})
case("CrossEntropy/huge", "CrossEntropy", [const([1e4, -1e4, 0, -1e4, 1e4, 1e4], 2, 3)], ce([0, 2]), {"targets": [0, 2]})
case("CrossEntropy/ignore+smoothing", "CrossEntropy", [rnd(4, 5)], ce([1, -100, 4, 2], smoothing=0.1),
     {"targets": [1, -100, 4, 2], "smoothing": 0.1})
case("CrossEntropy/ignore3+3d", "CrossEntropy", [rnd(2, 3, 4)], ce([3, 0, 1, 3, 2, 2], ignore=3, smoothing=0.2),
     {"targets": [3, 0, 1, 3, 2, 2], "ignore": 3, "smoothing": 0.2})
case("BCEWithLogits", "BCEWithLogits", [const([-30, -1, 0, 0.5, 2, 30], 2, 3), rnd(2, 3, lo=0, hi=1)],
     F.binary_cross_entropy_with_logits)
case("MSE", "MSE", [rnd(2, 3), rnd(2, 3)], F.mse_loss)
# similarity.go
case("CosineSimilarity", "CosineSimilarity", [rnd(6), rnd(6)], lambda a, b: F.cosine_similarity(a, b, 0))
case("CosineSimilarity/zero", "CosineSimilarity", [torch.zeros(3, dtype=D), rnd(3)], lambda a, b: F.cosine_similarity(a, b, 0))
case("PairwiseCosine", "PairwiseCosine", [rnd(3, 4), rnd(2, 4)],
     lambda a, b: F.cosine_similarity(a[:, None, :], b[None, :, :], -1))
# norm.go
case("LayerNorm", "LayerNorm", [rnd(2, 3, 6), rnd(6), rnd(6)], lambda x, w, b: F.layer_norm(x, (6,), w, b, 1e-5), {"eps": 1e-5})
case("LayerNorm/plain", "LayerNorm", [(rnd(4, 5) * 3 + 1).float().to(D)], lambda x: F.layer_norm(x, (5,), None, None, 1e-5), {"eps": 1e-5})
# dropout.go: only the identity can be compared, since PyTorch's masks come
# from its own generator; dropout_test.go checks masks.
case("Dropout/eval", "Dropout", [rnd(2, 3)], lambda x: F.dropout(x, 0.5, training=False), {"s": 0.5})


# attention.go
def masked_softmax(s, keep):
    m = s.masked_fill(~keep, -math.inf).amax(-1, keepdim=True)
    m = torch.where(torch.isfinite(m), m, torch.zeros_like(m)).detach()
    e = torch.exp(s - m) * keep
    den = e.sum(-1, keepdim=True)
    return e / torch.where(den == 0, torch.ones_like(den), den)


def attention(mask=None, causal=False):
    def f(q, k, v):
        s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
        keep = torch.ones(s.shape, dtype=torch.bool)
        if mask is not None:
            keep = keep & (mask != 0)
        if causal:
            keep = keep & torch.ones(s.shape[-2:], dtype=torch.bool).tril()
        w = masked_softmax(s, keep)
        ref = torch.softmax(s.masked_fill(~keep, -math.inf), -1)  # PyTorch itself
        rows = keep.any(-1, keepdim=True).expand_as(w)
        assert torch.allclose(w[rows], ref[rows], atol=1e-12), "masked_softmax differs from torch.softmax"
        assert torch.isnan(ref[~rows]).all(), "PyTorch no longer gives NaN on fully masked rows"
        return w @ v, w
    return f


case("Attention", "Attention", [rnd(2, 3, 4), rnd(2, 5, 4), rnd(2, 5, 3)], attention())
case("Attention/causal", "Attention", [rnd(1, 2, 4, 3), rnd(1, 2, 4, 3), rnd(1, 2, 4, 2)], attention(causal=True), {"causal": True})
pad = const([1, 1, 1, 0, 0, 0, 0, 0], 2, 1, 1, 4)  # batch 1 is all padding: every row fully masked
case("Attention/padding", "Attention", [rnd(2, 2, 3, 4), rnd(2, 2, 4, 4), rnd(2, 2, 4, 3)], attention(mask=pad),
     {"mask": enc(pad)})
rowmask = const([0, 0, 0, 1, 1, 0, 1, 1, 1], 3, 3)  # query 0 keeps no key
case("Attention/maskedrow+causal", "Attention", [rnd(3, 4), rnd(3, 4), rnd(3, 4)], attention(mask=rowmask, causal=True),
     {"mask": enc(rowmask), "causal": True})


# mha.go: heads split from a packed (B, T, 3C) projection and merged back.
def mhsa(heads, mask=None, causal=False):
    def f(qkv):
        B, T, C = qkv.shape[0], qkv.shape[1], qkv.shape[2] // 3
        q, k, v = (x.reshape(B, T, heads, C // heads).transpose(1, 2) for x in qkv.split(C, -1))
        out, _ = attention(mask=mask, causal=causal)(q, k, v)
        return out.transpose(1, 2).reshape(B, T, C)
    return f


case("MultiHeadSelfAttention/causal", "MultiHeadSelfAttention", [rnd(2, 5, 12)], mhsa(2, causal=True),
     {"heads": 2, "causal": True})
headpad = const([1, 1, 0, 0, 0, 0], 2, 1, 1, 3)  # batch 0 drops key 2; batch 1 is all padding
case("MultiHeadSelfAttention/padding", "MultiHeadSelfAttention", [rnd(2, 3, 18)], mhsa(3, mask=headpad),
     {"heads": 3, "mask": enc(headpad)})

with open("golden.json", "w") as fh:
    json.dump({"torch": torch.__version__, "cases": cases}, fh, separators=(",", ":"))
print(len(cases), "cases")
