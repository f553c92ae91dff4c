"""PyTorch eager reference for the onnx suite: nanoGPT's model at the given config, forward
(logits) and a training step (forward, backward, clip_grad_norm_ 1.0, AdamW lr 1e-3 wd 0.1) in
ms/iter, on as many threads as ONNX Runtime's best variant may use (2). Prints one JSON line.
    python3 apps/bench/src/onnx-torch.py '{"nLayer":4,"nHead":4,"nEmbd":128,"blockSize":64,"vocabSize":65,"batch":12}'
"""
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

cfg = json.loads(sys.argv[1])
threads = int(cfg.get("threads", 2))
torch.set_num_threads(threads)
torch.manual_seed(0)
C, H, T, V, L, B = cfg["nEmbd"], cfg["nHead"], cfg["blockSize"], cfg["vocabSize"], cfg["nLayer"], cfg["batch"]


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln_1, self.ln_2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.c_attn, self.c_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.c_fc, self.mlp_proj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(self, x):
        b, t, _ = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(C, dim=2)
        q, k, v = (z.view(b, t, H, C // H).transpose(1, 2) for z in (q, k, v))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).contiguous().view(b, t, C)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(T, C)
        self.h = nn.ModuleList([Block() for _ in range(L)])
        self.ln_f = nn.LayerNorm(C)
        self.lm_head = nn.Linear(C, V, bias=False)
        self.lm_head.weight = self.wte.weight

    def forward(self, idx):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for blk in self.h:
            x = blk(x)
        return self.lm_head(self.ln_f(x))


CPU_MS = {}


def median_ms(fn, budget=2.0, runs=3):
    """Median of `runs` medians; CPU ms per call (all threads, time.process_time) kept in CPU_MS[fn.__name__]."""
    fn(); fn()
    meds, calls, c0 = [], 0, time.process_time()
    for _ in range(runs):
        ts, start = [], time.perf_counter()
        while len(ts) < 3 or (time.perf_counter() - start < budget and len(ts) < 100):
            t0 = time.perf_counter(); fn(); ts.append((time.perf_counter() - t0) * 1e3)
        calls += len(ts)
        ts.sort(); meds.append(ts[len(ts) // 2])
    CPU_MS[fn.__name__] = (time.process_time() - c0) * 1e3 / calls
    meds.sort()
    return meds[len(meds) // 2]


model = GPT()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.1)
idx = torch.randint(0, V, (B, T))
tgt = torch.randint(0, V, (B, T))


def forward():
    with torch.no_grad():
        model(idx)


def step():
    logits = model(idx)
    loss = F.cross_entropy(logits.view(-1, V), tgt.view(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()


fwd, trn = median_ms(forward), median_ms(step)
print(json.dumps({"threads": threads, "torch": torch.__version__, "forward_ms": fwd, "train_step_ms": trn, "forward_cpu_ms": CPU_MS["forward"], "train_step_cpu_ms": CPU_MS["step"]}))
