import { ArgumentError, type FloatDType, ShapeError, type Tensor, arange, cast, cat, zeros } from '@likelihood/core';
import { Module } from './module.js';

export interface SinusoidalOptions {
  /** Longest period of the sinusoids (default 10000, as in the Transformer and DDPM). */
  maxPeriod?: number;
  dtype?: FloatDType;
}

/**
 * Sinusoidal embedding of (possibly fractional) timesteps or positions t: [N] → [N, dim], as in
 * guided-diffusion's `timestep_embedding`: with half = ⌊dim/2⌋ and fᵢ = maxPeriod^(−i/half),
 * the row is [cos(t·f₀), …, cos(t·f_{half−1}), sin(t·f₀), …, sin(t·f_{half−1})], zero-padded
 * when dim is odd.
 */
export function sinusoidalEmbedding(t: Tensor, dim: number, opts: SinusoidalOptions = {}): Tensor {
  if (!Number.isInteger(dim) || dim < 1) throw new ArgumentError(`sinusoidalEmbedding: dim must be a positive integer, found ${dim}`);
  if (t.ndim !== 1) throw new ShapeError(`sinusoidalEmbedding: expected timesteps of shape [N], found [${t.shape.join(', ')}]`);
  const dtype = opts.dtype ?? (t.dtype === 'float64' ? 'float64' : 'float32');
  const half = Math.floor(dim / 2);
  const maxPeriod = opts.maxPeriod ?? 10000;
  const freqs = arange(0, half, 1, { dtype }).mul(-Math.log(maxPeriod) / half).exp(); // [half]
  const args = cast(t, dtype).unsqueeze(1).mul(freqs.unsqueeze(0)); // [N, 1] · [1, half] -> [N, half]
  const parts = [args.cos(), args.sin()];
  if (dim % 2 === 1) parts.push(zeros([t.shape[0]!, 1], { dtype }));
  return cat(parts, 1);
}

/** `sinusoidalEmbedding` as a module with no parameters (a U-Net's time input, positions). */
export class SinusoidalEmbedding extends Module {
  constructor(
    readonly dim: number,
    readonly opts: SinusoidalOptions = {},
  ) {
    super();
  }

  forward(t: Tensor): Tensor {
    return sinusoidalEmbedding(t, this.dim, this.opts);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}
