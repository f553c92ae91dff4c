import type { Generator } from '@likelihood/core';
import type { Bijector } from '../bijector.js';
import { AffineCoupling } from '../coupling/affineCoupling.js';
import { channelMask, checkerboardMask } from '../coupling/masks.js';
import { ActNorm } from '../glow/actNorm.js';
import { InvertibleConv1x1 } from '../glow/invertibleConv1x1.js';

export interface StepOptions {
  /** Steps per level (default 4). */
  depth?: number;
  /** Channels of the coupling's conv net (default 32). */
  hidden?: number;
  contextFeatures?: number;
  dtype?: 'float32' | 'float64';
  generator?: Generator;
}

/**
 * Glow's step of flow, `depth` times, listed noise → data: each is (data → noise)
 * ActNorm → invertible 1×1 conv → affine coupling on half the channels.
 */
export function glowSteps(shape: readonly [number, number, number], opts: StepOptions = {}): Bijector[] {
  const [c, h, w] = shape;
  const out: Bijector[] = [];
  for (let i = 0; i < (opts.depth ?? 4); i++) {
    const coupling = new AffineCoupling(channelMask(c, h, w, (i % 2) as 0 | 1), { hidden: [opts.hidden ?? 32], contextFeatures: opts.contextFeatures, dtype: opts.dtype, generator: opts.generator });
    // pushed in data → noise order (actnorm, conv, coupling), reversed at the end
    out.push(new ActNorm(c, { eventDim: 3, dtype: opts.dtype }), new InvertibleConv1x1(c, { dtype: opts.dtype, generator: opts.generator }), coupling);
  }
  return out.reverse();
}

/**
 * RealNVP's steps: affine couplings with alternating checkerboard masks (channel masks once the
 * image is a single pixel), each followed (data → noise) by ActNorm.
 */
export function realNVPSteps(shape: readonly [number, number, number], opts: StepOptions = {}): Bijector[] {
  const [c, h, w] = shape;
  const out: Bijector[] = [];
  for (let i = 0; i < (opts.depth ?? 4); i++) {
    const parity = (i % 2) as 0 | 1;
    const mask = h * w >= 2 ? checkerboardMask(c, h, w, parity) : channelMask(c, h, w, parity);
    out.push(new AffineCoupling(mask, { hidden: [opts.hidden ?? 32], contextFeatures: opts.contextFeatures, dtype: opts.dtype, generator: opts.generator }));
    out.push(new ActNorm(c, { eventDim: 3, dtype: opts.dtype }));
  }
  return out.reverse();
}
