import { isAnomalyEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { Tensor } from '../../tensor.js';
import { MATMUL_WASM_MIN_WORK, directBackwardAllowed, gemmBatched } from './matmul.js';
import { useWasm } from './preference.js';

const ZERO = [0];

/**
 * Fused y = x·Wᵀ + b for `linear` (ops/linear.ts; arguments validated there), float32: one GEMM
 * reading W transposed in place (no transposed copy of the weight forward or backward), the
 * bias added in the same output buffer; backward dx = g·W, dW = gᵀ·x over the flattened batch
 * (one GEMM each, transpose flags), db = column sums of g. Null (the composite runs) for other
 * dtypes, small products, under trace or anomaly detection; with createGraph the backward is
 * written with tensor ops.
 */
export function fusedLinear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor | null {
  if (x.dtype !== 'float32' || weight.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return null;
  if (activeRecorder() !== null || isAnomalyEnabled()) return null;
  const [N, K] = weight.shape as [number, number];
  const R = K === 0 ? 0 : x.size / K;
  if (R === 0 || N === 0 || K === 0 || !useWasm(R * N * K, MATMUL_WASM_MIN_WORK)) return null;
  const out = new Float32Array(R * N);
  gemmBatched('float32', x.storage, 1, weight.storage, 1, out, ZERO, ZERO, R, N, K, false, true); // (R,K)·(N,K)ᵀ
  if (bias) {
    const b = bias.storage;
    for (let r = 0; r < R; r++) {
      const o = r * N;
      for (let j = 0; j < N; j++) out[o + j]! += b[j]!;
    }
  }
  const y = new Tensor(out, [...x.shape.slice(0, -1), N], 'float32');
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return withCustomGrad('linear', inputs, y, (g) => {
    const lead = Array.from({ length: g.ndim - 1 }, (_, i) => i);
    if (!directBackwardAllowed() || g.dtype !== 'float32') {
      // Tensor ops (differentiable): dx = g·W, dW = gᵀ·x over the flattened batch, db = Σ g.
      const g2 = g.reshape([R, N]);
      const res = [g.matmul(weight), g2.transpose(0, 1).matmul(x.reshape([R, K]))];
      if (bias) res.push(lead.length ? g.sum(lead) : g);
      return res;
    }
    const G = g.storage;
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const s = new Float32Array(R * K);
      gemmBatched('float32', G, 1, weight.storage, 1, s, ZERO, ZERO, R, K, N); // (R,N)·(N,K)
      dx = new Tensor(s, x.shape, 'float32');
    }
    let dw: Tensor | null = null;
    if (weight.requiresGrad) {
      const s = new Float32Array(N * K);
      gemmBatched('float32', G, 1, x.storage, 1, s, ZERO, ZERO, N, K, R, true, false); // (R,N)ᵀ·(R,K)
      dw = new Tensor(s, weight.shape, 'float32');
    }
    const res: (Tensor | null)[] = [dx, dw];
    if (bias) {
      let db: Tensor | null = null;
      if (bias.requiresGrad) {
        const acc = new Float64Array(N);
        for (let r = 0; r < R; r++) {
          const o = r * N;
          for (let j = 0; j < N; j++) acc[j]! += G[o + j]!;
        }
        db = new Tensor(Float32Array.from(acc), bias.shape, 'float32');
      }
      res.push(db);
    }
    return res;
  });
}
