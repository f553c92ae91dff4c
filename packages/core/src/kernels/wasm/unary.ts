import { ELEMENTWISE_MIN_WORK_PER_THREAD, type KernelName, beginKernelCall, runParallel, splitChunk } from './threads.js';

/**
 * An elementwise kernel in wasm, split over threads by elements: `fn(x, y, i0, i1)` for a value
 * (exp, sin, GELU, SiLU) or, with a second operand `g`, `fn(x, g, y, i0, i1)`: an activation's
 * gradient g·f'(x), or a same-shape add, subtract or multiply. Null when wasm cannot run.
 */
export function unaryWasm(fn: KernelName, x: Float32Array, g?: Float32Array): Float32Array | null {
  const n = x.length;
  const call = beginKernelCall(n, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.input(x);
  const pg = g ? arena.input(g) : 0;
  const py = arena.output(n);
  if (!arena.commit()) return null;
  const chunk = splitChunk(n, 4, threads);
  if (g) runParallel(k, { fn, args: () => [px, pg, py, 0, 0], lo: 3, hi: 4, total: n, chunk }, threads);
  else runParallel(k, { fn, args: () => [px, py, 0, 0], lo: 2, hi: 3, total: n, chunk }, threads);
  return arena.take(py, n);
}
