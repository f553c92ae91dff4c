import { fusedChannelAffine } from '../kernels/cpu/channelAffine.js';
import { fusedBceWithLogits } from '../kernels/wasm/bceWithLogits.js';
import { fusedConvBias } from '../kernels/wasm/channelBias.js';
import { fusedGroupNorm } from '../kernels/wasm/groupNorm.js';
import { fusedLayerNorm } from '../kernels/wasm/layerNorm.js';
import { runPrimitive } from '../dispatch.js';
import { isFloating, promoteTypes } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { convOutSize, convTransposeOutSize } from '../kernels/cpu/conv.js';
import { type Generator, rand } from '../random/index.js';
import { Tensor, full } from '../tensor.js';
import { log1p, silu } from './activations.js';
import { abs, add, cast, div, exp, ge, maximum, mul, neg, sqrt, sub } from './elementwise.js';
import { indexSelect } from './indexing.js';
import { expand, reshape } from './movement.js';
import { mean, sum } from './reduce.js';

/** An int or one int per spatial dim (torch's `_pair`/`_single`). */
export type IntOrTuple = number | readonly number[];

/** Expands `v` to `n` entries and checks each is an integer >= `min`; names the op and argument. */
function tuple(v: IntOrTuple, n: number, op: string, arg: string, min: number): number[] {
  const out = typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
  if (out.length !== n) {
    throw new ArgumentError(`${op}: ${arg} must be an int or a list of ${n} ints, found ${JSON.stringify(v)}`);
  }
  for (const d of out) {
    if (!Number.isInteger(d) || d < min) {
      throw new ArgumentError(`${op}: ${arg} must hold integers >= ${min}, found ${JSON.stringify(v)}`);
    }
  }
  return out;
}

function checkFloat(op: string, what: string, t: Tensor): void {
  if (!isFloating(t.dtype)) throw new DTypeError(`${op}: ${what} must be a float tensor, found dtype ${t.dtype}`);
}

/** Adds a leading batch dim to unbatched input (C, *S), as torch's conv/pool functions accept it. */
function batchify(op: string, x: Tensor, nsp: number): { x: Tensor; unbatched: boolean } {
  if (x.ndim === nsp + 2) return { x, unbatched: false };
  if (x.ndim === nsp + 1) return { x: reshape(x, [1, ...x.shape]), unbatched: true };
  throw new ShapeError(`${op}: expected input of shape (N, C, ${spatialNames(nsp)}) or (C, ${spatialNames(nsp)}), found ${fmtShape(x.shape)}`);
}

function spatialNames(nsp: number): string {
  return ['L', 'H, W', 'D, H, W'][nsp - 1]!;
}

function unbatch(y: Tensor, unbatched: boolean): Tensor {
  return unbatched ? reshape(y, y.shape.slice(1)) : y;
}

export interface ConvOptions {
  stride?: IntOrTuple;
  /** Zero padding on both sides of each spatial dim, or 'valid' (none) / 'same' (stride 1 only). */
  padding?: IntOrTuple | 'valid' | 'same';
  dilation?: IntOrTuple;
  groups?: number;
}

