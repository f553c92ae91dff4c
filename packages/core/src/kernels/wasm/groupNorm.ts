import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { Tensor } from '../../tensor.js';
import { sumPartials } from './layerNorm.js';
import { siluDerivative } from './silu.js';
import { useWasm } from './preference.js';
import { residentOutputsOn } from './resident.js';
import { ELEMENTWISE_MIN_WORK_PER_THREAD, beginKernelCall, runParallel, splitChunk } from './threads.js';

/** Below this many elements the composite is as fast. */
export const GROUPNORM_WASM_MIN_ELEMENTS = 1024;

/** The shape of one GroupNorm call: N·G rows of Cg channels × HW values. */
interface Rows {
  G: number;
  Cg: number;
  HW: number;
  rows: number;
}

interface Saved {
  mean: Float32Array;
  rstd: Float32Array;
  /** σ(a) of the SiLU, kept when resident outputs are on (the backward then needs no exp); else recomputed. */
  sigmoid: Float32Array | null;
}

/** Forward in wasm (rows split between threads): y and each row's mean and rstd (and σ(a), see Saved); null when wasm cannot run. */
function groupNormWasm(x: Float32Array, w: Float32Array | null, b: Float32Array | null, s: Rows, eps: number, silu: boolean): ({ y: Float32Array } & Saved) | null {
  const n = x.length;
  const call = beginKernelCall(n, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.input(x);
  const pw = w ? arena.input(w) : 0;
  const pb = b ? arena.input(b) : 0;
  const py = arena.output(n);
  // Copying σ(a) out and back in costs about what its exp saves, so it is kept only where it stays in wasm memory.
  const ps = silu && residentOutputsOn() ? arena.output(n) : 0;
  const pm = arena.output(s.rows);
  const pr = arena.output(s.rows);
  if (!arena.commit()) return null;
  const args = () => [px, pw, pb, py, ps, pm, pr, 0, 0, s.G, s.Cg, s.HW, eps, silu ? 1 : 0];
  runParallel(k, { fn: 'groupNormRows', args, lo: 7, hi: 8, total: s.rows, chunk: splitChunk(s.rows, 1, threads) }, threads);
  return { y: arena.take(py, n), sigmoid: ps ? arena.take(ps, n) : null, mean: arena.take(pm, s.rows), rstd: arena.take(pr, s.rows) };
}

/** Backward in wasm: dx, and dw/db when asked (summed per thread, then added); null when wasm cannot run. */
function groupNormBackwardWasm(
  x: Float32Array, w: Float32Array | null, b: Float32Array | null, gy: Float32Array, saved: Saved, s: Rows, silu: boolean, wantW: boolean, wantB: boolean,
): { dx: Float32Array; dw: Float32Array | null; db: Float32Array | null } | null {
  const n = x.length;
  const C = s.G * s.Cg;
  const call = beginKernelCall(n, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const px = arena.input(x);
  const pg = arena.input(gy);
  const pw = w ? arena.input(w) : 0;
  const pb = b ? arena.input(b) : 0;
  const ps = silu && saved.sigmoid ? arena.input(saved.sigmoid) : 0;
  const pm = arena.input(saved.mean);
  const pr = arena.input(saved.rstd);
  const pdx = arena.output(n);
  const pdw = wantW ? arena.alloc(threads * C * 4) : 0;
  const pdb = wantB ? arena.alloc(threads * C * 4) : 0;
  if (!arena.commit()) return null;
  if (wantW) arena.f32(pdw, threads * C).fill(0);
  if (wantB) arena.f32(pdb, threads * C).fill(0);
  const args = (t: number) => [px, pw, pb, pg, ps, pm, pr, pdx, pdw && pdw + t * C * 4, pdb && pdb + t * C * 4, 0, 0, s.G, s.Cg, s.HW, silu ? 1 : 0];
  runParallel(k, { fn: 'groupNormBackward', args, lo: 10, hi: 11, total: s.rows, chunk: splitChunk(s.rows, 1, threads) }, threads);
  return {
    dx: arena.take(pdx, n),
    dw: wantW ? sumPartials(arena.f32(pdw, threads * C), threads, C) : null,
    db: wantB ? sumPartials(arena.f32(pdb, threads * C), threads, C) : null,
  };
}

/**
 * Fused groupNorm (float32, (N, C, *) input, arguments validated by ops/nn.ts), optionally
 * followed by SiLU: forward one wasm pass (statistics, the per-channel affine and the activation
 * together), backward one pass (the activation's derivative, the affine's and the
 * normalisation's). With createGraph the backward is written with tensor ops, so higher-order
 * gradients work. Null (the composite runs) for other dtypes, small inputs, under trace or
 * anomaly detection.
 */
export function fusedGroupNorm(x: Tensor, numGroups: number, weight: Tensor | null, bias: Tensor | null, eps: number, silu: boolean): Tensor | null {
  if (x.dtype !== 'float32' || (weight && weight.dtype !== 'float32') || (bias && bias.dtype !== 'float32')) return null;
  if (activeRecorder() !== null || isAnomalyEnabled()) return null;
  const n = x.storage.length;
  if (n === 0 || !useWasm(n, GROUPNORM_WASM_MIN_ELEMENTS)) return null;
  const [N, C] = x.shape as [number, number];
  const s: Rows = { G: numGroups, Cg: C / numGroups, HW: n / (N * C), rows: N * numGroups };
  const w = (weight?.storage as Float32Array | undefined) ?? null;
  const b = (bias?.storage as Float32Array | undefined) ?? null;
  const r = groupNormWasm(x.storage as Float32Array, w, b, s, eps, silu);
  if (!r) return null;
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return withCustomGrad(silu ? 'groupNormSilu' : 'groupNorm', inputs, new Tensor(r.y, x.shape, 'float32'), (g) => {
    if (!isGradEnabled() && activeRecorder() === null && g.dtype === 'float32') {
      const gr = groupNormBackwardWasm(x.storage as Float32Array, w, b, g.storage as Float32Array, r, s, silu, !!weight?.requiresGrad, !!bias?.requiresGrad);
      if (gr) {
        const res: (Tensor | null)[] = [new Tensor(gr.dx, x.shape, 'float32')];
        if (weight) res.push(gr.dw ? new Tensor(gr.dw, weight.shape, 'float32') : null);
        if (bias) res.push(gr.db ? new Tensor(gr.db, bias.shape, 'float32') : null);
        return res;
      }
    }
    return groupNormBackwardOps(x, numGroups, weight, bias, eps, silu, g);
  });
}

/**
 * The same backward with tensor ops (differentiable, for createGraph): x̂ per group, a = x̂·w + b,
 * ga = g·SiLU'(a) (g without SiLU), ĝ = ga·w, dx = rstd·(ĝ − mean ĝ − x̂·mean(ĝ·x̂)) per group,
 * dw = Σ ga·x̂ and db = Σ ga over images and positions.
 */
function groupNormBackwardOps(x: Tensor, G: number, weight: Tensor | null, bias: Tensor | null, eps: number, silu: boolean, g: Tensor): Tensor[] {
  const [N, C] = x.shape as [number, number];
  const channel = [1, C, ...x.shape.slice(2).map(() => 1)]; // (1, C, 1, …) broadcasts per channel
  const perChannel = [0, ...x.shape.slice(2).map((_, i) => i + 2)];
  const grouped = (t: Tensor) => t.reshape([N, G, -1]); // (N, G, C/G · spatial)
  const xc = grouped(x).sub(grouped(x).mean([2], true));
  const rstd = xc.mul(xc).mean([2], true).add(eps).rsqrt(); // (N, G, 1)
  const xh = xc.mul(rstd).reshape([...x.shape]);
  let ga = g;
  if (silu) {
    let a = weight ? xh.mul(weight.reshape(channel)) : xh;
    if (bias) a = a.add(bias.reshape(channel));
    ga = g.mul(siluDerivative(a));
  }
  const gh = grouped(weight ? ga.mul(weight.reshape(channel)) : ga);
  const xhg = grouped(xh);
  const dx = rstd.mul(gh.sub(gh.mean([2], true)).sub(xhg.mul(gh.mul(xhg).mean([2], true)))).reshape([...x.shape]);
  const res: Tensor[] = [dx];
  if (weight) res.push(ga.mul(xh).sum(perChannel));
  if (bias) res.push(ga.sum(perChannel));
  return res;
}
