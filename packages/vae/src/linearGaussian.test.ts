// A linear-Gaussian VAE: z ~ N(0, I), x | z ~ N(W z + b, σ² I), so log p(x) = log N(x; b, W Wᵀ + σ² I)
// is exact, and so is the posterior q*(z | x) = N(Σ Wᵀ (x − b) / σ², Σ) with Σ = (I + WᵀW / σ²)⁻¹.
import { Generator, type Tensor, eye, inv, log, noGrad, sqrt, tensor } from '@likelihood/core';
import { type Distribution, MultivariateNormal } from '@likelihood/distributions';
import { type Linear, Module } from '@likelihood/nn';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { MLPDecoder } from './decoders.js';
import { MLPEncoder } from './encoders.js';
import { gaussianLikelihood } from './likelihoods/gaussian.js';
import { VAE } from './vae.js';

const fx = loadFixture<{ linearGaussian: { W: number[][]; b: number[]; sigma2: number; x: number[][]; logProb: number[] } }>(
  new URL('../fixtures/vae.json', import.meta.url),
).linearGaussian;
const f64 = { dtype: 'float64' as const };
const W = tensor(fx.W, f64); // (D, Z)
const b = tensor(fx.b, f64); // (D)
const x = tensor(fx.x, f64); // (4, D)
const [D, Z] = W.shape as [number, number];
const exactLogP = tensor(fx.logProb, f64); // torch's MultivariateNormal.log_prob

/** Posterior sds are inflated by this factor, so the diagonal q is visibly worse than q*. */
const INFLATE = 2.5;
const postCov = inv(eye(Z, Z, f64).add(W.transpose(0, 1).matmul(W).div(fx.sigma2))); // Σ (Z, Z)
const postA = postCov.matmul(W.transpose(0, 1)).div(fx.sigma2); // (Z, D): mean = A (x − b)

function linearDecoder(): MLPDecoder {
  const dec = new MLPDecoder(Z, [D], gaussianLikelihood({ variance: fx.sigma2 }), { hidden: [], dtype: 'float64' });
  const lin = dec.net.at(0) as Linear;
  lin.weight.assign_(W);
  lin.bias!.assign_(b);
  return dec;
}

/** The diagonal-Normal encoder with the exact posterior mean and the posterior's marginal sds times `inflate`. */
function diagonalEncoder(inflate: number): MLPEncoder {
  const enc = new MLPEncoder([D], Z, { hidden: [], dtype: 'float64', minScale: 0 });
  const lin = enc.net.at(0) as Linear;
  const sd = sqrt(noGrad(() => postCov.mul(eye(Z, Z, f64)).sum(1))).mul(inflate); // (Z)
  const rawScale = log(sd.exp().sub(1)); // softplus⁻¹
  lin.weight.assign_(tensor([...(postA.toArray() as number[][]), ...Array.from({ length: Z }, () => new Array(D).fill(0))], f64));
  lin.bias!.assign_(tensor([...(postA.matmul(b).neg().toArray() as number[]), ...(rawScale.toArray() as number[])], f64));
  return enc;
}

/** q*(z | x): the exact, full-covariance posterior. */
class ExactPosterior extends Module {
  readonly dataShape = [D];
  readonly latentDim = Z;
  forward(xs: Tensor): Distribution {
    const mean = xs.sub(b).matmul(postA.transpose(0, 1)); // (N, Z)
    return new MultivariateNormal(mean, { covarianceMatrix: postCov });
  }
}