function convNd(op: string, nsp: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvOptions): Tensor {
  checkFloat(op, 'input', input);
  checkFloat(op, 'weight', weight);
  const b = batchify(op, input, nsp);
  let x = b.x;
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ArgumentError(`${op}: groups must be a positive integer, found ${groups}`);
  const strides = tuple(opts.stride ?? 1, nsp, op, 'stride', 1);
  const dilations = tuple(opts.dilation ?? 1, nsp, op, 'dilation', 1);
  if (weight.ndim !== nsp + 2) {
    throw new ShapeError(`${op}: expected weight of shape (outChannels, inChannels / groups, ${spatialNames(nsp)}), found ${fmtShape(weight.shape)}`);
  }
  const [O, Cg] = weight.shape as [number, number];
  const K = weight.shape.slice(2);
  const C = x.shape[1]!;
  if (O % groups !== 0) {
    throw new ArgumentError(`${op}: groups=${groups} must divide the weight's out channels, found weight of shape ${fmtShape(weight.shape)}`);
  }
  if (C !== Cg * groups) {
    throw new ShapeError(
      `${op}: groups=${groups} and weight of shape ${fmtShape(weight.shape)} expect input with ${Cg * groups} channels, found input of shape ${fmtShape(input.shape)} (${C} channels)`,
    );
  }
  let pads: number[];
  const padding = opts.padding ?? 0;
  if (padding === 'valid') pads = new Array<number>(2 * nsp).fill(0);
  else if (padding === 'same') {
    if (strides.some((s) => s !== 1)) throw new ArgumentError(`${op}: padding='same' needs stride 1, found stride ${JSON.stringify(opts.stride)}`);
    // Like torch: total padding d·(k−1), the extra one (for even kernels) at the end.
    const total = K.map((k, i) => dilations[i]! * (k - 1));
    pads = [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => t - Math.floor(t / 2))];
  } else {
    if (typeof padding === 'string') throw new ArgumentError(`${op}: padding must be an int, a list of ints, 'valid' or 'same', found '${padding}'`);
    const p = tuple(padding, nsp, op, 'padding', 0);
    pads = [...p, ...p];
  }
  const S = x.shape.slice(2);
  const out = S.map((s, i) => convOutSize(s, K[i]!, strides[i]!, pads[i]!, pads[i + nsp]!, dilations[i]!));
  if (out.some((o) => o < 1)) {
    throw new ShapeError(
      `${op}: input of shape ${fmtShape(input.shape)} (padded by ${JSON.stringify(pads)}) is smaller than the dilated kernel of weight ${fmtShape(weight.shape)} (dilation ${JSON.stringify(dilations)}); output size would be ${fmtShape(out)}`,
    );
  }
  const dtype = promoteTypes(x.dtype, weight.dtype);
  x = cast(x, dtype);
  let y = runPrimitive('Conv', [x, cast(weight, dtype)], { strides, pads, dilations, group: groups });
  if (bias) y = addBias(op, y, bias, O);
  return unbatch(y, b.unbatched);
}

function addBias(op: string, y: Tensor, bias: Tensor, O: number): Tensor {
  if (bias.ndim !== 1 || bias.shape[0] !== O) {
    throw new ShapeError(`${op}: expected bias of shape ${fmtShape([O])}, found ${fmtShape(bias.shape)}`);
  }
  const b = cast(bias, y.dtype);
  // y is the Conv/ConvTranspose primitive's fresh output, seen only here: the bias goes in in place
  return fusedConvBias(y, b) ?? add(y, reshape(b, [1, O, ...new Array<number>(y.ndim - 2).fill(1)]));
}

/** 1-D convolution over (N, C, L) input with weight (O, C / groups, K), like torch.nn.functional.conv1d. */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd('conv1d', 1, input, weight, bias, opts);
}

/** 2-D convolution over (N, C, H, W) input with weight (O, C / groups, kH, kW), like torch.nn.functional.conv2d. */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions = {}): Tensor {
  return convNd('conv2d', 2, input, weight, bias, opts);
}

export interface ConvTransposeOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  outputPadding?: IntOrTuple;
  dilation?: IntOrTuple;
  groups?: number;
}

