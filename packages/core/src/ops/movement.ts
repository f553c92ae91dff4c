import { runPrimitive } from '../dispatch.js';
import { ArgumentError, ShapeError, fmtShape } from '../errors.js';
import { promoteTypes } from '../dtype.js';
import { type Shape, broadcastShapes, normalizeDim, normalizeDims, shapesEqual, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { cast } from './elementwise.js';
import { sum } from './reduce.js';

/** Reshape (shares storage). One dim may be -1 and is inferred. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape(shape, x.size, x.shape);
  if (shapesEqual(target, x.shape)) return x;
  return runPrimitive('Reshape', [x], { shape: target });
}

function inferShape(shape: readonly number[], size: number, from: Shape): number[] {
  const out = [...shape];
  const neg = out.indexOf(-1);
  if (out.some((d, i) => (d < 0 && i !== neg) || !Number.isInteger(d)) || out.lastIndexOf(-1) !== neg) {
    throw new ArgumentError(`reshape: shape ${fmtShape(shape)} is invalid: dims must be non-negative integers with at most one -1`);
  }
  if (neg >= 0) {
    const rest = sizeOf(out.filter((_, i) => i !== neg));
    if (rest === 0 || size % rest !== 0) {
      throw new ShapeError(`reshape: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)} (${size} elements)`);
    }
    out[neg] = size / rest;
  }
  if (sizeOf(out) !== size) {
    throw new ShapeError(`reshape: shape ${fmtShape(shape)} is invalid for input of shape ${fmtShape(from)} (${size} elements)`);
  }
  return out;
}

/** Reorders dims: output dim i is input dim dims[i]. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  if (dims.length !== x.ndim) {
    throw new ArgumentError(`permute: dims ${fmtShape(dims)} must name each of the ${x.ndim} dims of a tensor of shape ${fmtShape(x.shape)} once`);
  }
  const perm = dims.map((d) => normalizeDim(d, x.ndim, 'permute', 'dims'));
  if (new Set(perm).size !== perm.length) throw new ArgumentError(`permute: dims ${fmtShape(dims)} repeat a dim`);
  if (perm.every((p, i) => p === i)) return x;
  return runPrimitive('Transpose', [x], { perm });
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim(dim0, x.ndim, 'transpose', 'dim0');
  const b = normalizeDim(dim1, x.ndim, 'transpose', 'dim1');
  const perm = Array.from({ length: x.ndim }, (_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
}

/** Broadcasts to `shape`; -1 keeps a dim, new leading dims may be added (torch.expand). */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const target = shape.map((d, i) => (d === -1 ? x.shape[i - (shape.length - x.ndim)]! : d));
  if (target.length < x.ndim || !shapesEqual(broadcastShapes('expand', x.shape, target), target)) {
    throw new ShapeError(`expand: cannot expand shape ${fmtShape(x.shape)} to ${fmtShape(shape)}`);
  }
  if (shapesEqual(target, x.shape)) return x;
  return runPrimitive('Expand', [x], { shape: target });
}

/** Broadcasts `x` to `shape` (numpy broadcast_to). */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, shape);
}

/**
 * Sums a broadcast gradient back down to `shape`: the adjoint of broadcasting, used by every
 * backward rule of a broadcasting op.
 */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const s = axes.length ? sum(g, axes, true) : g;
  return reshape(s, shape);
}

/** Merges dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim(startDim, x.ndim, 'flatten', 'startDim');
  const e = normalizeDim(endDim, x.ndim, 'flatten', 'endDim');
  if (s > e) throw new ArgumentError(`flatten: startDim ${startDim} must not come after endDim ${endDim}`);
  const mid = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
}

/** Removes size-1 dims (all of them, or only `dim`, which is kept if its size is not 1, as torch). */
export function squeeze(x: Tensor, dim?: number | number[]): Tensor {
  if (dim === undefined) return reshape(x, x.shape.filter((d) => d !== 1));
  const dims = normalizeDims(dim, x.ndim, 'squeeze');
  return reshape(x, x.shape.filter((d, i) => !(dims.includes(i) && d === 1)));
}

