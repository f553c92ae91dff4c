"""PyTorch reference for apps/bench's `vae` suite: the same 784-400-20 MLP VAE as the TS side
(ReLU; encoder head split into mean and softplus(.) + 1e-4 scale; Bernoulli decoder on logits;
analytic KL to N(0, I); torch's default Linear init, which @likelihood/nn's Linear copies), Adam
lr 1e-3, batch 128, on dynamically binarised MNIST (each batch x ~ Bernoulli(pixel / 255)).
Times every step of one epoch (or the first --steps steps) and prints one JSON object.

  python3 apps/bench/reference/vae_ref.py --images <train-images-idx3-ubyte[.gz]> [--threads N] [--steps N]
"""
import argparse
import gzip
import json
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class VAE(nn.Module):
    def __init__(s, d=784, h=400, latent=20):
        super().__init__()
        s.latent = latent
        s.enc = nn.Sequential(nn.Linear(d, h), nn.ReLU(), nn.Linear(h, 2 * latent))
        s.dec = nn.Sequential(nn.Linear(latent, h), nn.ReLU(), nn.Linear(h, d))

    def loss(s, x):
        hq = s.enc(x)
        mu, scale = hq[:, :s.latent], F.softplus(hq[:, s.latent:]) + 1e-4
        z = mu + scale * torch.randn_like(mu)
        logits = s.dec(z)
        rec = -F.binary_cross_entropy_with_logits(logits, x, reduction='none').sum(1)
        kl = 0.5 * (scale.square() + mu.square() - 1 - 2 * scale.log()).sum(1)
        return (kl - rec).mean()


def load_images(path):
    raw = gzip.open(path).read() if path.endswith('.gz') else open(path, 'rb').read()
    n, rows, cols = (int.from_bytes(raw[i:i + 4], 'big') for i in (4, 8, 12))
    return torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols).astype(np.float32) / 255)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--images', required=True)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--steps', type=int, default=0, help='time only the first N steps (0: the whole epoch)')
    ap.add_argument('--batch', type=int, default=128)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    data = load_images(a.images)
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=False)

    def step(idx):
        x = torch.bernoulli(data[idx])
        loss = model.loss(x)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    n = data.shape[0]
    for _ in range(3):  # warm-up
        step(torch.randint(n, (a.batch,)))
    order = torch.randperm(n)
    batches = [order[i:i + a.batch] for i in range(0, n, a.batch)]
    if a.steps:
        batches = batches[:a.steps]
    times = []
    cpu0 = time.process_time()
    t_epoch = time.perf_counter()
    for idx in batches:
        t0 = time.perf_counter()
        loss = step(idx)
        times.append((time.perf_counter() - t0) * 1000)
    epoch_ms = (time.perf_counter() - t_epoch) * 1000
    cpu_ms = (time.process_time() - cpu0) * 1000
    print(json.dumps({
        'torch': torch.__version__,
        'threads': a.threads,
        'steps': len(batches),
        'steps_per_epoch': -(-n // a.batch),
        'step_ms_median': statistics.median(times),
        'step_cpu_ms': cpu_ms / len(batches),
        'timed_ms': epoch_ms,
        'last_loss': loss,
    }))


if __name__ == '__main__':
    main()
