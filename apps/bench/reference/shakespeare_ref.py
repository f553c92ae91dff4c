"""nanoGPT's shakespeare_char CPU run in PyTorch, for comparing issue 5's quality figure: the model of
gpt_ref.py with nanoGPT's initialisation, AdamW (decay on matrices only, betas 0.9/0.99, wd 0.1),
lr 1e-3 with 100 warm-up iterations and cosine decay to 1e-4 at 2000, gradient clip 1, batch 12,
block 64, dropout 0, 90/10 char split. At the end: nanoGPT's 20-batch estimate, three 200-batch
ones and the exact mean over every full 64-token window of each split. Prints JSON.

  python3 apps/bench/reference/shakespeare_ref.py ../shared/data/tinyshakespeare/input.txt [--threads 2] [--seed 1337] [--no-bias]
"""
import argparse
import json
import math
import time

import torch

from gpt_ref import CFG, GPT  # the script's folder is on sys.path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('text')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=1337)
    ap.add_argument('--iters', type=int, default=2000)
    ap.add_argument('--no-bias', action='store_true', help="no biases in Linear and LayerNorm layers (nanoGPT's train.py default)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    text = open(a.text, encoding='utf-8').read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = int(0.9 * len(data))
    train, val = data[:n], data[n:]
    c = dict(CFG, vocab_size=len(chars), bias=not a.no_bias)
    B, T = c['batch_size'], c['block_size']
    model = GPT(c)
    # nanoGPT's init: N(0, 0.02) weights, zero biases, residual projections N(0, 0.02/√(2·n_layer))
    for name, p in model.named_parameters():
        if name.endswith('c_proj.weight'):
            torch.nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * c['n_layer']))
        elif p.dim() >= 2:
            torch.nn.init.normal_(p, 0.0, 0.02)
        elif name.endswith('bias'):
            torch.nn.init.zeros_(p)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}], lr=1e-3, betas=(0.9, 0.99))

    def batch(split, gen=None):
        d = train if split == 'train' else val
        ix = torch.randint(len(d) - T, (B,), generator=gen)
        return torch.stack([d[i:i + T] for i in ix]), torch.stack([d[i + 1:i + 1 + T] for i in ix])

    def lr_at(it, warmup=100, decay_iters=2000, lr=1e-3, min_lr=1e-4):
        if it < warmup:
            return lr * (it + 1) / (warmup + 1)
        if it > decay_iters:
            return min_lr
        r = (it - warmup) / (decay_iters - warmup)
        return min_lr + 0.5 * (1.0 + math.cos(math.pi * r)) * (lr - min_lr)

    @torch.no_grad()
    def estimate(iters, gen=None):
        model.eval()
        out = {}
        for split in ('train', 'val'):
            out[split] = sum(model(*batch(split, gen))[1].item() for _ in range(iters)) / iters
        model.train()
        return out

    @torch.no_grad()
    def exact(d):
        # the mean over every full T-token window (non-overlapping), as evaluateLoss in @likelihood/gpt
        model.eval()
        w = (len(d) - 1) // T
        total = 0.0
        for s in range(0, w, 32):
            n = min(32, w - s)
            x = d[s * T:(s + n) * T].view(n, T)
            y = d[s * T + 1:(s + n) * T + 1].view(n, T)
            total += model(x, y)[1].item() * n
        model.train()
        return total / w

    t0 = time.time()
    for it in range(a.iters):
        for g in opt.param_groups:
            g['lr'] = lr_at(it)
        x, y = batch('train')
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    seconds = time.time() - t0
    est20 = estimate(20)
    est200 = [estimate(200, torch.Generator().manual_seed(s)) for s in (1, 2, 3)]
    print(json.dumps({'torch': torch.__version__, 'threads': a.threads, 'seed': a.seed, 'bias': not a.no_bias, 'iters': a.iters, 'seconds': seconds,
                      'estimate_20_batches': est20, 'estimate_200_batches': est200, 'exact': {'train': exact(train), 'val': exact(val)}}))


if __name__ == '__main__':
    main()
