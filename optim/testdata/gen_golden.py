#!/usr/bin/python3
"""Generate golden optimizer trajectories with PyTorch for optim's tests.

Run from this folder with the Python that has torch (1.13 here):

    /usr/bin/python3 gen_golden.py > golden.json

Every case starts from the same four parameters, of shapes (2, 3), (4,),
(3,) and (37,), and feeds the same 5 gradients; the third parameter has no
gradient (grad None) at step 2, so it must be skipped there. The fourth is
long enough for gotensor's vector kernels (32 elements, then 5 in the
scalar loop) and has gradients of order 1e4, where rounding differences
show. The learning rate changes at step 3, as a schedule would change it.
After each step the parameters are recorded; after the last one, the
optimizer's state. Values are float32, written as the float64 equal to
each, so they read back exactly.

PyTorch's CPU kernels round as its build dictates: on an AVX2 build (this
one; the file records the capability) add(other, alpha) and addcmul fuse
their multiply and add, and gotensor's optimizers do the same, so the
trajectories match bit for bit.
"""
import json

import numpy as np
import torch

STEPS = 5
SHAPES = [(2, 3), (4,), (3,), (37,)]
GRAD_SCALE = [1, 1, 1, 1e4]
rng = np.random.RandomState(1234)
init = [rng.randn(*s).astype(np.float32) for s in SHAPES]
grads = [[(rng.randn(*s) * c).astype(np.float32) for s, c in zip(SHAPES, GRAD_SCALE)] for _ in range(STEPS)]
grads[2][2] = None
capability = next((line.split(":")[1].strip() for line in torch.__config__.show().splitlines()
                   if "CPU capability usage" in line), "unknown")


def flat(t):
    return [float(x) for x in np.asarray(t, dtype=np.float32).reshape(-1)]


CASES = [
    ("sgd", "SGD", dict(lr=0.1)),
    ("sgd_wd", "SGD", dict(lr=0.1, weight_decay=0.05)),
    ("sgd_momentum", "SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("sgd_nesterov", "SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.001)),
    ("adam", "Adam", dict(lr=1e-2)),
    ("adam_wd", "Adam", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("adamw", "AdamW", dict(lr=1e-2, weight_decay=0.1)),
    ("adamw_gpt", "AdamW", dict(lr=1e-3, betas=(0.9, 0.95), weight_decay=0.01)),
]
LRS_SCALE = [1, 1, 1, 0.5, 0.5]


def run(cls, cfg):
    ps = [torch.nn.Parameter(torch.from_numpy(x.copy())) for x in init]
    opt = getattr(torch.optim, cls)(ps, **cfg)
    lrs, traj = [], []
    for k in range(STEPS):
        lr = cfg["lr"] * LRS_SCALE[k]
        for group in opt.param_groups:
            group["lr"] = lr
        lrs.append(lr)
        for p, g in zip(ps, grads[k]):
            p.grad = None if g is None else torch.from_numpy(g.copy())
        opt.step()
        traj.append([flat(p.detach().numpy()) for p in ps])
    state = {}
    for i, p in enumerate(ps):
        for name, t in opt.state[p].items():
            if torch.is_tensor(t):
                state["%d.%s" % (i, name)] = flat(t.detach().numpy())
    return lrs, traj, state


cases = []
for name, cls, cfg in CASES:
    lrs, traj, state = run(cls, cfg)
    config = {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items()}
    cases.append(dict(name=name, optimizer=cls, config=config, lrs=lrs, params=traj, state=state))

clips = []
for name, max_norm in [("clipped", 1.0), ("unclipped", 100.0), ("zero", 0.0)]:
    ps = [torch.nn.Parameter(torch.from_numpy(x.copy())) for x in init]
    for p, g in zip(ps, grads[2]):
        p.grad = None if g is None else torch.from_numpy(g.copy())
    norm = torch.nn.utils.clip_grad_norm_(ps, max_norm)
    clips.append(dict(name=name, max_norm=max_norm, norm=float(norm),
                      grads=[None if p.grad is None else flat(p.grad.numpy()) for p in ps]))

out = dict(
    torch_version=torch.__version__,
    cpu_capability=capability,
    shapes=[list(s) for s in SHAPES],
    init=[flat(x) for x in init],
    grads=[[None if g is None else flat(g) for g in gs] for gs in grads],
    cases=cases,
    clip=dict(grads=[None if g is None else flat(g) for g in grads[2]], cases=clips),
)
print(json.dumps(out))
