import { allocate } from '../../dtype.js';
import type { PrimitiveName } from '../../primitives.js';
import { registerKernel, type TensorData } from '../../registry.js';
import { type Shape, sizeOf, stridesOf } from '../../shape.js';
import { forEachRun } from './broadcast.js';

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

reduction('ReduceSum', 0, (a, x) => a + x);
reduction('ReduceProd', 1, (a, x) => a * x);
// NaN propagates as in torch.amax/amin.
reduction('ReduceMax', -Infinity, (a, x) => (x > a || x !== x ? x : a));
reduction('ReduceMin', Infinity, (a, x) => (x < a || x !== x ? x : a));
