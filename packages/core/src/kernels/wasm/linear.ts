import { isAnomalyEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { Tensor } from '../../tensor.js';
import { GEMM_MIN_WORK_PER_THREAD, packBOnThreads, reserveGemmWorkspace, sgemmPackedOnThreads } from './gemm.js';
import { MATMUL_WASM_MIN_WORK, directBackwardAllowed, gemmBatched } from './matmul.js';
import { useWasm } from './preference.js';
import { beginKernelCall, runParallel, splitChunk } from './threads.js';

const ZERO = [0];

/** y (R×N) = x (R×K)·Wᵀ (W: N×K, read transposed while packing) + b, GEMM and bias add in wasm; null when wasm cannot run. */
function linearForwardWasm(x: Float32Array, w: Float32Array, b: Float32Array | null, R: number, N: number, K: number): Float32Array | null {
  const call = beginKernelCall(R * N * K, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.input(x);
  const pw = arena.input(w);
  const pb = b ? arena.input(b) : 0;
  const py = arena.output(R * N);
  const work = reserveGemmWorkspace(k, arena, K, N, threads);
  if (!arena.commit()) return null;
  packBOnThreads(k, pw, K, N, 1, work);
  sgemmPackedOnThreads(k, px, py, R, N, K, 0, work);
  if (b) runParallel(k, { fn: 'addRowVector', args: () => [py, pb, N, 0, 0], lo: 3, hi: 4, total: R, chunk: splitChunk(R, 1, threads) }, threads);
  return arena.take(py, R * N);
}

/**
 * linear's backward in one wasm call: g (R×N) is copied in once for dx = g·W (R×K), dW = gᵀ·x
 * (N×K) and db = column sums of g (float64), each only when wanted; null when wasm cannot run.
 */
function linearBackwardWasm(
  g: Float32Array, x: Float32Array, w: Float32Array, R: number, N: number, K: number, wantX: boolean, wantW: boolean, wantB: boolean,
): { dx: Float32Array | null; dw: Float32Array | null; db: Float32Array | null } | null {
  const call = beginKernelCall(R * N * K * ((wantX ? 1 : 0) + (wantW ? 1 : 0)) + (wantB ? R * N : 0), GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const pg = arena.input(g);
  const pw = wantX ? arena.input(w) : 0;
  const px = wantW ? arena.input(x) : 0;
  const pdx = wantX ? arena.output(R * K) : 0;
  const pdw = wantW ? arena.output(N * K) : 0;
  const acc = wantB ? arena.alloc(N * 8) : 0;
  const pdb = wantB ? arena.output(N) : 0;
  const work = reserveGemmWorkspace(k, arena, Math.max(N, R), K, threads); // B of both GEMMs is (· × K)
  if (!arena.commit()) return null;
  if (wantX) {
    packBOnThreads(k, pw, N, K, 0, work);
    sgemmPackedOnThreads(k, pg, pdx, R, K, N, 0, work); // (R,N)·(N,K)
  }
  if (wantW) {
    packBOnThreads(k, px, R, K, 0, work);
    sgemmPackedOnThreads(k, pg, pdw, N, K, R, 1, work); // (R,N)ᵀ·(R,K)
  }
  if (wantB) runParallel(k, { fn: 'columnSums', args: () => [pg, acc, pdb, R, N, 0, 0], lo: 5, hi: 6, total: N, chunk: splitChunk(N, 4, threads) }, threads);
  return {
    dx: wantX ? arena.take(pdx, R * K) : null,
    dw: wantW ? arena.take(pdw, N * K) : null,
    db: wantB ? arena.take(pdb, N) : null,
  };
}

/**
 * Fused y = x·Wᵀ + b for `linear` (ops/linear.ts; arguments validated there), float32: one GEMM
 * reading W transposed in place (no transposed copy of the weight forward or backward), the
 * bias added in wasm memory before the copy out; backward dx = g·W, dW = gᵀ·x over the flattened
 * batch (one GEMM each, transpose flags), db = column sums of g (float64, in wasm). Null (the composite runs) for other
 * dtypes, small products, under trace or anomaly detection; with createGraph the backward is
 * written with tensor ops.
 */
export function fusedLinear(x: Tensor, weight: Tensor, bias: Tensor | null): Tensor | null {
  if (x.dtype !== 'float32' || weight.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return null;
  if (activeRecorder() !== null || isAnomalyEnabled()) return null;
  const [N, K] = weight.shape as [number, number];
  const R = K === 0 ? 0 : x.size / K;
  if (R === 0 || N === 0 || K === 0 || !useWasm(R * N * K, MATMUL_WASM_MIN_WORK)) return null;
  const out = linearForwardWasm(x.storage as Float32Array, weight.storage as Float32Array, (bias?.storage as Float32Array | undefined) ?? null, R, N, K);
  if (!out) return null;
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
    const wantB = !!bias?.requiresGrad;
    const fused = linearBackwardWasm(G as Float32Array, x.storage as Float32Array, weight.storage as Float32Array, R, N, K, x.requiresGrad, weight.requiresGrad, wantB);
    if (fused) {
      const res: (Tensor | null)[] = [fused.dx && new Tensor(fused.dx, x.shape, 'float32'), fused.dw && new Tensor(fused.dw, weight.shape, 'float32')];
      if (bias) res.push(fused.db && new Tensor(fused.db, bias.shape, 'float32'));
      return res;
    }
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
      if (bias.requiresGrad) db = new Tensor(columnSumsTs(G, R, N), bias.shape, 'float32');
      res.push(db);
    }
    return res;
  });
}

/** Column sums of g (R×N) in float64, rounded once, as the wasm `columnSums`: the bias gradient when linearBackwardWasm cannot run. */
function columnSumsTs(g: ArrayLike<number>, R: number, N: number): Float32Array {
  const acc = new Float64Array(N);
  for (let r = 0; r < R; r++) {
    const o = r * N;
    for (let j = 0; j < N; j++) acc[j]! += g[o + j]!;
  }
  return Float32Array.from(acc);
}
