import { useWasm } from './preference.js';
import { ELEMENTWISE_MIN_WORK_PER_THREAD, beginKernelCall, runParallel, splitChunk } from './threads.js';

/** Below this many elements the optimizer's own JS loop is as fast as copying into wasm memory. */
export const ADAM_WASM_MIN_ELEMENTS = 4096;

/** The scalars of one Adam/AdamW step, as @likelihood/nn's Adam derives them from its group. */
export interface FusedAdamScalars {
  beta1: number;
  beta2: number;
  /** lr / (1 − β₁ᵗ) */
  stepSize: number;
  /** √(1 − β₂ᵗ) */
  biasCorrection2Sqrt: number;
  eps: number;
  /** Adam's L2 term added to the gradient (0 for none). */
  l2: number;
  /** AdamW's decoupled factor p·(1 − lr·wd) (1 for none). */
  decay: number;
  maximize: boolean;
}

/**
 * One Adam/AdamW step of a float32 parameter in wasm (split over threads): m and v (the
 * optimizer's state) are updated in place and the new parameter values are returned. float64
 * arithmetic with float32 storage, operation for operation as @likelihood/nn's JS loop, so the
 * two give identical results. Null when wasm is not selected for this size or cannot run; the
 * caller then runs its own loop. (AMSGrad's running maximum is not covered.)
 */
export function fusedAdamUpdate(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, s: FusedAdamScalars): Float32Array | null {
  const n = p.length;
  if (!useWasm(n, ADAM_WASM_MIN_ELEMENTS)) return null;
  const call = beginKernelCall(n, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const pp = arena.input(p);
  const pg = arena.input(g);
  const pm = arena.inPlace(m); // m and v are updated in place (copied in and back unless resident)
  const pv = arena.inPlace(v);
  const po = arena.output(n);
  if (!arena.commit()) return null;
  const w1 = 1 - s.beta1;
  const lerpSmall = w1 < 0.5;
  const scalars = [s.beta2, lerpSmall ? w1 : 1 - w1, lerpSmall ? 1 : 0, 1 - s.beta2, s.biasCorrection2Sqrt, -s.stepSize, s.eps, s.l2, s.decay, s.maximize ? 1 : 0];
  runParallel(k, { fn: 'adamF32', args: () => [pp, pg, pm, pv, po, 0, 0, ...scalars], lo: 5, hi: 6, total: n, chunk: splitChunk(n, 4, threads) }, threads);
  arena.writeBack();
  return arena.take(po, n);
}
