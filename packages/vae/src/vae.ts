import {
  ArgumentError, type Generator, type Tensor, cat, logsumexp, noGrad, stack,
} from '@likelihood/core';
import { type Distribution, KLNotImplementedError, klDivergence } from '@likelihood/distributions';
import { Module } from '@likelihood/nn';
import { bitsPerDim } from './bits.js';
import { checkDataShape, checkPositiveInt, fmtShape } from './checks.js';
import { type Decoder, decode } from './decoders.js';
import type { Encoder } from './encoders.js';
import { type Prior, StandardNormalPrior } from './priors.js';

/** How KL(q(z|x) ‖ p(z)) is computed: closed form, Monte-Carlo from the drawn z, or closed form when registered. */
export type KLMode = 'analytic' | 'mc' | 'auto';

export interface ElboOptions {
  /** Weight β of the KL term in `objective` (β-VAE; KL warm-up passes klWarmup(step, ...)). Default 1. */
  beta?: number;
  /** Latent samples per example for the reconstruction term (default 1). */
  samples?: number;
  /** Overrides the model's KL mode for this call. */
  kl?: KLMode;
  generator?: Generator;
}

/** Per-example terms, each (N). */
export interface ElboTerms {
  /** E_q[log p_θ(x | z)], estimated with the drawn z. */
  reconstruction: Tensor;
  /** KL(q_φ(z | x) ‖ p(z)), analytic or Monte-Carlo. */
  kl: Tensor;
  /** reconstruction − kl: the ELBO, a lower bound on log p(x), in nats. */
  elbo: Tensor;
  /** reconstruction − β·kl: what training maximises (equals elbo when β = 1). */
  objective: Tensor;
}

export interface LogLikelihoodOptions {
  /** Importance samples k per example (default 1000). */
  samples?: number;
  /** Decoder rows (samples × examples) per forward pass, to bound memory (default 8192). */
  chunkRows?: number;
  generator?: Generator;
}

export interface LogLikelihoodResult {
  /** The estimate of log p(x) per example, in nats (N). */
  nats: Tensor;
  /** −log p(x) / (D ln 2) per example (N). */
  bitsPerDim: Tensor;
  /** Means over the examples. */
  meanNats: number;
  meanBitsPerDim: number;
}

export interface VAEOptions {
  /** Default 'auto': analytic when klDivergence has the (posterior, prior) pair, else Monte-Carlo. */
  kl?: KLMode;
}

/**
 * A variational autoencoder p_θ(x, z) = p_θ(x | z) p(z) with an amortised posterior q_φ(z | x).
 * Data are (N, ...dataShape) in [0, 1]. State-dict keys: encoder.*, decoder.*, prior.*.
 */
export class VAE extends Module {
  encoder: Encoder;
  decoder: Decoder;
  prior: Prior;
  readonly klMode: KLMode;

  constructor(encoder: Encoder, decoder: Decoder, prior?: Prior, opts: VAEOptions = {}) {
    super();
    const p = prior ?? new StandardNormalPrior(encoder.latentDim, { dtype: firstDType(encoder) });
    if (encoder.latentDim !== decoder.latentDim || p.latentDim !== encoder.latentDim) {
      throw new ArgumentError(`VAE: encoder, decoder and prior must share latentDim, found ${encoder.latentDim}, ${decoder.latentDim}, ${p.latentDim}`);
    }
    if (fmtShape(encoder.dataShape) !== fmtShape(decoder.dataShape)) {
      throw new ArgumentError(`VAE: encoder and decoder must share dataShape, found ${fmtShape(encoder.dataShape)} and ${fmtShape(decoder.dataShape)}`);
    }
    const kl = opts.kl ?? 'auto';
    if (kl !== 'analytic' && kl !== 'mc' && kl !== 'auto') throw new ArgumentError(`VAE: kl must be 'analytic', 'mc' or 'auto', found '${String(kl)}'`);
    this.encoder = encoder;
    this.decoder = decoder;
    this.prior = p;
    this.klMode = kl;
  }

  get latentDim(): number {
    return this.encoder.latentDim;
  }
  get dataShape(): readonly number[] {
    return this.decoder.dataShape;
  }
  /** Number of data values D per example (784 for MNIST). */
  get dims(): number {
    return this.dataShape.reduce((a, b) => a * b, 1);
  }

