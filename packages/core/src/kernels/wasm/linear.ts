import { isAnomalyEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { Tensor } from '../../tensor.js';
import { columnSumsF64 } from '../cpu/reduce.js';
import { GEMM_MIN_WORK_PER_THREAD, MR, packBOnThreads, reserveGemmWorkspace, sgemmPackedOnThreads, splitsByRows } from './gemm.js';
import { MATMUL_WASM_MIN_WORK, directBackwardAllowed, gemmBatched } from './matmul.js';
import { useWasm } from './preference.js';
import { siluDerivative, siluGradientFromOutputs } from './silu.js';
import { beginKernelCall, runParallel, splitChunk } from './threads.js';

const ZERO = [0];

/** Activations linear can apply in the same kernel call (ops/linear.ts's `activation` option). */
export type LinearActivation = 'silu' | 'relu';
/** asm/kernels.ts's activation codes (0: none). */
const ACT_CODE: Record<LinearActivation, number> = { silu: 1, relu: 2 };

/**
 * y (R×N) = act(x (R×K)·Wᵀ + b) (W N×K, read transposed while packing); for SiLU also σ(z)
 * (`sigmoid`, which with y is all its backward needs; ReLU's needs only y); null when wasm cannot
 * run. One job over row chunks: each runs its GEMM rows and then the bias and activation on them
 * while they are in cache.
 */
function linearForwardWasm(
  x: Float32Array, w: Float32Array, b: Float32Array | null, R: number, N: number, K: number, act: LinearActivation | null,
): { y: Float32Array; sigmoid: Float32Array | null } | null {
  const call = beginKernelCall(R * N * K, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.input(x);
  const pw = arena.input(w);
  const pb = b ? arena.input(b) : 0;
  const pz = arena.output(R * N);
  const py = act === 'silu' ? arena.output(R * N) : pz; // ReLU writes y over z
  const code = act ? ACT_CODE[act] : 0;
  const work = reserveGemmWorkspace(k, arena, K, N, threads);
  if (!arena.commit()) return null;
  packBOnThreads(k, pw, K, N, 1, work);
  if (threads === 1 || splitsByRows(R, N, threads)) {
    const args = (t: number) => [px, work.packed, pz, py, pb, R, N, K, work.scratch[t]!, code, 0, 0];
    runParallel(k, { fn: 'linearRows', args, lo: 10, hi: 11, total: R, chunk: splitChunk(R, MR, threads) }, threads);
  } else {
    // Few rows (a decoding step): the GEMM splits by columns, then the epilogue (GEMM-free) on this thread.
    sgemmPackedOnThreads(k, px, pz, R, N, K, 0, work);
    k.linearEpilogueRows(pz, py, pb, N, code, 0, R);
  }
  const z = arena.take(pz, R * N);
  return act === 'silu' ? { y: arena.take(py, R * N), sigmoid: z } : { y: z, sigmoid: null };
}

/**
 * linear's backward (after its activation's, from the forward's y and, for SiLU, σ(z)) in one
 * wasm call: gz = g·act'(z) (SiLU: g·(σ + y·(1 − σ)); ReLU: g where y > 0; none: g), dx = gz·W
 * (R×K), dW = gzᵀ·x (N×K) and db = column sums of gz
 * (float64 per row chunk, added in chunk order), each only when wanted; null when wasm cannot
 * run. Two jobs: one over row chunks (gz, the chunk's column sums, its dx rows, its rows of x
 * packed for dW), then the dW GEMM.
 */
function linearBackwardWasm(
  g: Float32Array, act: LinearActivation | null, saved: { y: Float32Array; sigmoid: Float32Array | null }, x: Float32Array, w: Float32Array,
  R: number, N: number, K: number, wantX: boolean, wantW: boolean, wantB: boolean,
): { dx: Float32Array | null; dw: Float32Array | null; db: Float32Array | null } | null {
  const call = beginKernelCall(R * N * K * ((wantX ? 1 : 0) + (wantW ? 1 : 0)) + R * N, GEMM_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const pg = arena.input(g);
  const ps = saved.sigmoid ? arena.input(saved.sigmoid) : 0;
  const py = act ? arena.input(saved.y) : 0;
  const pgz = act ? arena.alloc(R * N * 4) : pg;
  const pw = wantX ? arena.input(w) : 0;
  const px = wantW ? arena.input(x) : 0;
  const pdx = wantX ? arena.output(R * K) : 0;
  const pdw = wantW ? arena.output(N * K) : 0;
  const byRows = threads === 1 || splitsByRows(R, K, threads); // dx (R×K) is the GEMM split with the rows
  const chunk = byRows ? splitChunk(R, MR, threads) : R;
  const nChunks = Math.ceil(R / chunk);
  const part = wantB ? arena.alloc(nChunks * N * 8) : 0;
  const work = reserveGemmWorkspace(k, arena, N, K, threads); // W (N×K) for dx; its scratch serves both GEMMs
  const packedX = wantW ? arena.alloc(k.packedBBytes(R, K)) : 0;
  if (!arena.commit()) return null;
  if (wantX) packBOnThreads(k, pw, N, K, 0, work);
  const rowsDx = wantX && byRows ? pdx : 0;
  const jobThreads = byRows ? threads : 1;
  // args: gy, s, y, gz, part, pw, dx, x, px, R, N, K, scratch, act, chunk, r0, r1
  const args = (t: number) => [pg, ps, py, pgz, part, work.packed, rowsDx, px, packedX, R, N, K, work.scratch[t]!, act ? ACT_CODE[act] : 0, chunk, 0, 0];
  runParallel(k, { fn: 'linearGradRows', args, lo: 15, hi: 16, total: R, chunk }, jobThreads);
  if (wantX && !byRows) sgemmPackedOnThreads(k, pgz, pdx, R, K, N, 0, work); // (R,N)·(N,K), split by columns
  if (wantW) sgemmPackedOnThreads(k, pgz, pdw, N, K, R, 1, { ...work, packed: packedX }); // (R,N)ᵀ·(R,K)
  let db: Float32Array | null = null;
  if (wantB) {
    db = Float32Array.from(columnSumsF64(arena.f64(part, nChunks * N), nChunks, N)); // the chunks' partials, in chunk order
  }
  return { dx: wantX ? arena.take(pdx, R * K) : null, dw: wantW ? arena.take(pdw, N * K) : null, db };
}

/**
 * Fused y = act(x·Wᵀ + b) for `linear` (ops/linear.ts; arguments validated there), float32: one
 * GEMM reading W transposed in place (no transposed copy of the weight forward or backward), the
 * bias and the activation applied to each row chunk in wasm memory; backward gz = g·act'(z), dx =
 * gz·W, dW = gzᵀ·x over the flattened batch (one GEMM each, transpose flags), db = column sums of
 * gz (float64, in wasm). Null (the composite runs) for other dtypes, small products, under trace or
 * anomaly detection; with createGraph the backward is written with tensor ops.
 */
export function fusedLinear(x: Tensor, weight: Tensor, bias: Tensor | null, activation: LinearActivation | null = null): Tensor | null {
  if (x.dtype !== 'float32' || weight.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return null;
  if (activeRecorder() !== null || isAnomalyEnabled()) return null;
  const [N, K] = weight.shape as [number, number];
  const R = K === 0 ? 0 : x.size / K;
  if (R === 0 || N === 0 || K === 0 || !useWasm(R * N * K, MATMUL_WASM_MIN_WORK)) return null;
  const out = linearForwardWasm(x.storage as Float32Array, weight.storage as Float32Array, (bias?.storage as Float32Array | undefined) ?? null, R, N, K, activation);
  if (!out) return null;
  const outShape = [...x.shape.slice(0, -1), N];
  const y = new Tensor(out.y, outShape, 'float32');
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return withCustomGrad(activation ? `linear+${activation}` : 'linear', inputs, y, (g) => {
    const lead = Array.from({ length: g.ndim - 1 }, (_, i) => i);
    if (!directBackwardAllowed() || g.dtype !== 'float32') {
      // Tensor ops (differentiable): gz = g·act'(z) with z recomputed from the inputs, dx = gz·W,
      // dW = gzᵀ·x over the flattened batch, db = Σ gz.
      let gz = g;
      if (activation) {
        const mm = x.matmul(weight.transpose(0, 1)); // (*, N)
        const z = bias ? mm.add(bias) : mm;
        gz = g.mul(activation === 'silu' ? siluDerivative(z) : z.gt(0).to('float32'));
      }
      const res = [gz.matmul(weight), gz.reshape([R, N]).transpose(0, 1).matmul(x.reshape([R, K]))];
      if (bias) res.push(lead.length ? gz.sum(lead) : gz);
      return res;
    }
    const wantB = !!bias?.requiresGrad;
    const G = g.storage as Float32Array;
    const fused = linearBackwardWasm(G, activation, out, x.storage as Float32Array, weight.storage as Float32Array, R, N, K, x.requiresGrad, weight.requiresGrad, wantB);
    if (fused) {
      const res: (Tensor | null)[] = [fused.dx && new Tensor(fused.dx, x.shape, 'float32'), fused.dw && new Tensor(fused.dw, weight.shape, 'float32')];
      if (bias) res.push(fused.db && new Tensor(fused.db, bias.shape, 'float32'));
      return res;
    }
    const yt = new Tensor(out.y, outShape, 'float32');
    const GZ =
      activation === 'silu' ? g.mul(siluGradientFromOutputs(new Tensor(out.sigmoid!, outShape, 'float32'), yt)).storage
      : activation === 'relu' ? g.mul(yt.gt(0).to('float32')).storage
      : G;
    let dx: Tensor | null = null;
    if (x.requiresGrad) {
      const s = new Float32Array(R * K);
      gemmBatched('float32', GZ, 1, weight.storage, 1, s, ZERO, ZERO, R, K, N); // (R,N)·(N,K)
      dx = new Tensor(s, x.shape, 'float32');
    }
    let dw: Tensor | null = null;
    if (weight.requiresGrad) {
      const s = new Float32Array(N * K);
      gemmBatched('float32', GZ, 1, x.storage, 1, s, ZERO, ZERO, N, K, R, true, false); // (R,N)ᵀ·(R,K)
      dw = new Tensor(s, weight.shape, 'float32');
    }
    const res: (Tensor | null)[] = [dx, dw];
    if (bias) res.push(bias.requiresGrad ? new Tensor(Float32Array.from(columnSumsF64(GZ, R, N)), bias.shape, 'float32') : null);
    return res;
  });
}