function convTransposeNd(op: string, nsp: number, input: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvTransposeOptions): Tensor {
  checkFloat(op, 'input', input);
  checkFloat(op, 'weight', weight);
  const b = batchify(op, input, nsp);
  let x = b.x;
  const groups = opts.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1) throw new ArgumentError(`${op}: groups must be a positive integer, found ${groups}`);
  const strides = tuple(opts.stride ?? 1, nsp, op, 'stride', 1);
  const dilations = tuple(opts.dilation ?? 1, nsp, op, 'dilation', 1);
  const p = tuple(opts.padding ?? 0, nsp, op, 'padding', 0);
  const outputPadding = tuple(opts.outputPadding ?? 0, nsp, op, 'outputPadding', 0);
  outputPadding.forEach((v, i) => {
    if (v >= strides[i]! && v >= dilations[i]!) {
      throw new ArgumentError(
        `${op}: outputPadding must be smaller than stride or dilation, found outputPadding ${JSON.stringify(outputPadding)} with stride ${JSON.stringify(strides)} and dilation ${JSON.stringify(dilations)}`,
      );
    }
  });
  if (weight.ndim !== nsp + 2) {
    throw new ShapeError(`${op}: expected weight of shape (inChannels, outChannels / groups, ${spatialNames(nsp)}), found ${fmtShape(weight.shape)}`);
  }
  const [Cin, Og] = weight.shape as [number, number];
  const K = weight.shape.slice(2);
  const C = x.shape[1]!;
  if (Cin % groups !== 0) {
    throw new ArgumentError(`${op}: groups=${groups} must divide the weight's in channels, found weight of shape ${fmtShape(weight.shape)}`);
  }
  if (C !== Cin) {
    throw new ShapeError(`${op}: weight of shape ${fmtShape(weight.shape)} expects input with ${Cin} channels, found input of shape ${fmtShape(input.shape)} (${C} channels)`);
  }
  const pads = [...p, ...p];
  const S = x.shape.slice(2);
  const out = S.map((s, i) => convTransposeOutSize(s, K[i]!, strides[i]!, p[i]!, p[i]!, dilations[i]!, outputPadding[i]!));
  if (out.some((o) => o < 1)) {
    throw new ShapeError(`${op}: input of shape ${fmtShape(input.shape)} with weight ${fmtShape(weight.shape)} and padding ${JSON.stringify(p)} gives output size ${fmtShape(out)}`);
  }
  const dtype = promoteTypes(x.dtype, weight.dtype);
  x = cast(x, dtype);
  let y = runPrimitive('ConvTranspose', [x, cast(weight, dtype)], { strides, pads, dilations, group: groups, outputPadding });
  if (bias) y = addBias(op, y, bias, Og * groups);
  return unbatch(y, b.unbatched);
}

/** Transposed 1-D convolution, weight (C, O / groups, K), like torch.nn.functional.conv_transpose1d. */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd('convTranspose1d', 1, input, weight, bias, opts);
}

/** Transposed 2-D convolution, weight (C, O / groups, kH, kW), like torch.nn.functional.conv_transpose2d. */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  return convTransposeNd('convTranspose2d', 2, input, weight, bias, opts);
}

/** Checks pool arguments like torch: stride defaults to the kernel, padding at most half the (dilated) kernel. */
function poolArgs(op: string, kernelSize: IntOrTuple, stride: IntOrTuple | undefined, padding: IntOrTuple, dilation: IntOrTuple) {
  const k = tuple(kernelSize, 2, op, 'kernelSize', 1);
  const s = stride === undefined || (Array.isArray(stride) && stride.length === 0) ? k : tuple(stride, 2, op, 'stride', 1);
  const p = tuple(padding, 2, op, 'padding', 0);
  const d = tuple(dilation, 2, op, 'dilation', 1);
  p.forEach((pi, i) => {
    if (pi > Math.floor((d[i]! * (k[i]! - 1) + 1) / 2)) {
      throw new ArgumentError(`${op}: padding should be at most half of the effective kernel size, found padding ${JSON.stringify(padding)} with kernelSize ${JSON.stringify(kernelSize)}`);
    }
  });
  return { k, s, p, d };
}

/**
 * Pool output size along one dim (torch's pooling_output_shape): with ceilMode the last
 * window may run past the end, but must start inside the input or its left padding.
 */
function poolOutSize(S: number, k: number, s: number, p: number, d: number, ceilMode: boolean): number {
  const span = S + 2 * p - d * (k - 1) - 1;
  let out = Math.floor((span + (ceilMode ? s - 1 : 0)) / s) + 1;
  if (ceilMode && (out - 1) * s >= S + p) out--;
  return out;
}

/** Output sizes and ONNX pads [begin..., end...]; ceil mode becomes extra end padding. */
function poolGeometry(op: string, x: Tensor, input: Tensor, k: number[], s: number[], p: number[], d: number[], ceilMode: boolean) {
  const out = [0, 1].map((i) => poolOutSize(x.shape[2 + i]!, k[i]!, s[i]!, p[i]!, d[i]!, ceilMode));
  if (out.some((o) => o < 1)) throw new ShapeError(`${op}: input of shape ${fmtShape(input.shape)} is too small: output size would be ${fmtShape(out)}`);
  const end = [0, 1].map((i) => Math.max(p[i]!, (out[i]! - 1) * s[i]! + d[i]! * (k[i]! - 1) + 1 - x.shape[2 + i]! - p[i]!));
  return { out, pads: [...p, ...end] };
}

