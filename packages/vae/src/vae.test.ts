import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, Generator, ShapeError, type Tensor, linspace, logsumexp, rand, tensor, zerosLike } from '@likelihood/core';
import { KLNotImplementedError } from '@likelihood/distributions';
import { Adam, type Module, Parameter } from '@likelihood/nn';
import { loadCheckpoint, saveCheckpoint } from '@likelihood/nn/node';
import { expectClose, gradcheck } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { bitsPerDim } from './bits.js';
import { fitVae } from './fit.js';
import { ConvDecoder, MLPDecoder } from './decoders.js';
import { ConvEncoder, MLPEncoder } from './encoders.js';
import { bernoulliLikelihood } from './likelihoods/bernoulli.js';
import { categoricalLikelihood } from './likelihoods/categorical256.js';
import { discretizedLogisticLikelihood } from './likelihoods/discretizedLogistic.js';
import { gaussianLikelihood } from './likelihoods/gaussian.js';
import type { Likelihood } from './likelihoods/likelihood.js';
import { MixturePrior, StandardNormalPrior } from './priors.js';
import { VAE } from './vae.js';
import { klWarmup } from './warmup.js';

const dtype = 'float64' as const;
const f64 = { dtype };

function mlpVae(lik: Likelihood, seed: number, opts: { mixture?: number; latent?: number; shape?: number[] } = {}): VAE {
  const g = new Generator(seed);
  const shape = opts.shape ?? [1, 4, 4];
  const latent = opts.latent ?? 2;
  const prior = opts.mixture ? new MixturePrior(latent, opts.mixture, { dtype, generator: g }) : new StandardNormalPrior(latent, { dtype });
  return new VAE(new MLPEncoder(shape, latent, { hidden: [3], dtype, generator: g }), new MLPDecoder(latent, shape, lik, { hidden: [3], dtype, generator: g }), prior);
}

function convVae(lik: Likelihood, seed: number): VAE {
  const g = new Generator(seed);
  return new VAE(new ConvEncoder([1, 4, 4], 2, { channels: [2], dtype, generator: g }), new ConvDecoder(2, [1, 4, 4], lik, { channels: [2], dtype, generator: g }));
}

/** Pixel data in [0, 1] on the 8-bit grid, (N, 1, 4, 4); binarised for a Bernoulli decoder. */
function data(n: number, seed: number, binary: boolean): Tensor {
  const u = rand([n, 1, 4, 4], { ...f64, generator: new Generator(seed) });
  return binary ? u.gt(0.5).to(dtype) : u.mul(255).round().div(255);
}

/** Runs fn with the model's parameters replaced by `values` (in namedParameters order), so gradcheck can vary them. */
function withParameters(model: Module, values: Tensor[], fn: () => Tensor): Tensor {
  const slots: [Record<string, unknown>, string, unknown][] = [];
  const params = model.parameters();
  for (const m of model.modules()) {
    for (const [k, v] of Object.entries(m)) {
      const i = v instanceof Parameter ? params.indexOf(v) : -1;
      if (i < 0) continue;
      const fields = m as unknown as Record<string, unknown>;
      slots.push([fields, k, v]);
      fields[k] = values[i];
    }
  }
  try {
    return fn();
  } finally {
    for (const [m, k, v] of slots) m[k] = v;
  }
}