/** Inserts a size-1 dim at `dim` (in [−ndim−1, ndim]). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, x.ndim + 1, 'unsqueeze');
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Joins tensors along an existing dim; all other dims must match. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ArgumentError('cat: expected a non-empty list of tensors');
  const first = tensors[0]!;
  const axis = normalizeDim(dim, first.ndim, 'cat');
  const dtype = tensors.reduce((d, t) => promoteTypes(d, t.dtype), first.dtype);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((d, j) => j !== axis && d !== first.shape[j])) {
      throw new ShapeError(`cat: tensor ${i} has shape ${fmtShape(t.shape)}, which does not match tensor 0's ${fmtShape(first.shape)} outside dim ${axis}`);
    }
  });
  const parts = tensors.map((t) => cast(t, dtype));
  if (parts.length === 1) return parts[0]!;
  return runPrimitive('Concat', parts, { axis });
}

/** Joins tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ArgumentError('stack: expected a non-empty list of tensors');
  const d = normalizeDim(dim, tensors[0]!.ndim + 1, 'stack');
  tensors.forEach((t, i) => {
    if (!shapesEqual(t.shape, tensors[0]!.shape)) {
      throw new ShapeError(`stack: tensor ${i} has shape ${fmtShape(t.shape)}, expected ${fmtShape(tensors[0]!.shape)} like tensor 0`);
    }
  });
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/**
 * torch.narrow / basic slicing along one dim: elements start, start+step, … before end.
 * start/end may be negative (counted from the end) and are clamped like Python slices.
 */
export function slice(x: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'slice');
  if (!Number.isInteger(step) || step === 0) throw new ArgumentError(`slice: step must be a non-zero integer, found ${step}`);
  const n = x.shape[axis]!;
  const norm = (v: number, dflt: number, lo: number, hi: number) => {
    if (v === undefined) return dflt;
    const w = v < 0 ? v + n : v;
    return Math.min(Math.max(w, lo), hi);
  };
  let s: number;
  let e: number;
  if (step > 0) {
    s = norm(start as number, 0, 0, n);
    e = norm(end as number, n, 0, n);
  } else {
    s = norm(start as number, n - 1, -1, n - 1);
    e = end === undefined ? -1 : norm(end, -1, -1, n - 1);
  }
  if (step === 1 && s === 0 && e === n) return x;
  return runPrimitive('Slice', [x], { starts: [s], ends: [e], axes: [axis], steps: [step] });
}

/** `length` elements of `dim` from `start` (torch.narrow). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const axis = normalizeDim(dim, x.ndim, 'narrow');
  const n = x.shape[axis]!;
  const s = start < 0 ? start + n : start;
  if (!Number.isInteger(s) || s < 0 || !Number.isInteger(length) || length < 0 || s + length > n) {
    throw new ArgumentError(`narrow: start ${start} and length ${length} must fit dim ${dim} of size ${n}`);
  }
  return slice(x, axis, s, s + length);
}

/** Splits into chunks of `size` along `dim` (last may be smaller), or into the given section sizes. */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const axis = normalizeDim(dim, x.ndim, 'split');
  const n = x.shape[axis]!;
  let sizes: number[];
  if (typeof sizeOrSections === 'number') {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0) {
      throw new ArgumentError(`split: split size must be a positive integer, found ${sizeOrSections}`);
    }
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - s));
    if (n === 0) sizes = [0];
  } else {
    sizes = [...sizeOrSections];
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n) throw new ArgumentError(`split: section sizes ${fmtShape(sizes)} sum to ${total}, but dim ${dim} has size ${n}`);
  }
  const out: Tensor[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(slice(x, axis, at, at + s));
    at += s;
  }
  return out;
}

/** Splits into `chunks` nearly equal pieces (torch.chunk: ceil-sized, possibly fewer pieces). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new ArgumentError(`chunk: chunks must be a positive integer, found ${chunks}`);
  const axis = normalizeDim(dim, x.ndim, 'chunk');
  return split(x, Math.max(1, Math.ceil(x.shape[axis]! / chunks)), axis);
}

/** Reverses the order along each of `dims`. */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  const axes = normalizeDims(typeof dims === 'number' ? [dims] : dims, x.ndim, 'flip');
  const live = axes.filter((a) => x.shape[a]! > 1);
  if (live.length === 0) return x;
  return runPrimitive('Slice', [x], {
    starts: live.map((a) => x.shape[a]! - 1),
    ends: live.map(() => -1),
    axes: live,
    steps: live.map(() => -1),
  });
}

