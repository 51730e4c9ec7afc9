#!/usr/bin/python3
"""Recomputes the numbers that ops/example_test.go prints, with NumPy in
float64, to cross-check the examples' // Output: lines (run by hand:
/usr/bin/python3 check_examples.py)."""

import numpy as np

sig = lambda z: 1 / (1 + np.exp(-z))
W1 = np.array([[0.2, -0.5, 0.1], [0.7, 0.3, -0.2], [-0.4, 0.6, 0.5], [0.1, 0.1, 0.1]])
b1 = np.array([0.1, -0.1, 0, 0.2])
W2 = np.array([[0.5, -0.3, 0.2, 0.1], [-0.6, 0.4, 0.3, 0.2], [0.1, 0.2, -0.5, 0.4], [0.3, 0.3, 0.3, -0.3]])
b2 = np.array([0, 0.1, -0.1, 0])
W3 = np.array([[1, -1, 0.5, 0.5], [-0.5, 0.5, 1, -1]])
b3 = np.array([0.05, -0.05])
f4 = lambda xs: " ".join("%.4f" % v for v in np.ravel(xs))

print("Example_layers")
x = np.array([1, 0.5, -1])
h1 = sig(W1 @ x + b1); h2 = sig(W2 @ h1 + b2); y = sig(W3 @ h2 + b3)
print("h1:", f4(h1)); print("h2:", f4(h2)); print("y:", f4(y))

print("Example_batch")
t = np.arange(100) / 99
X = np.stack([t, 1 - t, np.full(100, 0.5)], 1)
Y = sig(sig(sig(X @ W1.T + b1) @ W2.T + b2) @ W3.T + b3)
for i in (0, 50, 99):
    print("Y[%d] = %s" % (i, f4(Y[i])))

print("Example_backprop")
x = np.array([[1, 2], [-1, 0.5], [0.5, -1]]); tg = np.array([[1], [0], [1]])
V1 = np.array([0.5, -0.2, 0.3, 0.8, -0.6, 0.1]).reshape(3, 2); c1 = np.array([0.1, 0, -0.1])
V2 = np.array([[0.7, -0.4, 0.9]]); c2 = np.array([0.2])
z1 = x @ V1.T + c1; h = np.maximum(z1, 0); y = sig(h @ V2.T + c2)
print("loss %.4f" % np.mean((y - tg) ** 2))
dy = 2 * (y - tg) / y.size; dz2 = dy * y * (1 - y)
dW2 = dz2.T @ h; dc2 = dz2.sum(0); dh = dz2 @ V2; dz1 = dh * (z1 > 0); dW1 = dz1.T @ x; dc1 = dz1.sum(0)
for n, g in (("dW1", dW1), ("dc1", dc1), ("dW2", dW2), ("dc2", dc2)):
    print(n, "[" + f4(g) + "]")

print("ExampleCosineSimilarity")
v = {"king": [0.9, 0.8, 0.1, 0.0], "queen": [0.9, 0.1, 0.8, 0.0], "man": [0.1, 0.9, 0.1, 0.1],
     "woman": [0.1, 0.1, 0.9, 0.1], "apple": [0.0, 0.1, 0.1, 0.9]}
v = {k: np.array(x) for k, x in v.items()}
cos = lambda a, b: a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
print("king-queen %.4f" % cos(v["king"], v["queen"]))
print("king-apple %.4f" % cos(v["king"], v["apple"]))
a = v["king"] - v["man"] + v["woman"]
best = max(v, key=lambda w: cos(a, v[w]))
print("king - man + woman ≈ %s (%.4f)" % (best, cos(a, v[best])))
for w in v:
    print("   ", w, "%.4f" % cos(a, v[w]))

print("ExampleCrossEntropy")
z = np.array([2, 1, 0.5]); p = np.exp(z - z.max()); p /= p.sum()
print("softmax:", f4(p)); print("cross-entropy for class 0: %.4f = -log %.4f" % (-np.log(p[0]), p[0]))

print("ExampleScaledDotProductAttention")
q = np.array([[1, 0], [0, 1], [1, 1]]); k = np.array([[1, 0], [0, 1], [-1, 0]]); vv = np.array([[1, 2], [3, 4], [5, 6]])
for causal in (False, True):
    s = q @ k.T / np.sqrt(2)
    if causal:
        s = np.where(np.tril(np.ones((3, 3))) > 0, s, -np.inf)
    w = np.exp(s - s.max(1, keepdims=True)); w /= w.sum(1, keepdims=True)
    o = w @ vv
    print("causal:", str(causal).lower())
    for i in range(3):
        print("  weights %s (sum %.4f) -> out %s" % (f4(w[i]), w[i].sum(), f4(o[i])))
