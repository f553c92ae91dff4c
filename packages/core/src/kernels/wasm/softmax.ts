import { isAnomalyEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { Tensor } from '../../tensor.js';
import { useWasm } from './preference.js';
import { ELEMENTWISE_MIN_WORK_PER_THREAD, beginKernelCall, runParallel, splitChunk } from './threads.js';

/** Below this many elements the composite's five primitives are as fast as one wasm call. */
export const SOFTMAX_WASM_MIN_ELEMENTS = 1024;

/** softmax or logSoftmax of `rows` contiguous rows of `cols` float32 values in wasm; null when it cannot run. */
export function softmaxRowsWasm(x: Float32Array, rows: number, cols: number, log: boolean): Float32Array | null {
  const n = rows * cols;
  const call = beginKernelCall(n, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.input(x);
  const py = arena.output(n);
  if (!arena.commit()) return null;
  const args = () => [px, py, 0, 0, cols, log ? 1 : 0];
  runParallel(k, { fn: 'softmaxRows', args, lo: 2, hi: 3, total: rows, chunk: splitChunk(rows, 1, threads) }, threads);
  return arena.take(py, n);
}

/**
 * Fused softmax / logSoftmax over the last dim of a float32 tensor, for the composites in
 * ops/reduce.ts: one wasm pass for the value and a backward written with tensor ops (so
 * higher-order gradients work). Returns null, and the composite runs, when the dim is not the
 * last, the dtype is not float32, the tensor is small, a trace is recording (graphs hold
 * primitives only) or anomaly detection is on (it checks each primitive).
 */
export function fusedSoftmax(x: Tensor, axis: number, log: boolean): Tensor | null {
  if (x.dtype !== 'float32' || axis !== x.ndim - 1 || x.ndim === 0) return null;
  if (activeRecorder() !== null || isAnomalyEnabled()) return null;
  const cols = x.shape[axis]!;
  const n = x.storage.length;
  if (cols === 0 || !useWasm(n, SOFTMAX_WASM_MIN_ELEMENTS)) return null;
  const y = softmaxRowsWasm(x.storage as Float32Array, n / cols, cols, log);
  if (!y) return null;
  const out = new Tensor(y, x.shape, 'float32');
  if (log) {
    // y = x − logΣexp(x):  dx = g − softmax(x)·Σg
    return withCustomGrad('logSoftmax', [x], out, (g) => [g.sub(out.exp().mul(g.sum(-1, true)))]);
  }
  // y = softmax(x):  dx = y·(g − Σ g·y)
  return withCustomGrad('softmax', [x], out, (g) => [out.mul(g.sub(g.mul(out).sum(-1, true)))]);
}
