// Enumerating every binary configuration of n units, in chunks, and reducing with a stable
// log-sum-exp: the exact partition function of a small model.
import { type FloatDType, Tensor, cat, logsumexp, noGrad } from '@likelihood/core';

/** States start .. start+count−1 as rows of a {0,1} tensor [count, n]; bit i of the index is column i. */
export function binaryStates(n: number, start: number, count: number, dtype: FloatDType = 'float64'): Tensor {
  const s = dtype === 'float64' ? new Float64Array(count * n) : new Float32Array(count * n);
  for (let r = 0; r < count; r++) {
    const idx = start + r;
    for (let i = 0; i < n; i++) s[r * n + i] = Math.floor(idx / 2 ** i) % 2;
  }
  return new Tensor(s, [count, n], dtype);
}

export interface EnumerateOptions {
  /** Rows per chunk (default 4096): bounds memory at chunk × n values. */
  chunkSize?: number;
  /** Keep the autograd graph so log Z can be differentiated (memory grows with 2^n). Default false. */
  differentiable?: boolean;
}

/**
 * log Σ_{s ∈ {0,1}^n} exp(f(s)) for f mapping a batch of states [B, n] to log-weights [B].
 * Each chunk is reduced with logsumexp, then the chunk results are combined the same way,
 * so nothing overflows however large the terms.
 */
export function logSumExpOverStates(
  n: number,
  f: (states: Tensor) => Tensor,
  dtype: FloatDType = 'float64',
  opts: EnumerateOptions = {},
): Tensor {
  const total = 2 ** n;
  const chunk = Math.min(opts.chunkSize ?? 4096, total);
  const run = () => {
    const parts: Tensor[] = [];
    for (let start = 0; start < total; start += chunk) {
      const count = Math.min(chunk, total - start);
      parts.push(logsumexp(f(binaryStates(n, start, count, dtype)), 0, true)); // [1]
    }
    return logsumexp(parts.length === 1 ? parts[0]! : cat(parts, 0), 0); // []
  };
  return opts.differentiable ? run() : noGrad(run);
}
