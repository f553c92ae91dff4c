import { allocate } from '../../dtype.js';
import type { PrimitiveName } from '../../primitives.js';
import { registerKernel, type TensorData } from '../../registry.js';
import { type Shape, sizeOf, stridesOf } from '../../shape.js';
import { collapseDims, forEachRun } from './broadcast.js';

/** Output shape of a reduction over `axes` (sorted, non-negative). */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(1);
  });
  return out;
}

/**
 * Strides into the (keepdims) output for each input dim, 0 on reduced dims: walking the input
 * with these strides visits, for every element, the output slot it reduces into.
 */
function outputStrides(shape: Shape, axes: readonly number[]): number[] {
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const st = stridesOf(kept);
  return st.map((s, i) => (axes.includes(i) ? 0 : s));
}

function reduction(op: PrimitiveName, init: number, step: (acc: number, x: number) => number): void {
  registerKernel(op, 'cpu', ([x], attrs) => {
    const { axes, keepdims } = attrs as { axes: number[]; keepdims: boolean };
    const X = x!.storage;
    const outShape = reducedShape(x!.shape, axes, keepdims);
    const nd = x!.shape.length;
    if (axes.length === 1 && axes[0] === nd - 1) {
      // Fast path: reduce contiguous rows (softmax over a vocabulary, layer norm, ...).
      const n = x!.shape[nd - 1]!;
      const rows = n === 0 ? sizeOf(outShape) : X.length / n;
      const out = allocate(x!.dtype, rows);
      for (let r = 0; r < rows; r++) {
        let a = init;
        const base = r * n;
        for (let j = 0; j < n; j++) a = step(a, X[base + j]!);
        out[r] = a;
      }
      return { storage: out, shape: outShape, dtype: x!.dtype } satisfies TensorData;
    }
    // Accumulate in float64 whatever the dtype, for accuracy; store in the input's dtype.
    const acc = new Float64Array(sizeOf(outShape)).fill(init);
    const ost = outputStrides(x!.shape, axes);
    const ist = stridesOf(x!.shape);
    forEachRun(x!.shape, [ost, ist], (off, _o0, n, st) => {
      let io = off[0]!;
      let ix = off[1]!;
      const so = st[0]!;
      for (let j = 0; j < n; j++, io += so, ix++) acc[io] = step(acc[io]!, X[ix]!);
    });
    const out = allocate(x!.dtype, acc.length);
    out.set(acc);
    return { storage: out, shape: outShape, dtype: x!.dtype } satisfies TensorData;
  });
}

/** The float64 sum of each of the `rows` consecutive rows of `inner` values of g. */
export function rowSumsF64(g: ArrayLike<number>, rows: number, inner: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0, i = 0; r < rows; r++) {
    let sum = 0;
    for (const end = i + inner; i < end; i++) sum += g[i]!;
    out[r] = sum;
  }
  return out;
}

/** The float64 sum of each column of the `rows` × `cols` row-major g (rows streamed in order: a bias gradient). */
export function columnSumsF64(g: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let j = 0; j < cols; j++) acc[j]! += g[base + j]!;
  }
  return acc;
}

/**
 * Sums a collapsed shape whose dims alternate between kept and reduced (`reduced[d]`), one
 * reduced dim per pass, innermost first: a reduced last dim sums contiguous rows, a reduced dim
 * before a kept one adds up blocks of rows. Each pass is a plain loop at least halving the data,
 * so patterns like an upsample's backward ([.., H, 2, W, 2] summed over both 2s) cost a few
 * passes instead of a callback per pair. Partial sums are float64; the result is in output order.
 */
function sumAlternating(X: ArrayLike<number>, dims: number[], reduced: boolean[]): ArrayLike<number> {
  let src = X;
  const d = [...dims];
  const r = [...reduced];
  while (r.includes(true)) {
    const nd = d.length;
    if (r[nd - 1]) {
      const n = d.pop()!;
      r.pop();
      src = rowSumsF64(src, src.length / n, n);
    } else {
      // [.., outer, n (reduced), inner (kept)]: add up the n rows of `inner` in each block
      const inner = d[nd - 1]!;
      const n = d[nd - 2]!;
      const outer = src.length / (n * inner);
      const out = new Float64Array(outer * inner);
      for (let o = 0; o < outer; o++) {
        const ob = o * inner;
        for (let k = 0, base = o * n * inner; k < n; k++, base += inner) {
          for (let i = 0; i < inner; i++) out[ob + i]! += src[base + i]!;
        }
      }
      src = out;
      d.splice(nd - 2, 2, inner);
      r.splice(nd - 2, 2, false);
      // the kept dims now side by side are one
      if (d.length >= 2 && !r[d.length - 2]) {
        d.splice(d.length - 2, 2, d[d.length - 2]! * d[d.length - 1]!);
        r.pop();
      }
    }
  }
  return src;
}

