import { ArgumentError, ShapeError } from '../errors.js';
import type { FloatDType } from '../dtype.js';
import { fusedSinusoidal } from '../kernels/wasm/sinusoidal.js';
import { type Tensor, arange, zeros } from '../tensor.js';
import { cast } from './elementwise.js';
import { cat } from './movement.js';

export interface SinusoidalOptions {
  /** Longest period of the sinusoids (default 10000, as in the Transformer and DDPM). */
  maxPeriod?: number;
  dtype?: FloatDType;
}

/**
 * Sinusoidal embedding of (possibly fractional) timesteps or positions t: [N] → [N, dim], as in
 * guided-diffusion's `timestep_embedding`: with half = ⌊dim/2⌋ and fᵢ = maxPeriod^(−i/half),
 * the row is [cos(t·f₀), …, cos(t·f_{half−1}), sin(t·f₀), …, sin(t·f_{half−1})], zero-padded
 * when dim is odd. In float32 one wasm pass computes it (the same values); the composite below is
 * what runs otherwise, is differentiable in t, and is what `trace` records.
 */
export function sinusoidalEmbedding(t: Tensor, dim: number, opts: SinusoidalOptions = {}): Tensor {
  if (!Number.isInteger(dim) || dim < 1) throw new ArgumentError(`sinusoidalEmbedding: dim must be a positive integer, found ${dim}`);
  if (t.ndim !== 1) throw new ShapeError(`sinusoidalEmbedding: expected timesteps of shape [N], found [${t.shape.join(', ')}]`);
  const dtype = opts.dtype ?? (t.dtype === 'float64' ? 'float64' : 'float32');
  const half = Math.floor(dim / 2);
  const maxPeriod = opts.maxPeriod ?? 10000;
  const freqs = arange(0, half, 1, { dtype }).mul(-Math.log(maxPeriod) / half).exp(); // [half]
  const tc = cast(t, dtype);
  const fused = fusedSinusoidal(tc, freqs, dim);
  if (fused) return fused;
  const args = tc.unsqueeze(1).mul(freqs.unsqueeze(0)); // [N, 1] · [1, half] -> [N, half]
  const parts = [args.cos(), args.sin()];
  if (dim % 2 === 1) parts.push(zeros([t.shape[0]!, 1], { dtype }));
  return cat(parts, 1);
}
