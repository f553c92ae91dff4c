"""PyTorch reference for apps/bench's `diffusion` suite: the same denoisers as @likelihood/diffusion
and @likelihood/nn (module for module) and the same ε-prediction training step (t ~ U, ε ~ N(0, I),
x_t = √ᾱ_t x_0 + √(1−ᾱ_t) ε, MSE, Adam), timed the same way. Prints one JSON object to stdout.

  python3 apps/bench/reference/diffusion_ref.py [--quick] [--threads N]
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from timing import median_ms

# The cases, as in apps/bench/src/diffusion.ts.
MLP_CFG = dict(hidden=128, layers=3, time_embed=32, batch=512)
UNET_CASES = {
    'unet28': dict(base=16, mults=[1, 2, 2], attention_levels=[], patch=1, batch=16),
    'unet-mnist': dict(base=32, mults=[1, 2], attention_levels=[], patch=2, batch=16),
}
GROUPS = 8


def sinusoidal(t, dim, max_period=10000):
    """nn's sinusoidalEmbedding: [cos(t f_i), sin(t f_i)], f_i = max_period^(-i/half)."""
    half = dim // 2
    freqs = torch.exp(torch.arange(half, dtype=torch.float32) * (-math.log(max_period) / half))
    args = t.float()[:, None] * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], 1)
    return F.pad(emb, (0, 1)) if dim % 2 else emb


class MLPDenoiser(nn.Module):
    """@likelihood/diffusion MLPDenoiser: cat(x, sinusoidal(t)) → torchvision-style MLP with SiLU."""

    def __init__(s, data_dim=2, hidden=128, layers=3, time_embed=32):
        super().__init__()
        s.te = time_embed
        mods, d = [], data_dim + time_embed
        for _ in range(layers):
            mods += [nn.Linear(d, hidden), nn.SiLU()]
            d = hidden
        mods.append(nn.Linear(d, data_dim))
        s.net = nn.Sequential(*mods)

    def forward(s, x, t):
        return s.net(torch.cat([x, sinusoidal(t, s.te)], 1))


class ResBlock(nn.Module):
    def __init__(s, cin, cout, tdim):
        super().__init__()
        s.norm1 = nn.GroupNorm(GROUPS, cin)
        s.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        s.temb_proj = nn.Linear(tdim, cout)
        s.norm2 = nn.GroupNorm(GROUPS, cout)
        s.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        s.skip = None if cin == cout else nn.Conv2d(cin, cout, 1)

    def forward(s, x, temb):
        h = s.conv1(F.silu(s.norm1(x)))
        h = h + s.temb_proj(F.silu(temb))[:, :, None, None]
        h = s.conv2(F.silu(s.norm2(h)))
        return (x if s.skip is None else s.skip(x)) + h


