import type { TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';

/**
 * Strides of `shape` aligned to the broadcast `outShape`: 0 on broadcast dims, so an index
 * into the output maps to an offset into the input by a dot product.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const n = outShape.length;
  const st = new Array<number>(n).fill(0);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const o = n - shape.length + i;
    st[o] = shape[i] === 1 && outShape[o] !== 1 ? 0 : acc;
    acc *= shape[i]!;
  }
  return st;
}

/**
 * Merges adjacent dims that every input walks linearly (stride[d] = stride[d+1]·shape[d+1]) and
 * drops dims of size 1, so a broadcast or a transpose runs as few, long runs: a bias add over
 * [B, T, C] becomes B·T runs of C, a same-shape op one run. Returns null for an empty shape.
 */
export function collapseDims(outShape: Shape, inputStrides: number[][]): { shape: number[]; strides: number[][] } {
  const shape: number[] = [];
  const strides: number[][] = inputStrides.map(() => []);
  for (let d = 0; d < outShape.length; d++) {
    const n = outShape[d]!;
    if (n === 1) continue;
    const last = shape.length - 1;
    if (last >= 0 && inputStrides.every((s, k) => strides[k]![last] === s[d]! * n)) {
      // dim d continues the previous kept dim for every input: merge
      shape[last] = shape[last]! * n;
      inputStrides.forEach((s, k) => (strides[k]![last] = s[d]!));
      continue;
    }
    shape.push(n);
    inputStrides.forEach((s, k) => strides[k]!.push(s[d]!));
  }
  return { shape, strides };
}

/**
 * Calls `body(offsets, outStart, inner, innerStrides)` once per run of the innermost (merged)
 * output dim, with the input offsets of that run; runs cover the output in row-major order.
 * Kernels loop over the run themselves, which keeps the inner loop free of index arithmetic.
 */
export function forEachRun(
  outShape: Shape,
  inputStrides: number[][],
  body: (offsets: number[], outStart: number, inner: number, innerStrides: number[]) => void,
): void {
  const nIn = inputStrides.length;
  for (const d of outShape) if (d === 0) return;
  const { shape, strides } = collapseDims(outShape, inputStrides);
  const nd = shape.length;
  if (nd === 0) {
    body(new Array(nIn).fill(0), 0, 1, new Array(nIn).fill(0));
    return;
  }
  const inner = shape[nd - 1]!;
  const innerStrides = strides.map((s) => s[nd - 1]!);
  let outer = 1;
  for (let i = 0; i < nd - 1; i++) outer *= shape[i]!;
  const idx = new Array<number>(nd - 1).fill(0);
  const offsets = new Array<number>(nIn).fill(0);
  for (let o = 0; o < outer; o++) {
    body(offsets, o * inner, inner, innerStrides);
    // odometer increment over the outer dims
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < nIn; k++) offsets[k]! += strides[k]![d]!;
      if (idx[d]! < shape[d]!) break;
      for (let k = 0; k < nIn; k++) offsets[k]! -= strides[k]![d]! * shape[d]!;
      idx[d] = 0;
    }
  }
}

/**
 * out[o + j] = X[ix + j·s] for j < n. A contiguous run of 32 or more is one TypedArray.set
 * (a memcpy when the types match), several times faster than an element loop.
 */
export function copyRun(out: TypedArray, o: number, X: TypedArray, ix: number, n: number, s: number): void {
  if (s === 1 && n >= 32) (out as Float64Array).set(X.subarray(ix, ix + n), o);
  else for (let j = 0; j < n; j++, ix += s) out[o + j] = X[ix]!;
}
