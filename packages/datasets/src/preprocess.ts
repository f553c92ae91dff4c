// Image preprocessing for likelihood models: binarisation, dequantisation, RealNVP's logit.
import { ArgumentError, type Generator, type Tensor, bernoulli, isFloating, rand } from '@likelihood/core';

function floatInput(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) throw new ArgumentError(`${op}: x must be a float tensor, found ${x.dtype}`);
}

/** Fixed-threshold binarisation: 1 where x > threshold (default 0.5), else 0, in x's float dtype. */
export function binarize(x: Tensor, threshold = 0.5): Tensor {
  floatInput('binarize', x);
  if (!Number.isFinite(threshold)) throw new ArgumentError(`binarize: threshold must be a finite number, found ${threshold}`);
  return x.gt(threshold).to(x.dtype);
}

/**
 * Stochastic binarisation (dynamic binarisation, as in the VAE/IWAE literature): x̃ ~ Bernoulli(x),
 * one independent draw per pixel from `generator`. x must hold probabilities in [0, 1].
 */
export function stochasticBinarize(x: Tensor, generator?: Generator): Tensor {
  floatInput('stochasticBinarize', x);
  return bernoulli(x.detach(), { generator });
}

export interface DequantizeOptions {
  /** Bits per value: inputs are integers 0..2^bits − 1. Default 8 (so divide by 256). */
  bits?: number;
  generator?: Generator;
}

/**
 * Uniform dequantisation of integer data: y = (x + u) / 2^bits, u ~ U[0, 1), so y ∈ [0, 1).
 * A continuous density p(y) on [0,1)^D bounds the discrete log-likelihood:
 * log P(x) ≥ E_u[log p(y)] − D·bits·log 2 (Theis et al. 2016). x: int32 or float holding integers.
 */
export function dequantize(x: Tensor, opts: DequantizeOptions = {}): Tensor {
  const bits = opts.bits ?? 8;
  if (!Number.isInteger(bits) || bits < 1 || bits > 24) throw new ArgumentError(`dequantize: bits must be an integer in 1..24, found ${bits}`);
  const levels = 2 ** bits;
  const s = x.storage;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (!(Number.isInteger(v) && v >= 0 && v < levels)) {
      throw new ArgumentError(`dequantize: x must hold integers 0..${levels - 1} (${bits}-bit data), found ${v} at flat position ${i}`);
    }
  }
  const dtype = x.dtype === 'float64' ? 'float64' : 'float32';
  return x.to(dtype).add(rand(x.shape, { generator: opts.generator, dtype })).div(levels);
}

export interface LogitResult {
  /** logit(α + (1 − 2α)·x), same shape as x. */
  y: Tensor;
  /** log |det ∂y/∂x| summed over all dims but the first: [N]. */
  logDet: Tensor;
}

/**
 * RealNVP's logit preprocessing (Dinh et al. 2017, §4.1): p = α + (1 − 2α)·x maps [0, 1] into
 * [α, 1 − α], then y = logit(p) = log p − log(1 − p). Per element ∂y/∂x = (1 − 2α) / (p(1 − p)),
 * so log|det| = Σ [log(1 − 2α) − log p − log(1 − p)] over each example (dims 1..).
 * RealNVP used α = 0.05 on CIFAR-10 (the default here); MAF used α = 1e−6 on MNIST.
 * With dequantised 8-bit y-space densities: log p(x in [0,256)) = log p(y) + logDet − D·log 256.
 */
export function logitTransform(x: Tensor, alpha = 0.05): LogitResult {
  floatInput('logitTransform', x);
  if (!(alpha >= 0 && alpha < 0.5)) throw new ArgumentError(`logitTransform: alpha must be in [0, 0.5), found ${alpha}`);
  if (x.ndim < 1) throw new ArgumentError('logitTransform: x must have a batch dim, found a 0-d tensor');
  const p = x.mul(1 - 2 * alpha).add(alpha);
  const logp = p.log();
  const log1mp = p.neg().log1p();
  const y = logp.sub(log1mp);
  const perElem = logp.add(log1mp).neg().add(Math.log(1 - 2 * alpha));
  const dims = Array.from({ length: x.ndim - 1 }, (_, i) => i + 1);
  const logDet = dims.length ? perElem.sum(dims) : perElem;
  return { y, logDet };
}

/** The inverse of `logitTransform`: x = (sigmoid(y) − α) / (1 − 2α). */
export function inverseLogitTransform(y: Tensor, alpha = 0.05): Tensor {
  floatInput('inverseLogitTransform', y);
  if (!(alpha >= 0 && alpha < 0.5)) throw new ArgumentError(`inverseLogitTransform: alpha must be in [0, 0.5), found ${alpha}`);
  return y.sigmoid().sub(alpha).div(1 - 2 * alpha);
}
