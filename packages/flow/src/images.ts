// Flows for dequantised images (MNIST): the models and their bits/dim evaluation.
import { ArgumentError, type Generator, ShapeError, type Tensor, noGrad } from '@likelihood/core';
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
 * Mean bits/dim of integer images xInt (0..255) under a flow on y = (x + u)/256, with one
 * uniform dequantisation draw per image, in batches, in eval mode. xInt is [N, ...] with D values
 * per image, reshaped to the flow's event shape: [N, 784] for `imageMafFlow(784)`, [N, 784] or
 * [N, 1, 28, 28] for `imageRealNVPFlow([1, 28, 28])`.
 */
export function evaluateBitsPerDim(flow: Flow, xInt: Tensor, opts: { batchSize?: number; generator?: Generator } = {}): number {
  const n = xInt.shape[0]!;
  const event = flow.eventShape;
  const d = event.reduce((a, b) => a * b, 1);
  if (xInt.ndim < 1 || n < 1 || xInt.size !== n * d) {
    throw new ShapeError(`evaluateBitsPerDim: xInt must be [N, ...] with ${d} values per image (the flow's event shape [${event.join(', ')}]), found [${xInt.shape.join(', ')}]`);
  }
  const bs = opts.batchSize ?? 500;
  if (!Number.isInteger(bs) || bs < 1) throw new ArgumentError(`evaluateBitsPerDim: batchSize must be a positive integer, found ${bs}`);
  let total = 0;
  flow.eval();
  noGrad(() => {
    for (let i = 0; i < n; i += bs) {
      const m = Math.min(bs, n - i);
      const y = uniformDequantize(xInt.narrow(0, i, m).reshape([m, ...event]), { generator: opts.generator }); // [m, ...event]
      total += bitsPerDim(flow.logProb(y), d).sum().item();
    }
  });
  return total / n;
}
