// Flows for dequantised images (MNIST): the models and their bits/dim evaluation.
import { type Generator, type Tensor, noGrad } from '@likelihood/core';
import { MAF } from './autoregressive/maskedAffine.js';
import { BatchNormBijector } from './batchNorm.js';
import type { Bijector } from './bijector.js';
import { LogitPreprocess } from './elementwise.js';
import { bitsPerDim, uniformDequantize } from './evaluation.js';
import { Flow, standardNormal } from './flow.js';
import { Reverse } from './permutation.js';

export interface ImageMafOptions {
  /** MAF layers (default 5, as MAF's MNIST model). */
  layers?: number;
  /** MADE hidden sizes (default [1024], MAF used 1024). */
  hidden?: readonly number[];
  /** Logit squeeze α (default 1e−6, MAF's MNIST value). */
  alpha?: number;
  /** BatchNorm bijector between MAF layers (default true, as the MAF paper). */
  batchNorm?: boolean;
  generator?: Generator;
}

/**
 * MAF for flattened images in [0, 1)^D (Papamakarios et al. 2017): listed data → noise it is
 * logit(α + (1 − 2α)x), then `layers` × (MAF, BatchNorm, reverse). The flow's density is over
 * the dequantised pixels y ∈ [0, 1)^D, so `bitsPerDim(flow.logProb(y), D)` gives bits/dim.
 */
export function imageMafFlow(dims: number, opts: ImageMafOptions = {}): Flow {
  const dataToNoise: Bijector[] = [new LogitPreprocess({ alpha: opts.alpha ?? 1e-6 })];
  for (let i = 0; i < (opts.layers ?? 5); i++) {
    dataToNoise.push(new MAF(dims, { hidden: opts.hidden ?? [1024], generator: opts.generator }));
    if (opts.batchNorm ?? true) dataToNoise.push(new BatchNormBijector(dims));
    dataToNoise.push(new Reverse(dims));
  }
  return new Flow(standardNormal([dims]), dataToNoise.reverse());
}

/**
 * Mean bits/dim of integer images xInt [N, D] (0..255) under a flow on y = (x + u)/256, with one
 * uniform dequantisation draw per image, in batches, in eval mode.
 */
export function evaluateBitsPerDim(flow: Flow, xInt: Tensor, opts: { batchSize?: number; generator?: Generator } = {}): number {
  const n = xInt.shape[0]!;
  const d = xInt.size / n;
  const bs = opts.batchSize ?? 500;
  let total = 0;
  flow.eval();
  noGrad(() => {
    for (let i = 0; i < n; i += bs) {
      const m = Math.min(bs, n - i);
      const y = uniformDequantize(xInt.narrow(0, i, m).reshape([m, d]), { generator: opts.generator });
      total += bitsPerDim(flow.logProb(y), d).sum().item();
    }
  });
  return total / n;
}