  /** Checks shape and range of x for the decoder's likelihood. */
  private checkData(op: string, x: Tensor): void {
    checkDataShape(op, x, this.dataShape);
    this.decoder.likelihood.validate(op, x);
  }

  /** log p_θ(x | z) for latents z (S, N, latentDim) → (S, N); x (N, ...dataShape) is scored against each of the S draws. */
  private reconstructionLogProb(x: Tensor, z: Tensor): Tensor {
    const [s, n] = z.shape as [number, number, number];
    const lik = this.decoder.likelihood;
    if (lik.logProbSum && !x.requiresGrad) {
      // Decode example-major, (N·S) rows, so the likelihood never repeats x; transposing z (latentDim wide) is cheap.
      const zn = s === 1 ? z.reshape([n, this.latentDim]) : z.transpose(0, 1).reshape([n * s, this.latentDim]); // (N·S, latentDim)
      const lp = lik.logProbSum(this.decoder.forward(zn), x); // (N·S)
      return s === 1 ? lp.reshape([1, n]) : lp.reshape([n, s]).transpose(0, 1); // (S, N)
    }
    const px = decode(this.decoder, z.reshape([s * n, this.latentDim])); // batch [S·N]
    const t = lik.target(x); // (N, ...dataShape)
    const tiled = t.unsqueeze(0).expand([s, ...t.shape]).reshape([s * n, ...this.dataShape]); // (S·N, ...dataShape)
    return px.logProb(tiled).reshape([s, n]);
  }

  /** Per-example ELBO terms (differentiable): −objective.mean() is the training loss. */
  elbo(x: Tensor, opts: ElboOptions = {}): ElboTerms {
    this.checkData('VAE.elbo', x);
    const beta = opts.beta ?? 1;
    if (!(beta >= 0)) throw new ArgumentError(`VAE.elbo: beta must be ≥ 0, found ${beta}`);
    const samples = checkPositiveInt('VAE.elbo', 'samples', opts.samples ?? 1);
    const q = this.encoder.forward(x);
    const z = q.rsample([samples], opts.generator); // (S, N, latentDim), reparameterised
    const reconstruction = this.reconstructionLogProb(x, z).mean(0);
    const kl = this.kl(q, z, opts.kl ?? this.klMode);
    return { reconstruction, kl, elbo: reconstruction.sub(kl), objective: reconstruction.sub(kl.mul(beta)) };
  }

  /** KL(q ‖ p) per example (N): closed form, or the mean over the S drawn z of log q(z) − log p(z). */
  private kl(q: Distribution, z: Tensor, mode: KLMode): Tensor {
    const prior = this.prior.forward();
    if (mode !== 'mc') {
      try {
        return klDivergence(q, prior);
      } catch (e) {
        if (mode === 'analytic' || !(e instanceof KLNotImplementedError)) throw e;
      }
    }
    return q.logProb(z).sub(prior.logProb(z)).mean(0);
  }

  /** log w_s = log p_θ(x | z_s) + log p(z_s) − log q(z_s | x) for z_s ~ q(z | x): (k, N). */
  logWeights(x: Tensor, k: number, generator?: Generator, q: Distribution = this.encoder.forward(x)): Tensor {
    const z = q.rsample([k], generator); // (k, N, latentDim)
    return this.reconstructionLogProb(x, z).add(this.prior.forward().logProb(z)).sub(q.logProb(z));
  }

  /**
   * The IWAE bound (Burda et al. 2016) per example (N): L_k = log (1/k) Σ_s w_s, computed with
   * logsumexp. Differentiable, so −iwae(x, k).mean() trains an IWAE; L_1 is the ELBO and
   * E[L_k] ≤ E[L_k'] ≤ log p(x) for k ≤ k'.
   */
  iwae(x: Tensor, samples: number, opts: { generator?: Generator } = {}): Tensor {
    this.checkData('VAE.iwae', x);
    const k = checkPositiveInt('VAE.iwae', 'samples', samples);
    return logsumexp(this.logWeights(x, k, opts.generator), 0).sub(Math.log(k));
  }

