// A multi-scale conv flow for dequantised images (RealNVP / Glow family), for MNIST-sized data.
import { ArgumentError, type Generator } from '@likelihood/core';
import { LogitPreprocess } from './elementwise.js';
import { Flow, standardNormal } from './flow.js';
import { glowSteps, realNVPSteps } from './multiscale/glowSteps.js';
import { MultiScaleFlow } from './multiscale/multiScale.js';

export interface ImageRealNVPOptions {
  /** Multi-scale levels (default 2: 28 × 28 → 14 × 14 → 7 × 7 for MNIST). */
  levels?: number;
  /** Steps per level (default 4). */
  depth?: number;
  /** Channels of each coupling's conv conditioner (default 32). */
  hidden?: number;
  /** 'realnvp': checkerboard affine couplings + ActNorm (default); 'glow': ActNorm, 1×1 conv, channel coupling. */
  steps?: 'realnvp' | 'glow';
  /** Logit squeeze α (default 0.05, RealNVP's value for images). */
  alpha?: number;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

/**
 * RealNVP's image flow (Dinh et al. 2017) for images y ∈ [0, 1)^{C×H×W}: data → noise it is the
 * logit preprocessing u = logit(α + (1 − 2α)y) (its log-det is part of log p, so the density is
 * over the dequantised pixels y and `bitsPerDim(flow.logProb(y), C·H·W)` gives bits/dim), then a
 * `MultiScaleFlow` with `depth` steps per level to N(0, I) over C·H·W. Events are [C, H, W];
 * H and W must be divisible by 2^levels.
 */
export function imageRealNVPFlow(imageShape: readonly number[], opts: ImageRealNVPOptions = {}): Flow {
  if (imageShape.length !== 3) throw new ArgumentError(`imageRealNVPFlow: imageShape must be [C, H, W], found [${imageShape.join(', ')}]`);
  const kind = opts.steps ?? 'realnvp';
  if (kind !== 'realnvp' && kind !== 'glow') throw new ArgumentError(`imageRealNVPFlow: steps must be 'realnvp' or 'glow', found '${kind}'`);
  const depth = opts.depth ?? 4;
  if (!Number.isInteger(depth) || depth < 1) throw new ArgumentError(`imageRealNVPFlow: depth must be a positive integer, found ${depth}`);
  const hidden = opts.hidden ?? 32;
  if (!Number.isInteger(hidden) || hidden < 1) throw new ArgumentError(`imageRealNVPFlow: hidden must be a positive integer, found ${hidden}`);
  const stepFn = kind === 'glow' ? glowSteps : realNVPSteps;
  const so = { depth, hidden, dtype: opts.dtype, generator: opts.generator };
  const multiScale = new MultiScaleFlow(imageShape, { levels: opts.levels ?? 2, steps: (shape) => stepFn(shape, so) });
  const d = imageShape.reduce((a, b) => a * b, 1);
  // listed noise → data: latents [N, D] → images [N, C, H, W] in logit space → pixels
  return new Flow(standardNormal([d], opts.dtype ?? 'float32'), [multiScale, new LogitPreprocess({ alpha: opts.alpha ?? 0.05, eventDim: 3 })]);
}
