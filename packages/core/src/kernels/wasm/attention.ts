import { autogradGrad } from '../../autograd/engine.js';
import { enableGrad, isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { Tensor } from '../../tensor.js';
import { directBackwardAllowed } from './matmul.js';
import { useWasm } from './preference.js';
import { beginKernelCall, runParallel, splitChunk } from './threads.js';

/** Multiply-adds of attention (B·H·T²·hd) per thread below which splitting the batch does not pay. */
const ATTENTION_MIN_WORK_PER_THREAD = 1 << 18;

/** Below this many score entries (B·H·T²) the composite is as fast. */
export const ATTENTION_WASM_MIN_SCORES = 4096;

interface Dims {
  B: number;
  T: number;
  H: number;
  hd: number;
}

/** Forward on packed qkv [B, T, 3C] in wasm: y [B, T, C] and the probabilities [B, H, T, T]; null when wasm cannot run. */
export function attnCausalWasm(qkv: Float32Array, { B, T, H, hd }: Dims, scale: number): { y: Float32Array; p: Float32Array } | null {
  const C = H * hd;
  const nOut = B * T * C;
  const nP = B * H * T * T;
  const call = beginKernelCall(nP * hd, ATTENTION_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const pq = arena.input(qkv);
  const py = arena.output(nOut);
  const pp = arena.output(nP);
  if (!arena.commit()) return null;
  const args = () => [pq, pq + C * 4, pq + 2 * C * 4, py, pp, 0, 0, H, T, hd, 3 * C, C, scale];
  runParallel(k, { fn: 'attnCausal', args, lo: 5, hi: 6, total: B, chunk: splitChunk(B, 1, threads) }, threads);
  return { y: arena.take(py, nOut), p: arena.take(pp, nP) };
}

/** Backward in wasm: the gradient with respect to the packed qkv; null when wasm cannot run. */
export function attnCausalBackwardWasm(qkv: Float32Array, p: Float32Array, gy: Float32Array, { B, T, H, hd }: Dims, scale: number): Float32Array | null {
  const C = H * hd;
  const nIn = B * T * 3 * C;
  const call = beginKernelCall(p.length * hd, ATTENTION_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const pq = arena.input(qkv);
  const pp = arena.copy(p); // the kernel overwrites P with dS
  const pg = arena.input(gy);
  const pd = arena.output(nIn);
  const row = arena.alloc(threads * T * 4); // one scratch row per thread
  if (!arena.commit()) return null;
  arena.f32(pd, nIn).fill(0);
  const c4 = C * 4;
  const args = (t: number) => [pq, pq + c4, pq + 2 * c4, pg, pp, pd, pd + c4, pd + 2 * c4, row + t * T * 4, 0, 0, H, T, hd, 3 * C, C, scale];
  runParallel(k, { fn: 'attnCausalBackward', args, lo: 9, hi: 10, total: B, chunk: splitChunk(B, 1, threads) }, threads);
  return arena.take(pd, nIn);
}

/**
 * Fused causal attention for `causalAttentionPacked` (ops/attention.ts; arguments validated
 * there): one wasm pass forward, one backward, reading q, k, v in place from the packed
 * projection. Returns null (the composite runs) for float64, small inputs, or under trace or
 * anomaly detection. When a graph of the backward is built (createGraph), the backward
 * differentiates the composite instead, so higher-order gradients still work.
 */
export function fusedCausalAttention(qkv: Tensor, H: number, scale: number, composite: (qkv: Tensor) => Tensor): Tensor | null {
  if (qkv.dtype !== 'float32' || activeRecorder() !== null || isAnomalyEnabled()) return null;
  const [B, T, C3] = qkv.shape as [number, number, number];
  const dims = { B, T, H, hd: C3 / 3 / H };
  if (qkv.size === 0 || !useWasm(B * H * T * T, ATTENTION_WASM_MIN_SCORES)) return null;
  const r = attnCausalWasm(qkv.storage as Float32Array, dims, scale);
  if (!r) return null;
  const out = new Tensor(r.y, [B, T, C3 / 3], 'float32');
  return withCustomGrad('causalAttention', [qkv], out, (g) => {
    if (directBackwardAllowed() && g.dtype === 'float32') {
      const d = attnCausalBackwardWasm(qkv.storage as Float32Array, r.p, g.storage as Float32Array, dims, scale);
      if (d) return [new Tensor(d, qkv.shape, 'float32')];
    }
    // Differentiate the composite (recomputed): a graph when createGraph is on, primitives under trace.
    const createGraph = isGradEnabled();
    return enableGrad(() => autogradGrad([composite(qkv)], [qkv], { gradOutputs: [g], createGraph }));
  });
}