  /**
   * Importance-sampled estimate of log p(x) with q(z | x) as the proposal: the IWAE bound with
   * many samples, evaluated without gradients in chunks of samples and combined with logsumexp,
   * so it is exact in the limit k → ∞ and stable for any k. Reported in nats and bits/dim.
   */
  logLikelihood(x: Tensor, opts: LogLikelihoodOptions = {}): LogLikelihoodResult {
    this.checkData('VAE.logLikelihood', x);
    const k = checkPositiveInt('VAE.logLikelihood', 'samples', opts.samples ?? 1000);
    const rows = checkPositiveInt('VAE.logLikelihood', 'chunkRows', opts.chunkRows ?? 8192);
    const n = x.shape[0]!;
    const nats = noGrad(() => {
      const q = this.encoder.forward(x);
      const per = Math.max(1, Math.floor(rows / n)); // samples per chunk
      const parts: Tensor[] = [];
      for (let done = 0; done < k; done += per) {
        parts.push(logsumexp(this.logWeights(x, Math.min(per, k - done), opts.generator, q), 0)); // (N)
      }
      return logsumexp(stack(parts, 0), 0).sub(Math.log(k));
    });
    const bpd = bitsPerDim(nats, this.dims);
    return { nats, bitsPerDim: bpd, meanNats: nats.mean().item(), meanBitsPerDim: bpd.mean().item() };
  }

  /** n images (n, ...dataShape) in [0, 1] from z ~ p(z): the likelihood's mean (default) or a sample of p(x | z). */
  sample(n: number, opts: { generator?: Generator; mean?: boolean } = {}): Tensor {
    checkPositiveInt('VAE.sample', 'n', n);
    return noGrad(() => {
      const z = this.prior.forward().sample([n], opts.generator); // (n, latentDim)
      return this.decodeImages(z, opts.mean ?? true, opts.generator);
    });
  }

  /** Reconstructions of x through the posterior mean (or a posterior sample with {sampleLatent: true}). */
  reconstruct(x: Tensor, opts: { generator?: Generator; mean?: boolean; sampleLatent?: boolean } = {}): Tensor {
    this.checkData('VAE.reconstruct', x);
    return noGrad(() => {
      const q = this.encoder.forward(x);
      const z = opts.sampleLatent ? q.sample([], opts.generator) : q.mean;
      return this.decodeImages(z, opts.mean ?? true, opts.generator);
    });
  }

  /** Latent interpolation between the posterior means of a and b (each (1, ...dataShape) or (...dataShape)): (steps, ...dataShape). */
  interpolate(a: Tensor, b: Tensor, steps = 8, opts: { mean?: boolean; generator?: Generator } = {}): Tensor {
    checkPositiveInt('VAE.interpolate', 'steps', steps);
    if (steps < 2) throw new ArgumentError(`VAE.interpolate: steps must be ≥ 2, found ${steps}`);
    const asBatch = (t: Tensor) => (t.ndim === this.dataShape.length ? t.unsqueeze(0) : t);
    const ab = cat([asBatch(a), asBatch(b)], 0);
    this.checkData('VAE.interpolate', ab);
    if (ab.shape[0] !== 2) throw new ArgumentError(`VAE.interpolate: a and b must each be one example, found ${ab.shape[0]} examples in total`);
    return noGrad(() => {
      const mu = this.encoder.forward(ab).mean; // (2, latentDim)
      const za = mu.narrow(0, 0, 1);
      const zb = mu.narrow(0, 1, 1);
      const zs = cat(Array.from({ length: steps }, (_, i) => za.add(zb.sub(za).mul(i / (steps - 1)))), 0); // (steps, latentDim)
      return this.decodeImages(zs, opts.mean ?? true, opts.generator);
    });
  }

  private decodeImages(z: Tensor, mean: boolean, generator?: Generator): Tensor {
    const px = decode(this.decoder, z);
    return mean ? this.decoder.likelihood.meanImage(px) : this.decoder.likelihood.sampleImage(px, generator);
  }

  forward(x: Tensor): ElboTerms {
    return this.elbo(x);
  }
}

function firstDType(m: Module): 'float32' | 'float64' {
  const p = m.parameters()[0];
  return p?.dtype === 'float64' ? 'float64' : 'float32';
}
