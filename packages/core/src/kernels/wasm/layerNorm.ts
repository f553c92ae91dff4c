import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { Tensor } from '../../tensor.js';
import { useWasm } from './preference.js';
import { ELEMENTWISE_MIN_WORK_PER_THREAD, beginKernelCall, runParallel, splitChunk } from './threads.js';

/** Below this many elements the composite is as fast. */
export const LAYERNORM_WASM_MIN_ELEMENTS = 1024;

interface Saved {
  mean: Float32Array;
  rstd: Float32Array;
}

/** Forward in wasm: y plus per-row mean and rstd; null when wasm cannot run. */
export function layerNormWasm(x: Float32Array, w: Float32Array | null, b: Float32Array | null, D: number, eps: number): { y: Float32Array } & Saved | null {
  const n = x.length;
  const rows = n / D;
  const call = beginKernelCall(n, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.input(x);
  const pw = w ? arena.input(w) : 0;
  const pb = b ? arena.input(b) : 0;
  const py = arena.output(n);
  const pm = arena.output(rows);
  const pr = arena.output(rows);
  if (!arena.commit()) return null;
  const args = () => [px, pw, pb, py, pm, pr, 0, 0, D, eps];
  runParallel(k, { fn: 'layerNormRows', args, lo: 6, hi: 7, total: rows, chunk: splitChunk(rows, 1, threads) }, threads);
  return { y: arena.take(py, n), mean: arena.take(pm, rows), rstd: arena.take(pr, rows) };
}

/** Backward in wasm: dx, and dw/db when asked; null when wasm cannot run. */
export function layerNormBackwardWasm(
  x: Float32Array, w: Float32Array | null, g: Float32Array, saved: Saved, D: number, wantW: boolean, wantB: boolean,
): { dx: Float32Array; dw: Float32Array | null; db: Float32Array | null } | null {
  const n = x.length;
  const rows = n / D;
  const call = beginKernelCall(n, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.input(x);
  const pg = arena.input(g);
  const pw = w ? arena.input(w) : 0;
  const pm = arena.input(saved.mean);
  const pr = arena.input(saved.rstd);
  const pdx = arena.output(n);
  // dw and db are sums over rows: each thread accumulates its own pair, added up below.
  const pdw = wantW ? arena.alloc(threads * D * 4) : 0;
  const pdb = wantB ? arena.alloc(threads * D * 4) : 0;
  if (!arena.commit()) return null;
  if (wantW) arena.f32(pdw, threads * D).fill(0);
  if (wantB) arena.f32(pdb, threads * D).fill(0);
  const args = (t: number) => [px, pw, pg, pm, pr, pdx, pdw && pdw + t * D * 4, pdb && pdb + t * D * 4, 0, 0, D];
  runParallel(k, { fn: 'layerNormBackward', args, lo: 8, hi: 9, total: rows, chunk: splitChunk(rows, 1, threads) }, threads);
  return {
    dx: arena.take(pdx, n),
    dw: wantW ? sumPartials(arena.f32(pdw, threads * D), threads, D) : null,
    db: wantB ? sumPartials(arena.f32(pdb, threads * D), threads, D) : null,
  };
}

/** The sum of `threads` consecutive length-D partial sums (per-thread weight and bias gradients). */
export function sumPartials(parts: Float32Array, threads: number, D: number): Float32Array {
  const out = parts.slice(0, D);
  for (let t = 1; t < threads; t++) {
    for (let j = 0; j < D; j++) out[j]! += parts[t * D + j]!;
  }
  return out;
}

/**
 * Fused layerNorm over the trailing `k` dims of a float32 input, for the composite in ops/nn.ts
 * (arguments already validated there): forward and backward each one wasm pass; the backward is
 * written with tensor ops instead when a graph of it is being built (createGraph). Null (the
 * composite runs) for other dtypes, small inputs, under trace or anomaly detection.
 */
export function fusedLayerNorm(x: Tensor, k: number, weight: Tensor | null, bias: Tensor | null, eps: number): Tensor | null {
  if (x.dtype !== 'float32' || (weight && weight.dtype !== 'float32') || (bias && bias.dtype !== 'float32')) return null;
  if (activeRecorder() !== null || isAnomalyEnabled()) return null;
  let D = 1;
  for (let i = x.ndim - k; i < x.ndim; i++) D *= x.shape[i]!;
  const n = x.storage.length;
  if (D === 0 || n === 0 || !useWasm(n, LAYERNORM_WASM_MIN_ELEMENTS)) return null;
  const w = (weight?.storage as Float32Array | undefined) ?? null;
  const b = (bias?.storage as Float32Array | undefined) ?? null;
  const r = layerNormWasm(x.storage as Float32Array, w, b, D, eps);
  if (!r) return null;
  const out = new Tensor(r.y, x.shape, 'float32');
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
  const lead = Array.from({ length: x.ndim - k }, (_, i) => i);
  return withCustomGrad('layerNorm', inputs, out, (g) => {
    if (!isGradEnabled() && activeRecorder() === null && g.dtype === 'float32') {
      const gr = layerNormBackwardWasm(x.storage as Float32Array, w, g.storage as Float32Array, r, D, !!weight, !!bias);
      if (gr) {
        const res: Tensor[] = [new Tensor(gr.dx, x.shape, 'float32')];
        if (weight) res.push(new Tensor(gr.dw!, weight.shape, 'float32'));
        if (bias) res.push(new Tensor(gr.db!, bias.shape, 'float32'));
        return res;
      }
    }
    // Tensor-op backward (differentiable): x̂ = (x − μ)·rstd, ĝ = g·w,
    // dx = rstd·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)), dw = Σ g·x̂, db = Σ g over the leading dims.
    const xc = x.sub(x.mean(dims, true));
    const rstd = xc.mul(xc).mean(dims, true).add(eps).rsqrt();
    const xh = xc.mul(rstd);
    const gh = weight ? g.mul(weight) : g;
    const dx = rstd.mul(gh.sub(gh.mean(dims, true)).sub(xh.mul(gh.mul(xh).mean(dims, true))));
    const res: Tensor[] = [dx];
    if (weight) res.push(lead.length ? g.mul(xh).sum(lead) : g.mul(xh));
    if (bias) res.push(lead.length ? g.sum(lead) : g);
    return res;
  });
}
