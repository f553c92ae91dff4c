import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { Tensor } from '../../tensor.js';
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
 * A conv's bias added to its float32 output y (N, C, *) in wasm: y + b[c] into new storage (a
 * resident block when resident outputs are on), and in the backward g passes to y unchanged and
 * b gets the per-channel sums of g (rows summed in wasm in float64, then over images). Null (the
 * caller's TypeScript path runs) for other dtypes, small outputs, under trace or anomaly detection.
 * With createGraph the backward is written with tensor ops.
 */
export function fusedConvBias(y: Tensor, b: Tensor): Tensor | null {
  if (y.dtype !== 'float32' || b.dtype !== 'float32' || y.ndim < 2 || activeRecorder() !== null || isAnomalyEnabled()) return null;
  const n = y.storage.length;
  if (n === 0 || !useWasm(n, CHANNEL_BIAS_WASM_MIN_ELEMENTS)) return null;
  const [N, C] = y.shape as [number, number];
  const inner = n / (N * C); // positions per (image, channel)
  const out = addRowScalarsWasm(y.storage as Float32Array, b.storage as Float32Array, inner, C);
  if (!out) return null;
  return withCustomGrad('convBias', [y, b], new Tensor(out, y.shape, 'float32'), (g) => {
    if (!b.requiresGrad) return [g, null];
    const sums = !isGradEnabled() && activeRecorder() === null && g.dtype === 'float32' ? rowSumsWasm(g.storage as Float32Array, inner) : null;
    if (!sums) return [g, g.sum([0, ...Array.from({ length: y.ndim - 2 }, (_, i) => i + 2)])];
    const db = new Float64Array(C);
    for (let r = 0; r < N * C; r++) db[r % C]! += sums[r]!;
    return [g, new Tensor(Float32Array.from(db), [C], 'float32')];
  });
}