describe('gradients of the ELBO and the IWAE bound (float64 finite differences, fixed noise)', () => {
  const cases: [string, () => VAE, boolean][] = [
    ['MLP, Bernoulli', () => mlpVae(bernoulliLikelihood(), 1), true],
    ['MLP, Gaussian learned variance', () => mlpVae(gaussianLikelihood(), 2), false],
    ['MLP, Gaussian fixed variance, mixture prior (Monte-Carlo KL)', () => mlpVae(gaussianLikelihood({ variance: 0.05 }), 3, { mixture: 3 }), false],
    ['MLP, discretised logistic', () => mlpVae(discretizedLogisticLikelihood(), 4), false],
    ['conv, Bernoulli', () => convVae(bernoulliLikelihood(), 5), true],
    ['conv, discretised logistic', () => convVae(discretizedLogisticLikelihood(), 6), false],
  ];
  for (const [name, make, binary] of cases) {
    it(`${name}: d ELBO / d(encoder, decoder, prior) parameters`, () => {
      const vae = make();
      const x = data(3, 9, binary);
      const fn = (...ps: Tensor[]) => withParameters(vae, ps, () => vae.elbo(x, { generator: new Generator(42) }).elbo);
      gradcheck(fn, vae.parameters(), { rtol: 1e-4, atol: 1e-6 });
    });
  }

  it('256-way categorical: d ELBO / d(encoder and decoder hidden layer); d IWAE_4 / d encoder', () => {
    const vae = mlpVae(categoricalLikelihood(), 7, { shape: [1, 2, 2] });
    const x = rand([2, 1, 2, 2], { ...f64, generator: new Generator(1) }).mul(255).round().div(255);
    const names = vae.namedParameters().map(([n]) => n);
    const only = names.flatMap((n, i) => (n.startsWith('encoder') || n.startsWith('decoder.net.0') ? [i] : []));
    const elbo = (...ps: Tensor[]) => withParameters(vae, ps, () => vae.elbo(x, { generator: new Generator(3) }).elbo);
    gradcheck(elbo, vae.parameters(), { rtol: 1e-4, atol: 1e-6, only });
    const iwae = (...ps: Tensor[]) => withParameters(vae, ps, () => vae.iwae(x, 4, { generator: new Generator(4) }));
    gradcheck(iwae, vae.parameters(), { rtol: 1e-4, atol: 1e-6, only: names.flatMap((n, i) => (n.startsWith('encoder') ? [i] : [])) });
  });

  it('gradients flow through rsample into every encoder parameter', () => {
    const vae = mlpVae(bernoulliLikelihood(), 8);
    vae.elbo(data(4, 2, true), { kl: 'mc', generator: new Generator(0) }).elbo.sum().backward();
    for (const [name, p] of vae.encoder.namedParameters()) expect(p.grad?.abs().sum().item() ?? 0, name).toBeGreaterThan(0);
  });
});

describe('KL term', () => {
  it('analytic KL(q ‖ N(0, I)) equals the Monte-Carlo estimate within 4 standard errors', () => {
    const vae = mlpVae(bernoulliLikelihood(), 11, { latent: 4 });
    const x = data(3, 4, true);
    const analytic = vae.elbo(x, { kl: 'analytic' }).kl; // (3)
    const R = 5000;
    const xr = x.unsqueeze(0).expand([R, 3, 1, 4, 4]).reshape([R * 3, 1, 4, 4]);
    const mc = vae.elbo(xr, { kl: 'mc', generator: new Generator(5) }).kl.reshape([R, 3]); // one draw per row
    const se = mc.std(0).div(Math.sqrt(R));
    expect(mc.mean(0).sub(analytic).div(se).abs().amax().item()).toBeLessThan(4);
    expect(analytic.amin().item()).toBeGreaterThan(0);
  });

  it("the mixture prior has no closed form: 'auto' uses Monte-Carlo, 'analytic' throws", () => {
    const vae = mlpVae(bernoulliLikelihood(), 12, { mixture: 4 });
    const x = data(2, 5, true);
    expect(() => vae.elbo(x, { kl: 'analytic' })).toThrow(KLNotImplementedError);
    const auto = vae.elbo(x, { generator: new Generator(1) }).kl;
    const mc = vae.elbo(x, { kl: 'mc', generator: new Generator(1) }).kl;
    expectClose(auto, mc, { rtol: 0, atol: 0 });
  });

  it('Monte-Carlo KL against a learned 1-D mixture prior matches quadrature of ∫ q log(q/p)', () => {
    const vae = mlpVae(bernoulliLikelihood(), 13, { mixture: 3, latent: 1 });
    const x = data(1, 6, true);
    const q = vae.encoder.forward(x);
    const p = vae.prior.forward();
    const z = linspace(-12, 12, 24001, f64).reshape([24001, 1, 1]); // (G, 1, 1) over batch 1, event 1
    const lq = q.logProb(z); // (G, 1)
    const integrand = lq.exp().mul(lq.sub(p.logProb(z))); // q log(q/p)
    const quad = integrand.sum().item() * (24 / 24000);
    const R = 20000;
    const mc = vae.elbo(x.expand([R, 1, 4, 4]), { generator: new Generator(2) }).kl; // 'auto' → Monte-Carlo, (R)
    const se = mc.std().item() / Math.sqrt(R);
    expect(Math.abs(mc.mean().item() - quad)).toBeLessThan(4 * se);
  });
});

describe('objective, β and warm-up', () => {
  it('objective = reconstruction − β·kl and elbo = reconstruction − kl, per example', () => {
    const vae = mlpVae(bernoulliLikelihood(), 14);
    const x = data(5, 1, true);
    const t = vae.elbo(x, { beta: 0.3, generator: new Generator(3) });
    expect(t.elbo.shape).toEqual([5]);
    expectClose(t.objective, t.reconstruction.sub(t.kl.mul(0.3)), { rtol: 1e-14 });
    expectClose(t.elbo, t.reconstruction.sub(t.kl), { rtol: 1e-14 });
    expect(t.reconstruction.amax().item()).toBeLessThan(0); // a probability of binary data
  });

  it('klWarmup rises linearly to β', () => {
    expect([0, 50, 100, 200].map((s) => klWarmup(s, { warmupSteps: 100 }))).toEqual([0, 0.5, 1, 1]);
    expect(klWarmup(25, { warmupSteps: 100, beta: 4 })).toBe(1);
    expect(klWarmup(3, { warmupSteps: 0, beta: 2 })).toBe(2);
    expect(() => klWarmup(1, { warmupSteps: -1 })).toThrow(/warmupSteps/);
  });
});

