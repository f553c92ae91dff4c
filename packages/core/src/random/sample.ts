import { activeRecorder } from '../capture/hooks.js';
import { type DType, type FloatDType, allocate, isFloating } from '../dtype.js';
import { ArgumentError, DTypeError } from '../errors.js';
import { cast, lt, add, mul } from '../ops/elementwise.js';
import { type Shape, assertShape, sizeOf } from '../shape.js';
import { Tensor, type TensorLike } from '../tensor.js';
import { type Generator, defaultGenerator } from './generator.js';
import { lgammaScalar } from './scalar.js';

export interface RandomOptions {
  generator?: Generator;
  dtype?: DType;
}

const genOf = (o?: RandomOptions) => o?.generator ?? defaultGenerator();

function floatDType(op: string, d: DType | undefined): FloatDType {
  const dtype = d ?? 'float32';
  if (!isFloating(dtype)) throw new DTypeError(`${op}: dtype must be float32 or float64, found ${dtype}`);
  return dtype;
}

/** U[0, 1) of `shape`. In a trace this becomes a graph input drawn at run time. */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  assertShape(shape, 'rand');
  const dtype = floatDType('rand', opts.dtype);
  const s = allocate(dtype, sizeOf(shape)) as Float32Array | Float64Array;
  genOf(opts).fillUniform(s);
  const t = new Tensor(s, shape, dtype);
  activeRecorder()?.recordRandom({ kind: 'uniform', shape: [...shape], dtype }, t);
  return t;
}

/** N(0, 1) of `shape`. In a trace this becomes a graph input drawn at run time. */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  assertShape(shape, 'randn');
  const dtype = floatDType('randn', opts.dtype);
  const s = allocate(dtype, sizeOf(shape)) as Float32Array | Float64Array;
  genOf(opts).fillNormal(s);
  const t = new Tensor(s, shape, dtype);
  activeRecorder()?.recordRandom({ kind: 'normal', shape: [...shape], dtype }, t);
  return t;
}

export const randLike = (t: Tensor, opts: RandomOptions = {}): Tensor => rand(t.shape, { dtype: isFloating(t.dtype) ? t.dtype : 'float32', ...opts });
export const randnLike = (t: Tensor, opts: RandomOptions = {}): Tensor => randn(t.shape, { dtype: isFloating(t.dtype) ? t.dtype : 'float32', ...opts });

/** U[low, high) of `shape`. */
export function uniform(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  if (!(high >= low)) throw new ArgumentError(`uniform: high must be >= low, found low ${low}, high ${high}`);
  return add(mul(rand(shape, opts), high - low), low);
}

/** N(mean, std²), broadcasting mean and std (and `shape` when given). */
export function normal(mean: TensorLike, std: TensorLike, opts: RandomOptions & { shape?: Shape } = {}): Tensor {
  if (typeof std === 'number' && !(std >= 0)) throw new ArgumentError(`normal: std must be >= 0, found ${std}`);
  if (typeof std !== 'number' && std.lt(0).sum().item() > 0) throw new ArgumentError('normal: std has negative entries; expected std >= 0');
  const shape = opts.shape ?? (typeof mean !== 'number' ? mean.shape : typeof std !== 'number' ? std.shape : []);
  const dtype = opts.dtype ?? (typeof mean !== 'number' && isFloating(mean.dtype) ? mean.dtype : 'float32');
  return add(mul(randn(shape, { ...opts, dtype }), std), mean);
}

/** Integers uniform on [low, high), int32. */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  assertShape(shape, 'randint');
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ArgumentError(`randint: expected integers low < high, found low ${low}, high ${high}`);
  }
  const g = genOf(opts);
  const s = new Int32Array(sizeOf(shape));
  const range = high - low;
  for (let i = 0; i < s.length; i++) s[i] = low + Math.floor(g.random() * range);
  return new Tensor(s, shape, 'int32');
}

/** A random permutation of 0..n−1 (Fisher–Yates), int32. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`randperm: n must be a non-negative integer, found ${n}`);
  const g = genOf(opts);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(g.random() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return new Tensor(p, [n], 'int32');
}

function checkProbs(op: string, probs: Tensor): void {
  if (!isFloating(probs.dtype)) throw new DTypeError(`${op}: probs must be a float tensor, found ${probs.dtype}`);
  const s = probs.storage;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (!(v >= 0 && v <= 1)) throw new ArgumentError(`${op}: probs must lie in [0, 1], found ${v} at flat position ${i}`);
  }
}

/** 0/1 draws with P(1) = probs, in probs' dtype. A composite (rand < p), so it can be traced. */
export function bernoulli(probs: Tensor, opts: RandomOptions = {}): Tensor {
  checkProbs('bernoulli', probs);
  return cast(lt(rand(probs.shape, { generator: opts.generator, dtype: probs.dtype }), probs.detach()), probs.dtype);
}