export interface AvgPoolOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  /** Let the last window run past the end (output size rounded up), as torch's ceil_mode. */
  ceilMode?: boolean;
  /** Count zero padding in the divisor (torch default true). */
  countIncludePad?: boolean;
  /** Divide every window sum by this instead. */
  divisorOverride?: number;
}

/**
 * 2-D average pooling, like torch.nn.functional.avg_pool2d. A composite: a depthwise conv
 * with a ones kernel (window sums), divided by a constant (Ho, Wo) map of torch's divisors
 * (windows past the padded edge in ceil mode, or padding with countIncludePad=false, count less).
 */
export function avgPool2d(input: Tensor, kernelSize: IntOrTuple, opts: AvgPoolOptions = {}): Tensor {
  const op = 'avgPool2d';
  checkFloat(op, 'input', input);
  const b = batchify(op, input, 2);
  const x = b.x;
  const { k, s, p } = poolArgs(op, kernelSize, opts.stride, opts.padding ?? 0, 1);
  const { out, pads } = poolGeometry(op, x, input, k, s, p, [1, 1], opts.ceilMode ?? false);
  const C = x.shape[1]!;
  const w = full([C, 1, k[0]!, k[1]!], 1, { dtype: x.dtype }); // (C, 1, kH, kW)
  const sums = runPrimitive('Conv', [x, w], { strides: s, pads, dilations: [1, 1], group: C });
  const [H, W] = [x.shape[2]!, x.shape[3]!];
  const [Ho, Wo] = out as [number, number];
  const div0 = new Float64Array(Ho * Wo);
  const includePad = opts.countIncludePad ?? true;
  for (let i = 0; i < Ho; i++) {
    for (let j = 0; j < Wo; j++) {
      if (opts.divisorOverride !== undefined) {
        div0[i * Wo + j] = opts.divisorOverride;
        continue;
      }
      // Same arithmetic as torch's avg_pool2d kernel.
      let h0 = i * s[0]! - p[0]!;
      let w0 = j * s[1]! - p[1]!;
      let h1 = Math.min(h0 + k[0]!, H + p[0]!);
      let w1 = Math.min(w0 + k[1]!, W + p[1]!);
      const poolSize = (h1 - h0) * (w1 - w0);
      h0 = Math.max(h0, 0);
      w0 = Math.max(w0, 0);
      h1 = Math.min(h1, H);
      w1 = Math.min(w1, W);
      div0[i * Wo + j] = includePad ? poolSize : (h1 - h0) * (w1 - w0);
    }
  }
  const divisor = cast(new Tensor(div0, [Ho, Wo], 'float64'), x.dtype); // (Ho, Wo)
  return unbatch(div(sums, divisor), b.unbatched);
}

export interface MaxPoolOptions {
  stride?: IntOrTuple;
  padding?: IntOrTuple;
  dilation?: IntOrTuple;
  /** Let the last window run past the end (output size rounded up), as torch's ceil_mode. */
  ceilMode?: boolean;
}

/** 2-D max pooling, like torch.nn.functional.max_pool2d. Padding counts as -inf. */
export function maxPool2d(input: Tensor, kernelSize: IntOrTuple, opts: MaxPoolOptions = {}): Tensor {
  const op = 'maxPool2d';
  checkFloat(op, 'input', input);
  const b = batchify(op, input, 2);
  const { k, s, p, d } = poolArgs(op, kernelSize, opts.stride, opts.padding ?? 0, opts.dilation ?? 1);
  const { pads } = poolGeometry(op, b.x, input, k, s, p, d, opts.ceilMode ?? false);
  const y = runPrimitive('MaxPool', [b.x], { kernelShape: k, strides: s, pads, dilations: d });
  return unbatch(y, b.unbatched);
}

/**
 * Nearest-neighbour upsampling by integer factors over every spatial dim of (N, C, *S), like
 * F.interpolate(x, scale_factor=f, mode='nearest'). A composite: reshape, expand, reshape.
 */
