import { Generator, type Tensor, add, exp, matmul, mul, randn, softmax } from '@likelihood/core';
import type { Peer } from './peers.js';

/** @likelihood/core's eager CPU backend (pure TypeScript). */
export function ours(): Peer {
  const g = new Generator(0);
  const r = (shape: number[]): Tensor => randn(shape, { generator: g });
  return {
    name: 'likelihood',
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
    dispose() {},
  };
}
