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
 * Calls `body(offsets, outStart, inner, innerStrides)` once per run of the last output dim,
 * with the input offsets of that run. Kernels loop over the run themselves, which keeps the
 * inner loop free of index arithmetic.
 */
export function forEachRun(
  outShape: Shape,
  inputStrides: number[][],
  body: (offsets: number[], outStart: number, inner: number, innerStrides: number[]) => void,
): void {
  const nd = outShape.length;
  const nIn = inputStrides.length;
  if (nd === 0) {
    body(new Array(nIn).fill(0), 0, 1, new Array(nIn).fill(0));
    return;
  }
  const inner = outShape[nd - 1]!;
  const innerStrides = inputStrides.map((s) => s[nd - 1]!);
  let outer = 1;
  for (let i = 0; i < nd - 1; i++) outer *= outShape[i]!;
  if (inner === 0 || outer === 0) return;
  const idx = new Array<number>(nd - 1).fill(0);
  const offsets = new Array<number>(nIn).fill(0);
  for (let o = 0; o < outer; o++) {
    body(offsets, o * inner, inner, innerStrides);
    // odometer increment over the outer dims
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]!++;
      for (let k = 0; k < nIn; k++) offsets[k]! += inputStrides[k]![d]!;
      if (idx[d]! < outShape[d]!) break;
      for (let k = 0; k < nIn; k++) offsets[k]! -= inputStrides[k]![d]! * outShape[d]!;
      idx[d] = 0;
    }
  }
}