export function upsampleNearest(input: Tensor, scaleFactor: IntOrTuple): Tensor {
  const op = 'upsampleNearest';
  if (input.ndim < 3) throw new ShapeError(`${op}: expected input of shape (N, C, *spatial) with 1-3 spatial dims, found ${fmtShape(input.shape)}`);
  const nsp = input.ndim - 2;
  const f = tuple(scaleFactor, nsp, op, 'scaleFactor', 1);
  const S = input.shape.slice(2);
  const [N, C] = input.shape as [number, number];
  const inter = S.flatMap((s) => [s, 1]);
  const big = S.flatMap((s, i) => [s, f[i]!]);
  const x = reshape(input, [N, C, ...inter]); // (N, C, S1, 1, S2, 1, ...)
  const e = expand(x, [N, C, ...big]); // (N, C, S1, f1, S2, f2, ...)
  return reshape(e, [N, C, ...S.map((s, i) => s * f[i]!)]);
}

/** Normalises over trailing dims; returns (x − mean) / sqrt(biased var + eps). */
function normalize(x: Tensor, dims: number[], eps: number): Tensor {
  const mu = mean(x, dims, true);
  const xc = sub(x, mu);
  const v = mean(mul(xc, xc), dims, true);
  return div(xc, sqrt(add(v, eps)));
}

/** Layer normalisation over the trailing `normalizedShape` dims, like torch.nn.functional.layer_norm. */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const op = 'layerNorm';
  checkFloat(op, 'input', input);
  const ns = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  const k = ns.length;
  if (k === 0 || k > input.ndim || ns.some((d, i) => input.shape[input.ndim - k + i] !== d)) {
    throw new ShapeError(`${op}: normalizedShape ${fmtShape(ns)} must equal the trailing dims of the input, found input of shape ${fmtShape(input.shape)}`);
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== k || t.shape.some((d, i) => d !== ns[i]))) {
      throw new ShapeError(`${op}: expected ${name} of shape ${fmtShape(ns)}, found ${fmtShape(t.shape)}`);
    }
  }
  const fused = fusedLayerNorm(input, k, weight ?? null, bias ?? null, eps); // float32, large: wasm
  if (fused) return fused;
  let y = normalize(input, Array.from({ length: k }, (_, i) => input.ndim - k + i), eps);
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/** Checks groupNorm's arguments (shared by groupNorm and groupNormSilu). */
function checkGroupNorm(op: string, input: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null): void {
  checkFloat(op, 'input', input);
  if (input.ndim < 2) throw new ShapeError(`${op}: expected input of shape (N, C, *), found ${fmtShape(input.shape)}`);
  const C = input.shape[1]!;
  if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0) {
    throw new ArgumentError(`${op}: numGroups must be a positive integer dividing the ${C} channels of input ${fmtShape(input.shape)}, found ${numGroups}`);
  }
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.ndim !== 1 || t.shape[0] !== C)) throw new ShapeError(`${op}: expected ${name} of shape ${fmtShape([C])}, found ${fmtShape(t.shape)}`);
  }
}

/** Group normalisation of (N, C, *) input over C / numGroups channels at a time, like torch.nn.functional.group_norm. */
export function groupNorm(input: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  checkGroupNorm('groupNorm', input, numGroups, weight, bias);
  // float32, large: statistics, affine (and no activation) in one wasm pass each way
  const fused = fusedGroupNorm(input, numGroups, weight ?? null, bias ?? null, eps, false);
  if (fused) return fused;
  const [N, C] = input.shape as [number, number];
  const grouped = reshape(input, [N, numGroups, -1]); // (N, G, C/G · spatial)
  // each group's values are one contiguous row: the fused layerNorm kernel (no affine) normalises them
  const normalized = fusedLayerNorm(grouped, 1, null, null, eps) ?? normalize(grouped, [2], eps);
  let y = reshape(normalized, input.shape);
  if (weight || bias) {
    const fusedAffine = fusedChannelAffine(y, weight ?? null, bias ?? null); // one loop each way
    if (fusedAffine) return fusedAffine;
  }
  const bshape = [1, C, ...new Array<number>(input.ndim - 2).fill(1)];
  if (weight) y = mul(y, reshape(weight, bshape));
  if (bias) y = add(y, reshape(bias, bshape));
  return y;
}