describe('linear-Gaussian VAE (log p(x) in closed form)', () => {
  it('the decoder and the standard-Normal prior define the marginal torch computes', () => {
    // With the exact posterior every importance weight equals p(x), so any k gives log p(x) exactly.
    const vae = new VAE(new ExactPosterior(), linearDecoder());
    const { elbo } = vae.elbo(x, { samples: 3, generator: new Generator(0) });
    expectClose(elbo, exactLogP, { rtol: 1e-10, atol: 1e-10 });
    expectClose(vae.iwae(x, 7, { generator: new Generator(1) }), exactLogP, { rtol: 1e-10, atol: 1e-10 });
    expectClose(vae.logLikelihood(x, { samples: 5 }).nats, exactLogP, { rtol: 1e-10, atol: 1e-10 });
  });

  it('E[ELBO] matches its closed form; E[ELBO] < E[IWAE_5] < E[IWAE_20] < log p(x), each gap > 3 standard errors (fixed seeds)', () => {
    const vae = new VAE(diagonalEncoder(INFLATE), linearDecoder());
    const R = 1000; // independent replicas of each example
    const xr = x.unsqueeze(0).expand([R, 4, D]).reshape([R * 4, D]); // (R·4, D)
    const g = new Generator(7);
    const stats = (v: Tensor) => ({ m: v.reshape([R, 4]).mean(0), se: v.reshape([R, 4]).std(0).div(Math.sqrt(R)) }); // (4) each
    const l1 = stats(vae.elbo(xr, { generator: new Generator(1) }).elbo);
    const l5 = stats(vae.iwae(xr, 5, { generator: g }));
    const l20 = stats(vae.iwae(xr, 20, { generator: g }));
    // Closed-form ELBO for q = N(m, diag s²): E_q log N(x; Wz + b, σ²I) − KL(q ‖ N(0, I))
    const q = vae.encoder.forward(x);
    const m = q.mean; // (4, Z)
    const s2 = q.variance; // (4, Z)
    const resid = x.sub(m.matmul(W.transpose(0, 1))).sub(b).square().sum(1); // ‖x − Wm − b‖² (4)
    const trace = s2.matmul(W.square().sum(0)); // tr(W diag(s²) Wᵀ) = Σ_j s_j² ‖W_:j‖² (4)
    const expRec = resid.add(trace).div(-2 * fx.sigma2).sub(0.5 * D * Math.log(2 * Math.PI * fx.sigma2));
    const kl = s2.add(m.square()).sub(1).sub(s2.log()).sum(1).mul(0.5);
    const elboExact = expRec.sub(kl);
    // The single-sample ELBO has a long left tail (a quadratic in z), so allow 5 standard errors.
    expect(l1.m.sub(elboExact).div(l1.se).abs().amax().item()).toBeLessThan(5);
    const z = (lo: { m: Tensor; se: Tensor }, hi: { m: Tensor; se: Tensor }) => hi.m.sub(lo.m).div(lo.se.square().add(hi.se.square()).sqrt());
    expect(z(l1, l5).amin().item()).toBeGreaterThan(3);
    expect(z(l5, l20).amin().item()).toBeGreaterThan(3);
    expect(exactLogP.sub(l20.m).div(l20.se).amin().item()).toBeGreaterThan(3);
  });

  it('the importance-sampled log-likelihood converges to log p(x): error < 0.02 nats at k = 100000 (fixed seed)', () => {
    const vae = new VAE(diagonalEncoder(INFLATE), linearDecoder());
    const err = (k: number) => vae.logLikelihood(x, { samples: k, generator: new Generator(11) }).nats.sub(exactLogP).abs().amax().item();
    const e10 = err(10);
    // measured with this seed: 0.95 (k = 10), 0.052 (k = 1000), 0.0086 (k = 100000)
    expect(e10).toBeGreaterThan(0.3);
    expect(err(1000)).toBeLessThan(0.15);
    expect(err(100000)).toBeLessThan(0.02);
    // nats and bits/dim: bpd = −log p / (D ln 2)
    const r = vae.logLikelihood(x, { samples: 1000, generator: new Generator(3) });
    expectClose(r.bitsPerDim, r.nats.mul(-1 / (D * Math.LN2)), { rtol: 1e-14 });
    expect(Math.abs(r.meanNats - r.nats.mean().item())).toBeLessThan(1e-12);
  });
});
