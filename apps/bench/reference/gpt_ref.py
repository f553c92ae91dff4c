"""PyTorch reference for apps/bench's `gpt` suite: the same GPT (nanoGPT's model.py at the
shakespeare_char CPU config) timed the same way. Prints one JSON object to stdout.

  python3 apps/bench/reference/gpt_ref.py [--quick] [--threads N]
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from timing import median_ms

CFG = dict(n_layer=4, n_head=4, n_embd=128, block_size=64, vocab_size=65, batch_size=12, bias=True)


class Attn(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.c_attn = nn.Linear(c['n_embd'], 3 * c['n_embd'], bias=c.get('bias', True))
        s.c_proj = nn.Linear(c['n_embd'], c['n_embd'], bias=c.get('bias', True))
        s.nh = c['n_head']

    def forward(s, x, cache=None):
        B, T, C = x.shape
        q, k, v = s.c_attn(x).split(C, dim=2)
        q, k, v = (t.view(B, T, s.nh, C // s.nh).transpose(1, 2) for t in (q, k, v))
        if cache is not None:
            if 'k' in cache:
                k = torch.cat([cache['k'], k], 2)
                v = torch.cat([cache['v'], v], 2)
            cache['k'], cache['v'] = k, v
        S = k.shape[2]
        # bottom-right causal mask, as the TS side
        mask = torch.ones(T, S, dtype=torch.bool).tril(S - T)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return s.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class Block(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.ln_1 = nn.LayerNorm(c['n_embd'], bias=c.get('bias', True))
        s.attn = Attn(c)
        s.ln_2 = nn.LayerNorm(c['n_embd'], bias=c.get('bias', True))
        s.c_fc = nn.Linear(c['n_embd'], 4 * c['n_embd'], bias=c.get('bias', True))
        s.c_proj = nn.Linear(4 * c['n_embd'], c['n_embd'], bias=c.get('bias', True))

    def forward(s, x, cache=None):
        x = x + s.attn(s.ln_1(x), cache)
        return x + s.c_proj(F.gelu(s.c_fc(s.ln_2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.c = c
        s.wte = nn.Embedding(c['vocab_size'], c['n_embd'])
        s.wpe = nn.Embedding(c['block_size'], c['n_embd'])
        s.h = nn.ModuleList(Block(c) for _ in range(c['n_layer']))
        s.ln_f = nn.LayerNorm(c['n_embd'], bias=c.get('bias', True))
        s.lm_head = nn.Linear(c['n_embd'], c['vocab_size'], bias=False)
        s.lm_head.weight = s.wte.weight

    def forward(s, idx, targets=None, caches=None):
        B, T = idx.shape
        past = caches[0]['k'].shape[2] if caches and 'k' in caches[0] else 0
        x = s.wte(idx) + s.wpe(torch.arange(past, past + T))
        for i, b in enumerate(s.h):
            x = b(x, caches[i] if caches else None)
        x = s.ln_f(x)
        if targets is None:
            return s.lm_head(x[:, -1:, :]), None
        logits = s.lm_head(x)
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--threads', type=int, default=min(2, os.cpu_count() or 1))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    c = CFG
    model = GPT(c)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and 'wte' not in n and 'wpe' not in n]
    other = [p for n, p in model.named_parameters() if not (p.dim() >= 2 and 'wte' not in n and 'wpe' not in n)]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': other, 'weight_decay': 0.0}], lr=1e-3, betas=(0.9, 0.99), foreach=False)
    data = torch.randint(0, c['vocab_size'], (20000,))
    B, T = c['batch_size'], c['block_size']

    def step():
        ix = torch.randint(len(data) - T, (B,))
        x = torch.stack([data[i:i + T] for i in ix])
        y = torch.stack([data[i + 1:i + 1 + T] for i in ix])
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()

    budget = 1000 if a.quick else 4000
    steps = [0]

    def counted():
        step()
        steps[0] += 1

    step()
    step()  # warm-up
    cpu0 = time.process_time()
    train_ms = median_ms(counted, warmup=0, budget_ms=budget)
    train_cpu_ms = (time.process_time() - cpu0) * 1000 / steps[0]
    model.eval()
    n_new = T - 1

    @torch.no_grad()
    def gen(cached):
        idx = torch.zeros((1, 1), dtype=torch.long)
        caches = [dict() for _ in model.h] if cached else None
        for _ in range(n_new):
            inp = idx[:, -1:] if cached and 'k' in caches[0] else idx
            logits, _ = model(inp, caches=caches)
            nxt = torch.multinomial(F.softmax(logits[:, -1, :], -1), 1)
            idx = torch.cat([idx, nxt], 1)

    gen_cached_ms = median_ms(lambda: gen(True), budget_ms=budget // 2)
    gen_uncached_ms = median_ms(lambda: gen(False), budget_ms=budget // 2)
    print(json.dumps({
        'torch': torch.__version__,
        'threads': a.threads,
        'train_ms_per_iter': train_ms,
        'train_cpu_ms_per_iter': train_cpu_ms,
        'train_tokens_per_s': B * T / train_ms * 1000,
        'gen_cached_tokens_per_s': n_new / gen_cached_ms * 1000,
        'gen_uncached_tokens_per_s': n_new / gen_uncached_ms * 1000,
    }))


if __name__ == '__main__':
    main()
