import { getKernel, registerKernel } from '../../registry.js';
import { useWasm } from './preference.js';
import { ELEMENTWISE_MIN_WORK_PER_THREAD, beginKernelCall, runParallel, splitChunk } from './threads.js';

/** Below this many elements the copy in and out of linear memory costs more than it saves. */
export const EXP_WASM_MIN_ELEMENTS = 256;

/** exp of n float32 values in wasm SIMD (within 2 ulp of correctly rounded); null when wasm cannot run. */
export function expWasm(x: Float32Array): Float32Array | null {
  const n = x.length;
  const call = beginKernelCall(n, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.alloc(n * 4);
  if (!arena.commit()) return null;
  arena.f32(px, n).set(x);
  runParallel(k, { fn: 'expf32', args: () => [px, px, 0, 0], lo: 2, hi: 3, total: n, chunk: splitChunk(n, 4, threads) }, threads);
  return arena.f32(px, n).slice();
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
