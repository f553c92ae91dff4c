import { Generator, type Tensor, add, exp, getKernelPreference, matmul, mul, randn, setKernelPreference, softmax } from '@likelihood/core';
import type { Peer } from './peers.js';

/**
 * @likelihood/core's eager CPU backend with the kernels forced to one kind: 'ts' (pure
 * TypeScript) or 'auto' (WebAssembly SIMD where the op is large enough, the default).
 */
export function ours(kernels: 'ts' | 'auto' = 'ts'): Peer {
  const g = new Generator(0);
  const r = (shape: number[]): Tensor => randn(shape, { generator: g });
  const before = getKernelPreference();
  setKernelPreference(kernels);
  return {
    name: kernels === 'ts' ? 'ours-ts' : 'ours-wasm',
    matmul(batch, m, k, n) {
      const a = r(batch > 1 ? [batch, m, k] : [m, k]);
      const b = r(batch > 1 ? [batch, k, n] : [k, n]);
      return () => void matmul(a, b);
    },
    unary(op, size) {
      const a = r([size]);
      const b = r([size]);
      return () => void (op === 'exp' ? exp(a) : op === 'add' ? add(a, b) : mul(a, b));
    },
    softmax(rows, cols) {
      const a = r([rows, cols]);
      return () => void softmax(a, -1);
    },
    dispose() {
      setKernelPreference(before);
    },
  };
}
