"""PyTorch reference for apps/bench's `ebm` suite: one PCD-1 update of a 784-500 Bernoulli RBM
(batch 100, 100 persistent chains, float32, closed-form gradients, SGD with momentum and weight
decay), timed as the TypeScript side times it. Prints one JSON object to stdout.

  python3 apps/bench/reference/ebm_ref.py [--quick] [--threads N]
"""
import argparse
import json
import statistics
import time

import torch

p = argparse.ArgumentParser()
p.add_argument('--quick', action='store_true')
p.add_argument('--threads', type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
V, H, B = 784, 500, 100
W = torch.randn(V, H) * 0.01
b = torch.zeros(V)
c = torch.zeros(H)
bufs = [torch.zeros_like(W), torch.zeros_like(b), torch.zeros_like(c)]
x = (torch.rand(B, V) < 0.13).float()
chains = x.clone()
lr, mom, wd = 0.05, 0.9, 1e-4


def step():
    global chains, W, b, c
    h = torch.bernoulli(torch.sigmoid(chains @ W + c))
    chains = torch.bernoulli(torch.sigmoid(h @ W.t() + b))
    both = torch.cat([x, chains])
    sign = torch.cat([torch.full((B, 1), -1.0 / B), torch.full((B, 1), 1.0 / B)])
    p_ = torch.sigmoid(both @ W + c) * sign
    gW = both.t() @ p_ + wd * W
    gb = -x.mean(0) + chains.mean(0)
    gc = p_.sum(0)
    for buf, g in zip(bufs, (gW, gb, gc)):
        buf.mul_(mom).add_(g)
    W = W - lr * bufs[0]
    b = b - lr * bufs[1]
    c = c - lr * bufs[2]


for _ in range(3):
    step()
reps = 20 if a.quick else 100
times = []
cpu0 = time.process_time()
for _ in range(reps):
    t = time.perf_counter()
    step()
    times.append((time.perf_counter() - t) * 1000)
cpu = (time.process_time() - cpu0) * 1000 / reps
print(json.dumps({'torch': torch.__version__, 'threads': a.threads, 'pcd_step_ms': statistics.median(times), 'pcd_step_cpu_ms': cpu}))
