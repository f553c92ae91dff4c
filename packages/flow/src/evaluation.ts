// Likelihood evaluation in nats and bits per dimension, with uniform dequantisation.
//
// Integer data x ∈ {0, …, L − 1}^D (L = 256 for 8-bit images) are made continuous with
// y = (x + u)/s, u ~ U[0, 1)^D, where s is the scale the data were divided by (s = 256 for
// y ∈ [0, 1), s = 1 for y ∈ [0, 256)). For any density p on y,
//   log P(x) = log ∫_{[0,1)^D} p((x + u)/s) s^{−D} du ≥ E_u[log p(y)] − D·log s     (Jensen; Theis et al. 2016),
// so the discrete NLL in nats is bounded by −log p(y) + D·log s, and bits/dim is that over D·ln 2.
// With s = 256 the offset is D·log 256 nats = exactly 8 bits per dimension: a uniform density on
// [0, 1)^D (log p = 0) scores 8 bits/dim, the cost of sending raw bytes.
import { ArgumentError, type Generator, type Tensor, rand } from '@likelihood/core';

/** log 256 ≈ 5.545 nats: the per-dimension offset between densities on [0, 1) and on the 8-bit grid. */
export const LOG_256 = Math.log(256);

export interface DequantizedOptions {
  /** What the dequantised data were divided by: 256 (default) when y ∈ [0, 1), 1 when y ∈ [0, 256). */
  scale?: number;
}

function checkDims(op: string, dims: number): void {
  if (!Number.isInteger(dims) || dims < 1) throw new ArgumentError(`${op}: dims must be a positive integer (values per example), found ${dims}`);
}

/** Upper bound on the discrete NLL in nats per example: −log p(y) + D·log s. */
export function discreteNllNats(logProbY: Tensor, dims: number, opts: DequantizedOptions = {}): Tensor {
  checkDims('discreteNllNats', dims);
  const s = opts.scale ?? 256;
  if (!(s > 0)) throw new ArgumentError(`discreteNllNats: scale must be positive, found ${s}`);
  return logProbY.neg().add(dims * Math.log(s));
}

/** Bits per dimension of discrete data from the log-density of its dequantised version: (−log p(y) + D·log s)/(D·ln 2). */
export function bitsPerDim(logProbY: Tensor, dims: number, opts: DequantizedOptions = {}): Tensor {
  return discreteNllNats(logProbY, dims, opts).div(dims * Math.LN2);
}

/** Converts a continuous NLL in nats per example to nats per dimension (for reporting toy densities). */
export function natsPerDim(logProb: Tensor, dims: number): Tensor {
  checkDims('natsPerDim', dims);
  return logProb.neg().div(dims);
}

export interface DequantizeOptions {
  /** Number of levels L (default 256). */
  levels?: number;
  /** Divide by `levels` so y ∈ [0, 1) (default true); else y ∈ [0, levels). */
  normalize?: boolean;
  generator?: Generator;
}

/**
 * Uniform dequantisation: y = (x + u)/L with u ~ U[0, 1) (or x + u without `normalize`). x holds
 * integers 0..L − 1 (int32 or float); the result is float32 (float64 for float64 input).
 */
export function uniformDequantize(x: Tensor, opts: DequantizeOptions = {}): Tensor {
  const levels = opts.levels ?? 256;
  if (!Number.isInteger(levels) || levels < 2) throw new ArgumentError(`uniformDequantize: levels must be an integer ≥ 2, found ${levels}`);
  const s = x.storage;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < levels)) throw new ArgumentError(`uniformDequantize: x must hold integers 0..${levels - 1}, found ${v} at flat index ${i}`);
  }
  const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
  const y = x.to(dtype).add(rand(x.shape, { generator: opts.generator, dtype }));
  return opts.normalize ?? true ? y.div(levels) : y;
}