describe('fitVae resumed in pieces', () => {
  it('two halves with a shared optimizer, startStep and generator equal one run; stop ends after its step', () => {
    const x = data(40, 2, true);
    const opts = { batchSize: 10, warmupSteps: 6, binarize: 'dynamic' as const };
    const whole = mlpVae(bernoulliLikelihood(), 20);
    const h = fitVae(whole, x, { ...opts, epochs: 2, generator: new Generator(9) });
    const pieces = mlpVae(bernoulliLikelihood(), 20);
    const opt = new Adam(pieces.parameters(), { lr: 1e-3 });
    const g = new Generator(9);
    const a = fitVae(pieces, x, { ...opts, epochs: 1, optimizer: opt, generator: g });
    const b = fitVae(pieces, x, { ...opts, epochs: 1, optimizer: opt, generator: g, startStep: 4 });
    expect([...a, ...b].map((s) => [s.step, s.klWeight, s.loss])).toEqual(h.map((s) => [s.step, s.klWeight, s.loss]));
    expect(b.at(-1)!.totalSteps).toBe(8);
    const stopped = fitVae(mlpVae(bernoulliLikelihood(), 20), x, { ...opts, epochs: 5, stop: (s) => s.step === 3 });
    expect(stopped.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(() => fitVae(pieces, x, { startStep: -1 })).toThrow(/startStep/);
  });
});

describe('bits per dimension', () => {
  it('bits/dim = −log p / (D ln 2): a decoder with zero weights gives exactly 1 bit (Bernoulli) or 8 bits (256-way) per pixel', () => {
    for (const [lik, bits, binary] of [[bernoulliLikelihood(), 1, true], [categoricalLikelihood(), 8, false]] as const) {
      const vae = mlpVae(lik, 15);
      for (const p of vae.decoder.parameters()) p.assign_(zerosLike(p)); // p(x | z) uniform for every z
      // q(z | x) = N(0, I) = p(z) too, so every importance weight is exactly p(x) = 2^(−bits·D)
      for (const p of vae.encoder.parameters()) p.assign_(zerosLike(p));
      const last = (vae.encoder as MLPEncoder).net.at(-2) as unknown as { bias: Tensor }; // the last Linear (then Dropout)
      last.bias.assign_(tensor([0, 0, Math.log(Math.expm1(1 - 1e-4)), Math.log(Math.expm1(1 - 1e-4))], f64)); // softplus(b) + 1e-4 = 1
      const r = vae.logLikelihood(data(3, 2, binary), { samples: 37, chunkRows: 10 });
      expectClose(r.nats, [-16 * bits * Math.LN2, -16 * bits * Math.LN2, -16 * bits * Math.LN2], { rtol: 1e-12 });
      expectClose(r.bitsPerDim, [bits, bits, bits], { rtol: 1e-12 });
      expect(Math.abs(r.meanBitsPerDim - bits)).toBeLessThan(1e-12);
    }
    expect(bitsPerDim(-784 * Math.LN2 * 0.25, 784)).toBeCloseTo(0.25, 14);
    expectClose(bitsPerDim(tensor([-Math.LN2 * 10], f64), 10), [1], { rtol: 1e-14 });
  });

  it('chunked evaluation gives the same estimate as one pass; the estimate is logsumexp of the log-weights − log k', () => {
    const vae = mlpVae(bernoulliLikelihood(), 16);
    const x = data(4, 3, true);
    const one = vae.logLikelihood(x, { samples: 24, generator: new Generator(8) }).nats;
    // chunks of 3 samples (12 rows / 4 examples) consume the generator's stream in the same order: same draws
    const chunked = vae.logLikelihood(x, { samples: 24, chunkRows: 12, generator: new Generator(8) }).nats;
    expectClose(chunked, one, { rtol: 1e-12, atol: 1e-12 });
    const lw = vae.logWeights(x, 24, new Generator(8)); // the one-pass draws
    expectClose(one, logsumexp(lw, 0).sub(Math.log(24)), { rtol: 1e-12 });
  });
});

describe('sampling', () => {
  it('prior samples, reconstructions and interpolations have the data shape and lie in [0, 1]', () => {
    for (const vae of [mlpVae(discretizedLogisticLikelihood(), 17, { mixture: 2 }), convVae(categoricalLikelihood(), 18), mlpVae(gaussianLikelihood(), 19)]) {
      const x = data(3, 4, false);
      const imgs = [vae.sample(5, { generator: new Generator(1) }), vae.sample(2, { mean: false, generator: new Generator(1) }), vae.reconstruct(x), vae.reconstruct(x, { sampleLatent: true, mean: false })];
      const interp = vae.interpolate(x.narrow(0, 0, 1), x.narrow(0, 1, 1), 6);
      for (const t of [...imgs, interp]) {
        expect(t.shape.slice(1)).toEqual([1, 4, 4]);
        expect(t.amin().item()).toBeGreaterThanOrEqual(0);
        expect(t.amax().item()).toBeLessThanOrEqual(1);
      }
      expect(interp.shape[0]).toBe(6);
      // endpoints decode the posterior means of a and b
      expectClose(interp.narrow(0, 0, 1), vae.reconstruct(x.narrow(0, 0, 1)), { rtol: 1e-12, atol: 1e-12 });
      expectClose(interp.narrow(0, 5, 1), vae.reconstruct(x.narrow(0, 1, 1)), { rtol: 1e-12, atol: 1e-12 });
    }
  });
});

describe('bad input', () => {
  const vae = mlpVae(bernoulliLikelihood(), 20);
  it('wrong image shape names the expected and found shapes', () => {
    expect(() => vae.elbo(tensor([[0, 1]], f64))).toThrow(ShapeError);
    expect(() => vae.elbo(data(2, 1, true).reshape([2, 16]))).toThrow(/expected data of shape \(N, 1, 4, 4\), found \[2, 16\]/);
    expect(() => vae.logLikelihood(data(2, 1, true).reshape([2, 4, 4]))).toThrow(ShapeError);
  });
  it('values outside [0, 1] for a Bernoulli decoder are an ArgumentError naming the value', () => {
    const x = data(2, 1, true).mul(2);
    expect(() => vae.elbo(x)).toThrow(/VAE\.elbo: a Bernoulli decoder.*\[0, 1\], found 2/);
    expect(() => vae.iwae(data(2, 1, true).sub(0.5), 3)).toThrow(ArgumentError);
    expect(() => vae.elbo(data(2, 1, true).mul(Number.NaN))).toThrow(/found NaN/);
  });
  it('bad options and mismatched parts', () => {
    const x = data(2, 1, true);
    expect(() => vae.iwae(x, 0)).toThrow(/samples must be a positive integer/);
    expect(() => vae.elbo(x, { beta: -1 })).toThrow(/beta/);
    expect(() => vae.elbo(x.to('int32'))).toThrow(/dtype int32/);
    expect(() => new VAE(new MLPEncoder([4], 2), new MLPDecoder(3, [4], bernoulliLikelihood()))).toThrow(/latentDim/);
    expect(() => new VAE(new MLPEncoder([4], 2), new MLPDecoder(2, [5], bernoulliLikelihood()))).toThrow(/dataShape/);
    expect(() => new ConvEncoder([1, 6, 6], 2)).toThrow(/divisible by 2\^2 = 4/);
    expect(() => new VAE(new MLPEncoder([4], 2), new MLPDecoder(2, [4], bernoulliLikelihood()), undefined, { kl: 'exact' as never })).toThrow(/kl must be/);
    expect(() => vae.interpolate(x, x, 4)).toThrow(/one example/);
  });
});

describe('checkpoints', () => {
  it('a VAE with a mixture prior round-trips through saveCheckpoint/loadCheckpoint', () => {
    const a = mlpVae(discretizedLogisticLikelihood(), 21, { mixture: 3 });
    const b = mlpVae(discretizedLogisticLikelihood(), 22, { mixture: 3 });
    const x = data(3, 7, false);
    const before = a.logLikelihood(x, { samples: 20, generator: new Generator(1) }).nats;
    expect(b.logLikelihood(x, { samples: 20, generator: new Generator(1) }).nats.sub(before).abs().amax().item()).toBeGreaterThan(1e-3);
    const path = join(mkdtempSync(join(tmpdir(), 'vae-')), 'vae.safetensors');
    saveCheckpoint(path, { model: a, step: 7, config: { latent: 2 } });
    expect(Object.keys(a.stateDict())).toEqual(expect.arrayContaining(['encoder.net.0.weight', 'decoder.net.3.bias', 'prior.logits', 'prior.loc', 'prior.rawScale']));
    const info = loadCheckpoint(path, { model: b });
    expect(info.step).toBe(7);
    expectClose(b.logLikelihood(x, { samples: 20, generator: new Generator(1) }).nats, before, { rtol: 0, atol: 0 });
  });
});
