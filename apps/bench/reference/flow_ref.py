"""PyTorch reference for apps/bench's `flow` suite: the same RealNVP on 2-D data (8 affine
couplings with alternating masks, conditioner MLP 2 -> 64 -> 64 -> 4 with ReLU and a zero-init
last layer, log-scale soft clamp s = 3 tanh(a/3), N(0, I) base) trained with Adam on batches of
512, timed the same way as ours: a fixed pool of batches drawn beforehand, the median of
per-step wall times. Prints one JSON object to stdout.

  python3 apps/bench/reference/flow_ref.py [--quick] [--threads N]
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn

from timing import median_ms

LAYERS, HIDDEN, BATCH, CLAMP = 8, 64, 512, 3.0


class AffineCoupling(nn.Module):
    def __init__(self, parity):
        super().__init__()
        self.register_buffer('mask', torch.tensor([1.0, 0.0] if parity == 0 else [0.0, 1.0]))
        self.net = nn.Sequential(nn.Linear(2, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 4))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def inverse(self, y):
        """data -> noise: x = (y - t) exp(-s) on the free coordinate, log|det| = -sum s."""
        kept = y * self.mask
        p = self.net(kept).view(-1, 2, 2)  # [N, (s, t), D]
        s = CLAMP * torch.tanh(p[:, 0] / CLAMP)
        t = p[:, 1]
        free = 1 - self.mask
        x = kept + (y - t) * torch.exp(-s) * free
        return x, -(s * free).sum(1)


class RealNVP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(AffineCoupling(i % 2) for i in range(LAYERS))

    def log_prob(self, x):
        total = torch.zeros(x.shape[0])
        for layer in reversed(self.layers):
            x, ld = layer.inverse(x)
            total = total + ld
        base = -0.5 * (x ** 2).sum(1) - math.log(2 * math.pi)
        return base + total


def eight_gaussians(n, g):
    s = math.sqrt(0.5)
    unit = torch.tensor([[1, 0], [-1, 0], [0, 1], [0, -1], [s, s], [s, -s], [-s, s], [-s, -s]])
    k = torch.randint(0, 8, (n,), generator=g)
    return (4 * unit[k] + 0.5 * torch.randn(n, 2, generator=g)) / 1.414


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--threads', type=int, default=min(2, os.cpu_count() or 1))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    model = RealNVP()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=False)
    pool = [eight_gaussians(BATCH, g) for _ in range(16)]
    it = [0]

    def step():
        x = pool[it[0] % len(pool)]
        it[0] += 1
        loss = -model.log_prob(x).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    for _ in range(5):
        step()
    cpu0 = time.process_time()
    it0 = it[0]
    ms = median_ms(step, warmup=0, min_reps=20, budget_ms=1500 if a.quick else 6000, max_reps=2000)
    cpu_ms = (time.process_time() - cpu0) * 1000 / (it[0] - it0)
    print(json.dumps({'torch': torch.__version__, 'threads': a.threads, 'train_ms_per_iter': ms, 'train_cpu_ms_per_iter': cpu_ms, 'steps': it[0] - it0}))


if __name__ == '__main__':
    main()
