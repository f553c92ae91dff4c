"""PyTorch reference for issue 9's quality target: Burda et al.'s one-stochastic-layer MLP VAE
(784-200-200-50, tanh; encoder head split into mean and softplus(.) + 1e-4 scale, as
@likelihood/vae's MLPEncoder; Bernoulli decoder on logits; analytic KL to N(0, I); torch's default
Linear init, which @likelihood/nn's Linear copies), trained on the ELBO (or the IWAE bound) on
dynamically binarised MNIST with Adam, batch 100. Evaluates the importance-sampled test
log-likelihood (IWAE bound with k samples, logsumexp) on the first --eval-limit test digits,
binarised once. It tells what the TS recipe should reach for the same schedule.

  python3 apps/bench/reference/vae_quality_ref.py --mnist ../shared/data/mnist \
      --schedule 60:1e-3,30:3e-4,10:1e-4 [--objective iwae --k 5] [--eval-k 5000 --eval-limit 1000]
  python3 apps/bench/reference/vae_quality_ref.py --mnist ../shared/data/mnist --load out/vae.safetensors --eval-limit 10000

With --load it trains nothing: it scores a `vae train` checkpoint of @likelihood/vae (784-200-200-50,
tanh) with PyTorch, a cross-check of the TS evaluation (`vae eval`) on the same weights.
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from vae_ref import load_images  # the script's folder is on sys.path


def mlp(d_in, hidden, d_out):
    layers, d = [], d_in
    for h in hidden:
        layers += [nn.Linear(d, h), nn.Tanh()]
        d = h
    return nn.Sequential(*layers, nn.Linear(d, d_out))


class VAE(nn.Module):
    def __init__(s, d=784, hidden=(200, 200), latent=50):
        super().__init__()
        s.latent = latent
        s.enc = mlp(d, hidden, 2 * latent)
        s.dec = mlp(latent, hidden, d)

    def log_weights(s, x, k):
        """log p(x, z_i) − log q(z_i | x) for k samples: (k, N)."""
        hq = s.enc(x)
        mu, scale = hq[:, :s.latent], F.softplus(hq[:, s.latent:]) + 1e-4
        eps = torch.randn((k, *mu.shape))
        z = mu + scale * eps  # (k, N, latent)
        logits = s.dec(z)
        log_px_z = -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction='none').sum(-1)
        log_pz = (-0.5 * z.square() - 0.5 * math.log(2 * math.pi)).sum(-1)
        log_qz = (-0.5 * eps.square() - scale.log() - 0.5 * math.log(2 * math.pi)).sum(-1)
        return log_px_z + log_pz - log_qz

    def neg_elbo(s, x):
        hq = s.enc(x)
        mu, scale = hq[:, :s.latent], F.softplus(hq[:, s.latent:]) + 1e-4
        z = mu + scale * torch.randn_like(mu)
        rec = -F.binary_cross_entropy_with_logits(s.dec(z), x, reduction='none').sum(1)
        kl = 0.5 * (scale.square() + mu.square() - 1 - 2 * scale.log()).sum(1)
        return (kl - rec).mean()

    def neg_iwae(s, x, k):
        lw = s.log_weights(x, k)
        return -(torch.logsumexp(lw, 0) - math.log(k)).mean()


def find(folder, stem):
    for name in (stem, stem + '.gz'):
        if os.path.exists(os.path.join(folder, name)):
            return os.path.join(folder, name)
    raise FileNotFoundError(f'{stem}[.gz] not in {folder}')


@torch.no_grad()
def log_likelihood(model, x, k, chunk=4):
    out = []
    for i in range(0, len(x), chunk):
        xb = x[i:i + chunk]
        # k samples in blocks of at most 1000 (memory), then one logsumexp over all k
        lw = torch.cat([model.log_weights(xb, min(1000, k - j)) for j in range(0, k, 1000)], 0)
        out.append(torch.logsumexp(lw, 0) - math.log(k))
    return torch.cat(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--mnist', required=True, help='folder with the MNIST IDX files')
    ap.add_argument('--schedule', default='60:1e-3,30:3e-4,10:1e-4', help='epochs:lr,epochs:lr,...')
    ap.add_argument('--objective', choices=['elbo', 'iwae'], default='elbo')
    ap.add_argument('--k', type=int, default=5, help='samples of the IWAE training objective')
    ap.add_argument('--eval-k', type=int, default=5000)
    ap.add_argument('--eval-limit', type=int, default=1000)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--load', help='score this @likelihood/vae checkpoint instead of training')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    train = load_images(find(a.mnist, 'train-images-idx3-ubyte'))
    test = load_images(find(a.mnist, 't10k-images-idx3-ubyte'))
    g = torch.Generator().manual_seed(1234)
    test_bin = torch.bernoulli(test, generator=g)
    model = VAE()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    start, epoch, curve = time.time(), 0, []
    if a.load:
        from safetensors.torch import load_file
        sd = load_file(a.load)
        # torchvision-MLP layout (Linear, Tanh, Dropout) → this script's (Linear, Tanh): 0, 3, 6 → 0, 2, 4
        model.load_state_dict({f'{part}.{i * 2 // 3}.{kind}': sd[f'model.{part}oder.net.{i}.{kind}']
                               for part in ('enc', 'dec') for i in (0, 3, 6) for kind in ('weight', 'bias')})
        a.schedule = ''
    for part in filter(None, a.schedule.split(',')):
        n, lr = part.split(':')
        for group in opt.param_groups:
            group['lr'] = float(lr)
        for _ in range(int(n)):
            epoch += 1
            for idx in torch.randperm(len(train)).split(100):
                x = torch.bernoulli(train[idx])
                loss = model.neg_elbo(x) if a.objective == 'elbo' else model.neg_iwae(x, a.k)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
            with torch.no_grad():
                elbo = -model.neg_elbo(test_bin[:1000]).item()
            curve.append({'epoch': epoch, 'lr': float(lr), 'testElbo': round(elbo, 3), 'seconds': round(time.time() - start, 1)})
            print(json.dumps(curve[-1]), flush=True)
    train_seconds = time.time() - start
    ll = log_likelihood(model, test_bin[:a.eval_limit], a.eval_k)
    print(json.dumps({
        'objective': a.objective, 'schedule': a.schedule, 'loaded': a.load, 'epochs': epoch, 'trainSeconds': round(train_seconds, 1),
        'evalK': a.eval_k, 'evalLimit': a.eval_limit,
        'logLikelihood': round(ll.mean().item(), 3), 'stderr': round((ll.std() / math.sqrt(len(ll))).item(), 3),
    }))


if __name__ == '__main__':
    main()
