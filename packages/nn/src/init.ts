// Parameter initialisers with torch.nn.init's names, formulas and defaults.
//
// Storage is never written: each initialiser draws a fresh tensor and swaps it into `t` with
// `assign_` under `noGrad`, then returns `t` (so `init.zeros_(this.bias)` reads like torch).
import { ArgumentError, DTypeError, type Generator, type Tensor, erfinv, full, isFloating, noGrad, rand, randn } from '@likelihood/core';

/** Nonlinearities known to `calculateGain`: torch's strings, and camelCase spellings of the two-word ones. */
export type Nonlinearity =
  | 'linear'
  | 'identity'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'convTranspose1d'
  | 'convTranspose2d'
  | 'convTranspose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'leakyRelu'
  | 'selu';

const LINEAR_LIKE = new Set([
  'linear', 'identity', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
  'convTranspose1d', 'convTranspose2d', 'convTranspose3d', 'sigmoid',
]);

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear, conv
 * and sigmoid; 5/3 for tanh; √2 for relu; √(2 / (1 + slope²)) for leaky relu (slope `param`,
 * default 0.01); 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  if (LINEAR_LIKE.has(nonlinearity)) return 1;
  switch (nonlinearity) {
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu':
    case 'leakyRelu': {
      const slope = param ?? 0.01;
      if (typeof slope !== 'number' || !Number.isFinite(slope)) {
        throw new ArgumentError(`calculateGain: negative slope ${String(param)} is not a valid number`);
      }
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new ArgumentError(
        `calculateGain: unsupported nonlinearity '${String(nonlinearity)}'; expected one of linear, conv1d/2d/3d, convTranspose1d/2d/3d, sigmoid, tanh, relu, leakyRelu, selu`,
      );
  }
}

/**
 * Fan in and fan out of a weight (torch.nn.init._calculate_fan_in_and_fan_out): for a weight
 * of shape (a, b, *k), fanIn = b·∏k and fanOut = a·∏k. So a Linear weight (out, in) has
 * fanIn = in, a Conv2d weight (out, in/groups, kH, kW) has fanIn = in/groups·kH·kW, and a
 * ConvTranspose2d weight (in, out/groups, kH, kW) has fanIn = out/groups·kH·kW (as torch).
 */
export function computeFans(t: Tensor | readonly number[]): { fanIn: number; fanOut: number } {
  const shape = Array.isArray(t) ? (t as readonly number[]) : (t as Tensor).shape;
  if (shape.length < 2) {
    throw new ArgumentError(`computeFans: fan in and fan out need a tensor with at least 2 dims, found shape [${shape.join(', ')}]`);
  }
  let receptive = 1;
  for (let i = 2; i < shape.length; i++) receptive *= shape[i]!;
  return { fanIn: shape[1]! * receptive, fanOut: shape[0]! * receptive };
}

export type FanMode = 'fanIn' | 'fanOut';

export interface KaimingOptions {
  /** Negative slope of the leaky relu after this layer (only with nonlinearity leakyRelu); default 0. */
  a?: number;
  /** 'fanIn' (default) keeps the forward variance, 'fanOut' the backward variance. */
  mode?: FanMode | 'fan_in' | 'fan_out';
  /** Default 'leakyRelu', as torch. */
  nonlinearity?: Nonlinearity;
}

function checkFloat(op: string, t: Tensor): void {
  if (!isFloating(t.dtype)) throw new DTypeError(`${op}: expected a float tensor, found dtype ${t.dtype}`);
}

function checkNumber(op: string, name: string, v: number): void {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new ArgumentError(`${op}: ${name} must be a number, found ${String(v)}`);
}

function put(t: Tensor, value: Tensor): Tensor {
  noGrad(() => t.assign_(value));
  return t;
}

/** Fills `t` with draws from U(a, b) (torch.nn.init.uniform_). */
export function uniform_(t: Tensor, a = 0, b = 1, generator?: Generator): Tensor {
  const op = 'uniform_';
  checkFloat(op, t);
  checkNumber(op, 'a', a);
  checkNumber(op, 'b', b);
  if (!(b >= a)) throw new ArgumentError(`${op}: expected a <= b, found a ${a}, b ${b}`);
  return noGrad(() => put(t, rand(t.shape, { dtype: t.dtype, generator }).mul(b - a).add(a)));
}

