import { type FusedAdamScalars, type Tensor, fusedAdamUpdate } from '@likelihood/core';

/** One Adam/AdamW update's scalars, already derived from the group and the step count (core's type, shared with its wasm kernel). */
export type AdamStepScalars = FusedAdamScalars;

/**
 * Adam's update of one parameter in a single pass over its values, with no intermediate
 * tensors: the same formula as the tensor-op form in adam.ts, operation for operation. The
 * intermediates stay in float64 and only the stored values (state, parameter) round to the
 * parameter's dtype, so float64 results are identical to the tensor-op form and float32 ones
 * agree to float32 rounding (often more exact). Rounding each intermediate to float32 as the
 * tensor ops do would make tiny gradients (|g| < 1e-19, g² subnormal) hit the CPU's slow
 * subnormal path: 10× slower on a GPT's gradients. `expAvg`, `expAvgSq` (and `maxExpAvgSq`)
 * are the optimizer's own state and are updated in place, as torch does; the parameter gets new
 * storage (returned), so tensors saved by an earlier backward keep their values. Float tensors
 * only (the caller checks).
 */
export function adamStep(p: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, s: AdamStepScalars): Float32Array | Float64Array {
  if (!maxExpAvgSq && p.dtype === 'float32' && grad.dtype === 'float32' && expAvg.dtype === 'float32' && expAvgSq.dtype === 'float32') {
    // core's wasm kernel: the same arithmetic, identical results, split over threads
    const out = fusedAdamUpdate(p.storage as Float32Array, grad.storage as Float32Array, expAvg.storage as Float32Array, expAvgSq.storage as Float32Array, s);
    if (out) return out;
  }
  const P = p.storage;
  const G = grad.storage;
  const M = expAvg.storage;
  const V = expAvgSq.storage;
  const VMax = maxExpAvgSq?.storage ?? null;
  const n = P.length;
  const out = p.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const { l2, decay, beta2, eps, maximize } = s;
  const w1 = 1 - s.beta1; // lerp weight
  const lerpSmall = w1 < 0.5;
  const wl = lerpSmall ? w1 : 1 - w1;
  const c2 = 1 - beta2;
  const bc2 = s.biasCorrection2Sqrt;
  const negStep = -s.stepSize;
  for (let i = 0; i < n; i++) {
    const pi = P[i]!;
    let g = maximize ? -G[i]! : G[i]!;
    if (l2 !== 0) g += pi * l2;
    const param = decay !== 1 ? pi * decay : pi;
    // torch.lerp's CPU formula: a + w·(b − a) for w < 0.5, else b − (b − a)·(1 − w)
    const a = M[i]!;
    M[i] = lerpSmall ? a + (g - a) * wl : g - (g - a) * wl;
    const m = M[i]!;
    V[i] = V[i]! * beta2 + g * g * c2;
    let second = V[i]!;
    if (VMax) {
      const prev = VMax[i]!;
      VMax[i] = prev !== prev || second !== second ? NaN : Math.max(prev, second);
      second = VMax[i]!;
    }
    out[i] = param + (m * negStep) / (Math.sqrt(second) / bc2 + eps);
  }
  return out;
}