class AttentionBlock(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.norm = nn.GroupNorm(GROUPS, c)
        s.qkv = nn.Conv2d(c, 3 * c, 1)
        s.proj = nn.Conv2d(c, c, 1)

    def forward(s, x):
        B, C, H, W = x.shape
        qkv = s.qkv(s.norm(x)).reshape(B, 3, 1, C, H * W)
        q, k, v = (qkv[:, i].transpose(-1, -2) for i in range(3))
        y = F.scaled_dot_product_attention(q, k, v).transpose(-1, -2).reshape(B, C, H, W)
        return x + s.proj(y)


class Stage(nn.Module):
    def __init__(s, res, attn):
        super().__init__()
        s.res, s.attn = res, attn

    def forward(s, x, temb):
        h = s.res(x, temb)
        return h if s.attn is None else s.attn(h)


class Down(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.conv = nn.Conv2d(c, c, 3, stride=2, padding=1)

    def forward(s, x):
        return s.conv(x)


class Up(nn.Module):
    def __init__(s, c):
        super().__init__()
        s.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(s, x):
        return s.conv(F.interpolate(x, scale_factor=2, mode='nearest'))


class UNet(nn.Module):
    """@likelihood/nn UNet (unet.ts), layer for layer, with numResBlocks = 1."""

    def __init__(s, cin, cout, base, mults, attention_levels):
        super().__init__()
        tdim = 4 * base
        s.base = base
        s.time_mlp = nn.ModuleList([nn.Linear(base, tdim), nn.Linear(tdim, tdim)])
        s.conv_in = nn.Conv2d(cin, base, 3, padding=1)
        stage = lambda a, b, lvl: Stage(ResBlock(a, b, tdim), AttentionBlock(b) if lvl in attention_levels else None)
        s.down, skips, ch = nn.ModuleList(), [base], base
        for lvl, m in enumerate(mults):
            s.down.append(stage(ch, base * m, lvl))
            ch = base * m
            skips.append(ch)
            if lvl < len(mults) - 1:
                s.down.append(Down(ch))
                skips.append(ch)
        s.mid = nn.ModuleList([Stage(ResBlock(ch, ch, tdim), AttentionBlock(ch)), stage(ch, ch, -1)])
        s.up = nn.ModuleList()
        for lvl in reversed(range(len(mults))):
            for _ in range(2):
                s.up.append(stage(ch + skips.pop(), base * mults[lvl], lvl))
                ch = base * mults[lvl]
            if lvl > 0:
                s.up.append(Up(ch))
        s.norm_out = nn.GroupNorm(GROUPS, ch)
        s.conv_out = nn.Conv2d(ch, cout, 3, padding=1)

    def forward(s, x, t):
        temb = s.time_mlp[1](F.silu(s.time_mlp[0](sinusoidal(t, s.base))))
        h = s.conv_in(x)
        hs = [h]
        for m in s.down:
            h = m(h, temb) if isinstance(m, Stage) else m(h)
            hs.append(h)
        for m in s.mid:
            h = m(h, temb)
        for m in s.up:
            h = m(torch.cat([h, hs.pop()], 1), temb) if isinstance(m, Stage) else m(h)
        return s.conv_out(F.silu(s.norm_out(h)))


class Patched(nn.Module):
    """@likelihood/diffusion PatchDenoiser: pixel unshuffle → inner → pixel shuffle."""

    def __init__(s, inner, p):
        super().__init__()
        s.inner, s.p = inner, p

    def forward(s, x, t):
        return F.pixel_shuffle(s.inner(F.pixel_unshuffle(x, s.p), t), s.p) if s.p > 1 else s.inner(x, t)


def alphas_cumprod_linear(T=1000):
    return torch.cumprod(1 - torch.linspace(1e-4, 0.02, T, dtype=torch.float64), 0).float()


def timed_step(model, x0, budget_ms, min_reps):
    """ms/step (median) and CPU ms/step of one ε-prediction training step with Adam."""
    ac = alphas_cumprod_linear()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=False)
    shape = (-1,) + (1,) * (x0.dim() - 1)

    def step():
        t = torch.randint(0, len(ac), (x0.shape[0],))
        eps = torch.randn_like(x0)
        a = ac[t].reshape(shape)
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
        loss = (model(xt, t.float()) - eps).square().mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    step()
    n = [0]

    def counted():
        step()
        n[0] += 1

    cpu0 = time.process_time()
    # warm-up of at least 1 s, as the TypeScript side (steady-state steps, past V8's tier-up there)
    ms = median_ms(counted, warmup=1, min_reps=min_reps, budget_ms=budget_ms, warmup_ms=1000)
    return ms, (time.process_time() - cpu0) * 1000 / n[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--quick', action='store_true')
    ap.add_argument('--threads', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    out = {'torch': torch.__version__, 'threads': a.threads}
    c = MLP_CFG
    mlp = MLPDenoiser(hidden=c['hidden'], layers=c['layers'], time_embed=c['time_embed'])
    out['mlp_ms'], out['mlp_cpu_ms'] = timed_step(mlp, torch.randn(c['batch'], 2), 1000 if a.quick else 4000, 5 if a.quick else 20)
    for name, u in UNET_CASES.items():
        p2 = u['patch'] ** 2
        net = Patched(UNet(p2, p2, u['base'], u['mults'], u['attention_levels']), u['patch'])
        out[f'{name}_ms'], out[f'{name}_cpu_ms'] = timed_step(net, torch.randn(u['batch'], 1, 28, 28), 1000 if a.quick else 4000, 3 if a.quick else 5)
        out[f'{name}_params'] = sum(p.numel() for p in net.parameters())
    out['mlp_params'] = sum(p.numel() for p in mlp.parameters())
    print(json.dumps(out))


if __name__ == '__main__':
    main()
