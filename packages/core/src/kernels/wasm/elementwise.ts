import { type TensorData, getKernel, registerKernel } from '../../registry.js';
import { broadcastShapes, shapesEqual, stridesOf } from '../../shape.js';
import { broadcastStrides, collapseDims } from '../cpu/broadcast.js';
import { addRowScalarsWasm } from './channelBias.js';
import { useWasm } from './preference.js';
import { unaryWasm } from './unary.js';

/** Below this many elements the copy in and out of linear memory costs more than it saves. */
export const EXP_WASM_MIN_ELEMENTS = 256;

/** exp of n float32 values in wasm SIMD (within 2 ulp of correctly rounded); null when wasm cannot run. */
export function expWasm(x: Float32Array): Float32Array | null {
  return unaryWasm('expf32', x);
}

const reference = getKernel('Exp', 'cpu');

registerKernel('Exp', 'cpu', (inputs, attrs) => {
  const x = inputs[0]!;
  if (x.dtype === 'float32' && useWasm(x.storage.length, EXP_WASM_MIN_ELEMENTS)) {
    const y = expWasm(x.storage as Float32Array);
    if (y) return { storage: y, shape: x.shape, dtype: 'float32' };
  }
  return reference(inputs, attrs);
});

/** Below this many elements sin and cos stay in TypeScript. */
export const SINCOS_WASM_MIN_ELEMENTS = 1024;

/** Largest |x| the wasm sin/cos reduce exactly (π/4 in three parts, Cephes); larger arguments stay in TypeScript. */
export const SINCOS_WASM_MAX_ARGUMENT = 8192;

for (const [op, fn] of [['Sin', 'sinF32'], ['Cos', 'cosF32']] as const) {
  const sinCosReference = getKernel(op, 'cpu');
  registerKernel(op, 'cpu', (inputs, attrs) => {
    const x = inputs[0]!;
    if (x.dtype === 'float32' && useWasm(x.storage.length, SINCOS_WASM_MIN_ELEMENTS)) {
      const X = x.storage;
      let inRange = true;
      for (let i = 0; i < X.length && inRange; i++) inRange = !(Math.abs(X[i]!) > SINCOS_WASM_MAX_ARGUMENT); // NaN passes (and stays NaN)
      const y = inRange ? unaryWasm(fn, X as Float32Array) : null;
      if (y) return { storage: y, shape: x.shape, dtype: 'float32' };
    }
    return sinCosReference(inputs, attrs);
  });
}

/**
 * Below this many elements a same-shape add, subtract or multiply stays in TypeScript. Above it
 * the wasm loop (4 lanes, no bounds checks) wins even with the copies in and out: 0.25 ms
 * against 0.9 ms for 200k elements; with resident outputs the operands are usually read in place.
 */
export const BINARY_WASM_MIN_ELEMENTS = 1 << 14;

/** a op b for two float32 arrays of one length, in wasm split over threads; null when wasm cannot run. */
export function binaryWasm(fn: 'addF32' | 'subF32' | 'mulF32', a: Float32Array, b: Float32Array): Float32Array | null {
  return unaryWasm(fn, a, b); // the two-operand elementwise call: fn(a, b, y, i0, i1)
}

/**
 * How `small` broadcasts over `full` (whose shape is the output's) when it holds one value per
 * row of the output's trailing `inner` values: rows r take small[r % sMod]. Covers a time
 * embedding (N, C, 1, 1) added to (N, C, H, W) (sMod = N·C) and a per-channel (C, 1, 1) (sMod = C).
 */
export function rowScalarBroadcast(full: TensorData, small: TensorData): { inner: number; sMod: number } | null {
  const { shape, strides } = collapseDims(full.shape, [stridesOf(full.shape), broadcastStrides(small.shape, full.shape)]);
  const s = strides[1]!;
  if (shape.length === 2 && s[0] === 1 && s[1] === 0) return { inner: shape[1]!, sMod: shape[0]! };
  if (shape.length === 3 && s[0] === 0 && s[1] === 1 && s[2] === 0) return { inner: shape[2]!, sMod: shape[1]! };
  return null;
}

for (const [op, fn] of [['Add', 'addF32'], ['Sub', 'subF32'], ['Mul', 'mulF32']] as const) {
  const binaryReference = getKernel(op, 'cpu');
  registerKernel(op, 'cpu', (inputs, attrs) => {
    const a = inputs[0]!;
    const b = inputs[1]!;
    const n = Math.max(a.storage.length, b.storage.length);
    if (a.dtype === 'float32' && b.dtype === 'float32' && useWasm(n, BINARY_WASM_MIN_ELEMENTS)) {
      if (shapesEqual(a.shape, b.shape)) {
        const y = binaryWasm(fn, a.storage as Float32Array, b.storage as Float32Array);
        if (y) return { storage: y, shape: a.shape, dtype: 'float32' };
      } else if (op === 'Add') {
        // a bias or an embedding broadcast over positions (either operand; addition commutes)
        const [full, small] = a.storage.length >= b.storage.length ? [a, b] : [b, a];
        const rows = shapesEqual(broadcastShapes('add', a.shape, b.shape), full.shape) ? rowScalarBroadcast(full, small) : null;
        const y = rows && addRowScalarsWasm(full.storage as Float32Array, small.storage as Float32Array, rows.inner, rows.sMod);
        if (y) return { storage: y, shape: full.shape, dtype: 'float32' };
      }
    }
    return binaryReference(inputs, attrs);
  });
}