/** Rolls elements along dims (torch.roll); without dims the flattened tensor is rolled. */
export function roll(x: Tensor, shifts: number | readonly number[], dims?: number | readonly number[]): Tensor {
  if (dims === undefined) {
    if (typeof shifts !== 'number') throw new ArgumentError('roll: without dims, shifts must be a single number');
    return reshape(roll(flatten(x), shifts, 0), x.shape);
  }
  const sh = typeof shifts === 'number' ? [shifts] : [...shifts];
  const ds = typeof dims === 'number' ? [dims] : [...dims];
  if (sh.length !== ds.length) throw new ArgumentError(`roll: shifts ${fmtShape(sh)} and dims ${fmtShape(ds)} must have the same length`);
  let out = x;
  sh.forEach((s, i) => {
    const axis = normalizeDim(ds[i]!, x.ndim, 'roll', 'dims');
    const n = x.shape[axis]!;
    if (n === 0) return;
    const k = ((s % n) + n) % n;
    if (k === 0) return;
    out = cat([slice(out, axis, n - k, n), slice(out, axis, 0, n - k)], axis);
  });
  return out;
}

/**
 * Pads with torch.nn.functional.pad's order: `pad` lists (before, after) pairs starting from
 * the last dim. Modes: constant (value), reflect, replicate (ONNX 'edge'), circular.
 */
export function pad(x: Tensor, padding: readonly number[], mode: 'constant' | 'reflect' | 'replicate' | 'circular' = 'constant', value = 0): Tensor {
  if (padding.length % 2 !== 0 || padding.length / 2 > x.ndim) {
    throw new ArgumentError(`pad: padding must hold (before, after) pairs for at most ${x.ndim} dims, found ${padding.length} values`);
  }
  const nd = x.ndim;
  const begin = new Array<number>(nd).fill(0);
  const end = new Array<number>(nd).fill(0);
  for (let i = 0; i < padding.length / 2; i++) {
    begin[nd - 1 - i] = padding[2 * i]!;
    end[nd - 1 - i] = padding[2 * i + 1]!;
  }
  if (mode === 'constant') {
    if (begin.every((b) => b === 0) && end.every((e) => e === 0)) return x;
    return runPrimitive('Pad', [x], { pads: [...begin, ...end], mode: 'constant', value });
  }
  // Non-constant modes gather source positions per dim, so their gradient is a scatter-add.
  let out = x;
  for (let d = 0; d < nd; d++) {
    if (begin[d] === 0 && end[d] === 0) continue;
    const n = x.shape[d]!;
    if (mode === 'reflect' && (begin[d]! >= n || end[d]! >= n)) {
      throw new ArgumentError(`pad: reflect padding (${begin[d]}, ${end[d]}) must be smaller than dim ${d} of size ${n}`);
    }
    const idx: number[] = [];
    for (let j = -begin[d]!; j < n + end[d]!; j++) {
      if (mode === 'replicate') idx.push(Math.min(Math.max(j, 0), n - 1));
      else if (mode === 'circular') idx.push(((j % n) + n) % n);
      else idx.push(j < 0 ? -j : j >= n ? 2 * (n - 1) - j : j);
    }
    out = runPrimitive('Gather', [out, new Tensor(Int32Array.from(idx), [idx.length], 'int32')], { axis: d });
  }
  return out;
}

/** Lower triangle of the last two dims (entries with j − i <= diagonal), the rest zero. */
export function tril(x: Tensor, diagonal = 0): Tensor {
  if (x.ndim < 2) throw new ShapeError(`tril: input must have at least 2 dims, found shape ${fmtShape(x.shape)}`);
  return runPrimitive('Trilu', [x], { upper: false, k: diagonal });
}

/** Upper triangle of the last two dims (entries with j − i >= diagonal). */
export function triu(x: Tensor, diagonal = 0): Tensor {
  if (x.ndim < 2) throw new ShapeError(`triu: input must have at least 2 dims, found shape ${fmtShape(x.shape)}`);
  return runPrimitive('Trilu', [x], { upper: true, k: diagonal });
}

/** Tiles the tensor (torch.Tensor.repeat): repeats may add leading dims. */
export function repeat(x: Tensor, repeats: readonly number[]): Tensor {
  if (repeats.length < x.ndim) {
    throw new ArgumentError(`repeat: number of repeats (${repeats.length}) must be at least the number of dims (${x.ndim})`);
  }
  if (repeats.some((r) => !Number.isInteger(r) || r < 0)) throw new ArgumentError(`repeat: repeats must be non-negative integers, found ${fmtShape(repeats)}`);
  const lead = repeats.length - x.ndim;
  const t = reshape(x, [...new Array<number>(lead).fill(1), ...x.shape]);
  if (repeats.every((r) => r === 1)) return t;
  return runPrimitive('Tile', [t], { repeats: [...repeats] });
}

/** @internal Constant Pad in ONNX layout (begin..., end...); negative amounts crop. */
export function padPrimitive(x: Tensor, pads: number[]): Tensor {
  return runPrimitive('Pad', [x], { pads, mode: 'constant', value: 0 });
}