/**
 * ReduceSum (float64 accumulation whatever the dtype, stored in the input's dtype): after
 * merging dims, the two patterns of every broadcast backward and normalisation (rows of an
 * [R, C] block summed, or its columns over the leading dims, e.g. a bias gradient) and a 2×
 * upsample's backward ([outer, 2, W, 2] over both 2s) are written out; any other pattern reduces
 * one dim at a time (`sumAlternating`).
 */
registerKernel('ReduceSum', 'cpu', (inputs, attrs) => {
  const x = inputs[0]!;
  const { axes, keepdims } = attrs;
  const outShape = reducedShape(x.shape, axes, keepdims);
  const out = allocate(x.dtype, sizeOf(outShape));
  if (x.storage.length === 0) return { storage: out, shape: outShape, dtype: x.dtype };
  const { shape, strides } = collapseDims(x.shape, [outputStrides(x.shape, axes)]);
  const ost = strides[0]!;
  const X = x.storage;
  if (shape.length === 1 || (shape.length === 2 && (ost[0] === 0) !== (ost[1] === 0))) {
    const R = shape.length === 2 ? shape[0]! : 1;
    const C = shape[shape.length - 1]!;
    if (ost[ost.length - 1] === 0) {
      // rows of C summed into one value each
      out.set(rowSumsF64(X, R, C));
    } else {
      // R rows of C added up column by column
      out.set(columnSumsF64(X, R, C));
    }
    return { storage: out, shape: outShape, dtype: x.dtype };
  }
  const reduced = ost.map((s) => s === 0);
  if (shape.length === 4 && !reduced[0] && reduced[1] && !reduced[2] && reduced[3] && shape[1] === 2 && shape[3] === 2) {
    // [outer, 2, W, 2] summed over both 2s (a 2× nearest upsample's backward): four values per
    // output, added in sumAlternating's order (the pair along W first)
    const [outer, , W] = shape as [number, number, number, number];
    for (let o = 0, k = 0; o < outer; o++) {
      for (let w = 0, base = o * 4 * W; w < W; w++, k++, base += 2) out[k] = X[base]! + X[base + 1]! + (X[base + 2 * W]! + X[base + 2 * W + 1]!);
    }
    return { storage: out, shape: outShape, dtype: x.dtype };
  }
  out.set(sumAlternating(X, shape, reduced));
  return { storage: out, shape: outShape, dtype: x.dtype };
});
reduction('ReduceProd', 1, (a, x) => a * x);
// NaN propagates as in torch.amax/amin.
reduction('ReduceMax', -Infinity, (a, x) => (x > a || x !== x ? x : a));
reduction('ReduceMin', Infinity, (a, x) => (x < a || x !== x ? x : a));

/** Strides to walk `axis` of a contiguous shape: outer × axis × inner. */
function axisSplit(shape: Shape, axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return [outer, shape[axis]!, inner];
}

function argReduce(op: 'ArgMax' | 'ArgMin', better: (a: number, b: number) => boolean): void {
  registerKernel(op, 'cpu', ([x], { axis, keepdims }) => {
    const X = x!.storage;
    const [outer, n, inner] = axisSplit(x!.shape, axis);
    const out = new Int32Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let best = 0;
        let bv = X[base]!;
        for (let k = 1; k < n; k++) {
          const v = X[base + k * inner]!;
          // NaN wins (as torch), otherwise the first occurrence of the extreme value
          if (bv === bv && (v !== v || better(v, bv))) {
            best = k;
            bv = v;
          }
        }
        out[o * inner + i] = best;
      }
    }
    return { storage: out, shape: reducedShape(x!.shape, [axis], keepdims), dtype: 'int32' };
  });
}
argReduce('ArgMax', (a, b) => a > b);
argReduce('ArgMin', (a, b) => a < b);

registerKernel('CumSum', 'cpu', ([x], { axis, exclusive, reverse }) => {
  const X = x!.storage;
  const [outer, n, inner] = axisSplit(x!.shape, axis);
  const out = allocate(x!.dtype, X.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let acc = 0;
      for (let j = 0; j < n; j++) {
        const k = reverse ? n - 1 - j : j;
        const idx = base + k * inner;
        if (exclusive) {
          out[idx] = acc;
          acc += X[idx]!;
        } else {
          acc += X[idx]!;
          out[idx] = acc;
        }
      }
    }
  }
  return { storage: out, shape: x!.shape, dtype: x!.dtype };
});
