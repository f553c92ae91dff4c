import { getKernel, registerKernel } from '../../registry.js';
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
