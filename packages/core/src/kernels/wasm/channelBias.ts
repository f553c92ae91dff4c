import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { isFloating } from '../../dtype.js';
import { Tensor } from '../../tensor.js';
import { addRowScalarsInPlace, fromFloat64 } from '../cpu/channelAffine.js';
import { rowSumsF64 } from '../cpu/reduce.js';
import { useWasm } from './preference.js';
import { ELEMENTWISE_MIN_WORK_PER_THREAD, beginKernelCall, runParallel, splitChunk } from './threads.js';

/** Below this many elements the TypeScript loops are as fast. */
export const CHANNEL_BIAS_WASM_MIN_ELEMENTS = 1 << 14;

/**
 * y[r, :] = x[r, :] + s[r % sMod] over the rows of `inner` floats of x (asm `addRowScalars`), split
 * over threads by rows; null when wasm cannot run.
 */
export function addRowScalarsWasm(x: Float32Array, s: Float32Array, inner: number, sMod: number): Float32Array | null {
  const n = x.length;
  const rows = n / inner;
  const call = beginKernelCall(n, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.input(x);
  const ps = arena.input(s);
  const py = arena.output(n);
  if (!arena.commit()) return null;
  runParallel(k, { fn: 'addRowScalars', args: () => [px, ps, py, inner, sMod, 0, 0], lo: 5, hi: 6, total: rows, chunk: splitChunk(rows, 1, threads) }, threads);
  return arena.take(py, n);
}

/** The float64 sum of each row of `inner` floats of g (asm `rowSums`); null when wasm cannot run. */
export function rowSumsWasm(g: Float32Array, inner: number): Float64Array | null {
  const rows = g.length / inner;
  const call = beginKernelCall(g.length, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const pg = arena.input(g);
  const pout = arena.alloc(rows * 8);
  if (!arena.commit()) return null;
  runParallel(k, { fn: 'rowSums', args: () => [pg, pout, inner, 0, 0], lo: 3, hi: 4, total: rows, chunk: splitChunk(rows, 1, threads) }, threads);
  return arena.f64(pout, rows).slice();
}

/**
 * A conv's bias added to its fresh output y (N, C, *), seen by no one else (Conv's backward does
 * not read its output): for large float32 outputs in wasm into new storage (a resident block when
 * resident outputs are on), otherwise in place in TypeScript. In the backward g passes to y
 * unchanged and b gets the per-channel sums of g: each (image, channel) row summed in float64 (in
 * wasm when the forward ran there), then over images. Saves the broadcast add's reductions over
 * N and the spatial dims. Null (the caller adds with tensor ops) for non-float or mixed dtypes,
 * under trace (which records primitives) and anomaly detection; with createGraph the backward is
 * written with tensor ops.
 */
export function fusedConvBias(y: Tensor, b: Tensor): Tensor | null {
  const dtype = y.dtype;
  if (!isFloating(dtype) || y.ndim < 2 || b.dtype !== dtype || activeRecorder() !== null || isAnomalyEnabled()) return null;
  const n = y.storage.length;
  const [N, C] = y.shape as [number, number];
  const inner = n / Math.max(1, N * C); // positions per (image, channel)
  const wasm = dtype === 'float32' && n > 0 && useWasm(n, CHANNEL_BIAS_WASM_MIN_ELEMENTS) ? addRowScalarsWasm(y.storage as Float32Array, b.storage as Float32Array, inner, C) : null;
  const out = wasm ?? addRowScalarsInPlace(y.storage, b.storage, inner, C);
  return withCustomGrad('convBias', [y, b], new Tensor(out, y.shape, dtype), (g) => {
    if (!b.requiresGrad) return [g, null];
    if (isGradEnabled() || activeRecorder() !== null || g.dtype !== dtype) return [g, g.sum([0, ...Array.from({ length: y.ndim - 2 }, (_, i) => i + 2)])];
    const sums = (wasm && rowSumsWasm(g.storage as Float32Array, inner)) || rowSumsF64(g.storage, N * C, inner);
    const db = new Float64Array(C);
    for (let r = 0; r < N * C; r++) db[r % C]! += sums[r]!;
    return [g, new Tensor(fromFloat64(db, dtype), [C], dtype)];
  });
}
