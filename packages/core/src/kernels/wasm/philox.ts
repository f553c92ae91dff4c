import { useWasm } from './preference.js';
import { ELEMENTWISE_MIN_WORK_PER_THREAD, beginKernelCall, runParallel, splitChunk } from './threads.js';

/** Below this many Philox blocks the generator's JS loop is as fast as a wasm call. */
export const PHILOX_WASM_MIN_BLOCKS = 512;

const TWO32 = 4294967296;

/**
 * Fills `out` with the uniforms of Philox blocks base, base + 1, … (keyed k0, k1) in wasm, split
 * over threads (the stream is counter-based): four float32 values per block, or two float64 values,
 * exactly Generator.random24()/random() of those blocks. `out.length` must be a multiple of 4
 * (float32) or 2 (float64). False when wasm is not selected for this size or cannot run.
 */
export function philoxUniformWasm(out: Float32Array | Float64Array, base: number, k0: number, k1: number): boolean {
  const f64 = out instanceof Float64Array;
  const blocks = f64 ? out.length / 2 : out.length / 4;
  if (!useWasm(blocks, PHILOX_WASM_MIN_BLOCKS)) return false;
  const call = beginKernelCall(blocks * 4, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return false;
  const { k, arena, threads } = call;
  const po = arena.alloc(blocks * 16);
  if (!arena.commit()) return false;
  const args = () => [po, 0, 0, base % TWO32, Math.floor(base / TWO32), k0, k1, f64 ? 1 : 0];
  runParallel(k, { fn: 'philoxUniform', args, lo: 1, hi: 2, total: blocks, chunk: splitChunk(blocks, 1, threads) }, threads);
  out.set(f64 ? arena.f64(po, out.length) : arena.f32(po, out.length));
  return true;
}