/** Fills `t` with draws from N(mean, std²) (torch.nn.init.normal_). */
export function normal_(t: Tensor, mean = 0, std = 1, generator?: Generator): Tensor {
  const op = 'normal_';
  checkFloat(op, t);
  checkNumber(op, 'mean', mean);
  if (!(std >= 0)) throw new ArgumentError(`${op}: std must be >= 0, found ${std}`);
  return noGrad(() => put(t, randn(t.shape, { dtype: t.dtype, generator }).mul(std).add(mean)));
}

/** Fills `t` with `value` (torch.nn.init.constant_); any dtype. */
export function constant_(t: Tensor, value: number): Tensor {
  checkNumber('constant_', 'value', value);
  return put(t, full(t.shape, value, { dtype: t.dtype }));
}

export const zeros_ = (t: Tensor): Tensor => constant_(t, 0);
export const ones_ = (t: Tensor): Tensor => constant_(t, 1);

/** U(−a, a) with a = gain·√(6 / (fanIn + fanOut)) (Glorot & Bengio 2010; torch.nn.init.xavier_uniform_). */
export function xavierUniform_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = computeFans(t);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  const a = Math.sqrt(3) * std;
  return uniform_(t, -a, a, generator);
}

/** N(0, std²) with std = gain·√(2 / (fanIn + fanOut)) (torch.nn.init.xavier_normal_). */
export function xavierNormal_(t: Tensor, gain = 1, generator?: Generator): Tensor {
  const { fanIn, fanOut } = computeFans(t);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  return normal_(t, 0, std, generator);
}

function kaimingStd(op: string, t: Tensor, opts: KaimingOptions): number {
  const mode = opts.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut' && mode !== 'fan_in' && mode !== 'fan_out') {
    throw new ArgumentError(`${op}: mode must be 'fanIn' or 'fanOut', found '${String(mode)}'`);
  }
  const { fanIn, fanOut } = computeFans(t);
  const fan = mode === 'fanIn' || mode === 'fan_in' ? fanIn : fanOut;
  const gain = calculateGain(opts.nonlinearity ?? 'leakyRelu', opts.a ?? 0);
  return gain / Math.sqrt(fan);
}

/**
 * U(−bound, bound) with bound = gain·√(3 / fan) (He et al. 2015; torch.nn.init.kaiming_uniform_).
 * Defaults as torch: a = 0, mode 'fanIn', nonlinearity 'leakyRelu'. A tensor with no elements
 * is left as it is (torch warns and returns).
 */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}, generator?: Generator): Tensor {
  if (t.size === 0) return t;
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, opts);
  return uniform_(t, -bound, bound, generator);
}

/** N(0, std²) with std = gain / √fan (torch.nn.init.kaiming_normal_). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}, generator?: Generator): Tensor {
  if (t.size === 0) return t;
  return normal_(t, 0, kaimingStd('kaimingNormal_', t, opts), generator);
}

/**
 * N(mean, std²) truncated to [a, b] (torch.nn.init.trunc_normal_, defaults a = −2, b = 2 in
 * absolute units, as torch): inverse-CDF sampling, then clamped to [a, b].
 */
export function truncNormal_(t: Tensor, mean = 0, std = 1, a = -2, b = 2, generator?: Generator): Tensor {
  const op = 'truncNormal_';
  checkFloat(op, t);
  checkNumber(op, 'mean', mean);
  if (!(std >= 0)) throw new ArgumentError(`${op}: std must be >= 0, found ${std}`);
  if (!(b > a)) throw new ArgumentError(`${op}: expected a < b, found a ${a}, b ${b}`);
  const cdf = (x: number) => (1 + erfScalar(x / Math.SQRT2)) / 2;
  const l = cdf((a - mean) / std);
  const u = cdf((b - mean) / std);
  return noGrad(() => {
    const p = rand(t.shape, { dtype: t.dtype, generator }).mul(2 * u - 2 * l).add(2 * l - 1); // U(2l − 1, 2u − 1)
    return put(t, erfinv(p).mul(std * Math.SQRT2).add(mean).clamp(a, b));
  });
}

/** erf of a number: Maclaurin series below 2.5, Lentz's continued fraction for erfc above. */
function erfScalar(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    // Maclaurin series: erf x = 2/√π Σ (−1)ⁿ x^{2n+1} / (n! (2n+1))
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  // Continued fraction for erfc (Lentz), accurate for x >= 2.5.
  let f = ax;
  let C = ax;
  let D = 0;
  for (let n = 1; n < 300; n++) {
    const an = n / 2;
    D = ax + an * D;
    C = ax + an / C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-ax * ax) / (f * Math.sqrt(Math.PI));
  const r = 1 - erfc;
  return x < 0 ? -r : r;
}