/**
 * silu(groupNorm(input, numGroups, weight, bias, eps)), the norm-then-activate of a U-Net block:
 * for large float32 inputs one wasm pass each way (the composite makes two kernel calls and
 * their copies each way).
 */
export function groupNormSilu(input: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  checkGroupNorm('groupNormSilu', input, numGroups, weight, bias);
  return fusedGroupNorm(input, numGroups, weight ?? null, bias ?? null, eps, true) ?? silu(groupNorm(input, numGroups, weight, bias, eps));
}

/**
 * Binary cross-entropy with logits, elementwise, as torch.nn.functional.binary_cross_entropy_with_logits
 * with reduction 'none': max(l, 0) − x·l + log1p(e^{−|l|}) = −log Bernoulli(x; σ(l)), exact and finite
 * for every finite logit. `target` has the logits' shape (as torch requires). Weights and reductions
 * are @likelihood/losses' `bceWithLogits`. Eagerly one fused loop each way; the composite under trace.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkFloat(op, 'logits', logits);
  if (logits.ndim !== target.ndim || logits.shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(`${op}: target must have the logits' shape ${fmtShape(logits.shape)}, found ${fmtShape(target.shape)}`);
  }
  const fused = fusedBceWithLogits(logits, target);
  if (fused) return fused;
  return add(sub(maximum(logits, 0), mul(target, logits)), log1p(exp(neg(abs(logits)))));
}

/**
 * binaryCrossEntropyWithLogits summed over the last dim, (…, D) → (…): the Bernoulli NLL of each
 * row of D independent values (an image's pixels), as a VAE's Bernoulli decoder needs it. Eagerly
 * one fused pass each way that never holds the elementwise loss; the composite under trace.
 */
export function binaryCrossEntropyWithLogitsSum(logits: Tensor, target: Tensor): Tensor {
  const op = 'binaryCrossEntropyWithLogitsSum';
  checkFloat(op, 'logits', logits);
  if (logits.ndim < 1) throw new ShapeError(`${op}: expected logits with at least one dim, found a scalar`);
  if (logits.ndim !== target.ndim || logits.shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(`${op}: target must have the logits' shape ${fmtShape(logits.shape)}, found ${fmtShape(target.shape)}`);
  }
  return fusedBceWithLogits(logits, target, true) ?? sum(binaryCrossEntropyWithLogits(logits, target), -1);
}

/** Looks rows of `weight` (numEmbeddings, dim) up by integer `indices` of any shape: (*indices.shape, dim). */
export function embedding(indices: Tensor, weight: Tensor): Tensor {
  const op = 'embedding';
  if (indices.dtype !== 'int32') throw new DTypeError(`${op}: indices must be an int32 tensor, found dtype ${indices.dtype}`);
  if (weight.ndim !== 2) throw new ShapeError(`${op}: expected weight of shape (numEmbeddings, embeddingDim), found ${fmtShape(weight.shape)}`);
  const n = weight.shape[0]!;
  const s = indices.storage;
  for (let i = 0; i < s.length; i++) {
    if (s[i]! < 0 || s[i]! >= n) throw new ArgumentError(`${op}: index ${s[i]} out of range for weight of shape ${fmtShape(weight.shape)} (expected 0 <= index < ${n})`);
  }
  const rows = indexSelect(weight, 0, reshape(indices, [-1])); // (numel, D)
  return reshape(rows, [...indices.shape, weight.shape[1]!]);
}

/**
 * Inverted dropout, like torch.nn.functional.dropout: zeroes each element with probability p
 * and scales the rest by 1/(1−p); the identity when not training or p = 0. The mask comes
 * from `rand` with the given generator, so it is reproducible from a seed.
 */
export function dropout(input: Tensor, p = 0.5, training = true, generator?: Generator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ArgumentError(`dropout: p must be a probability in [0, 1], found ${p}`);
  if (!training || p === 0) return input;
  checkFloat('dropout', 'input', input);
  if (p === 1) return mul(input, 0);
  const u = rand(input.shape, { dtype: input.dtype, generator });
  const keep = cast(ge(u, p), input.dtype); // P(keep) = 1 − p
  return mul(input, mul(keep, 1 / (1 - p)));
}

export { Tensor as _TensorForTypes };