/**
 * Draws `numSamples` category indices per row of unnormalised non-negative `probs` [..., K],
 * with or without replacement (torch.multinomial), int32 of shape [..., numSamples].
 */
export function multinomial(probs: Tensor, numSamples: number, opts: RandomOptions & { replacement?: boolean } = {}): Tensor {
  const replacement = opts.replacement ?? false;
  if (probs.ndim < 1) throw new ArgumentError('multinomial: probs must have at least one dim');
  const K = probs.shape[probs.ndim - 1]!;
  if (!Number.isInteger(numSamples) || numSamples < 0) throw new ArgumentError(`multinomial: numSamples must be a non-negative integer, found ${numSamples}`);
  if (!replacement && numSamples > K) {
    throw new ArgumentError(`multinomial: cannot draw ${numSamples} samples without replacement from ${K} categories`);
  }
  const P = probs.storage;
  const rows = K === 0 ? 0 : P.length / K;
  const g = genOf(opts);
  const out = new Int32Array(rows * numSamples);
  const w = new Float64Array(K);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let k = 0; k < K; k++) {
      const v = P[r * K + k]!;
      if (!(v >= 0) || !Number.isFinite(v)) throw new ArgumentError(`multinomial: probs must be finite and non-negative, found ${v} in row ${r}`);
      w[k] = v;
      total += v;
    }
    if (!(total > 0)) throw new ArgumentError(`multinomial: row ${r} of probs sums to 0`);
    for (let s = 0; s < numSamples; s++) {
      const u = g.random() * total;
      let acc = 0;
      let k = 0;
      for (; k < K - 1; k++) {
        acc += w[k]!;
        if (u < acc) break;
      }
      while (w[k] === 0 && k > 0) k--; // never land on a zero-probability category through rounding
      out[r * numSamples + s] = k;
      if (!replacement) {
        total -= w[k]!;
        w[k] = 0;
      }
    }
  }
  return new Tensor(out, [...probs.shape.slice(0, -1), numSamples], 'int32');
}

/** One Gamma(α, 1) draw: Marsaglia & Tsang (2000), with the α < 1 boost u^{1/α} (as torch). */
export function gammaScalar(alpha: number, g: Generator): number {
  if (alpha < 1) {
    const u = 1 - g.random();
    return gammaScalar(alpha + 1, g) * u ** (1 / alpha);
  }
  const d = alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = g.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - g.random();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Gamma(concentration, rate 1) draws, one per element, in concentration's dtype. */
export function gamma(concentration: Tensor, opts: RandomOptions = {}): Tensor {
  if (!isFloating(concentration.dtype)) throw new DTypeError(`gamma: concentration must be a float tensor, found ${concentration.dtype}`);
  const C = concentration.storage;
  const g = genOf(opts);
  const out = allocate(concentration.dtype, C.length);
  for (let i = 0; i < C.length; i++) {
    const a = C[i]!;
    if (!(a > 0)) throw new ArgumentError(`gamma: concentration must be > 0, found ${a} at flat position ${i}`);
    // Tiny results underflow in float32; keep them positive as torch clamps to the smallest normal.
    out[i] = Math.max(gammaScalar(a, g), concentration.dtype === 'float32' ? 1.1754943508222875e-38 : Number.MIN_VALUE);
  }
  return new Tensor(out, concentration.shape, concentration.dtype);
}

/** One Poisson(μ) draw: inversion for μ < 10, Hörmann's PTRS (1993) above. */
export function poissonScalar(mu: number, g: Generator): number {
  if (mu === 0) return 0;
  if (mu < 10) {
    let x = 0;
    let p = Math.exp(-mu);
    let s = p;
    const u = g.random();
    while (u > s && x < 1000) {
      x++;
      p *= mu / x;
      s += p;
    }
    return x;
  }
  const smu = Math.sqrt(mu);
  const b = 0.931 + 2.53 * smu;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  const logMu = Math.log(mu);
  for (;;) {
    const U = g.random() - 0.5;
    const V = g.random();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + mu + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mu + k * logMu - lgammaScalar(k + 1)) return k;
  }
}

/** Poisson(rate) draws, one per element, in rate's dtype. */
export function poisson(rate: Tensor, opts: RandomOptions = {}): Tensor {
  if (!isFloating(rate.dtype)) throw new DTypeError(`poisson: rate must be a float tensor, found ${rate.dtype}`);
  const R = rate.storage;
  const g = genOf(opts);
  const out = allocate(rate.dtype, R.length);
  for (let i = 0; i < R.length; i++) {
    const mu = R[i]!;
    if (!(mu >= 0) || !Number.isFinite(mu)) throw new ArgumentError(`poisson: rate must be finite and >= 0, found ${mu} at flat position ${i}`);
    out[i] = poissonScalar(mu, g);
  }
  return new Tensor(out, rate.shape, rate.dtype);
}
