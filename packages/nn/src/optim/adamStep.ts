import type { Tensor } from '@likelihood/core';

/** One Adam/AdamW update's scalars, already derived from the group and the step count. */
export interface AdamStepScalars {
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

const identity = (x: number) => x;

/**
 * Adam's update of one parameter in a single pass over its values, with no intermediate
 * tensors: the same arithmetic as the tensor-op form in adam.ts, operation for operation, with
 * each intermediate rounded to the parameter's dtype exactly where a float32 tensor op would
 * round it, so both forms give identical values. `expAvg`, `expAvgSq` (and `maxExpAvgSq`) are
 * the optimizer's own state and are updated in place, as torch does; the parameter gets new
 * storage (returned), so tensors saved by an earlier backward keep their values. Float
 * tensors only (the caller checks).
 */
export function adamStep(p: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor | null, s: AdamStepScalars): Float32Array | Float64Array {
  const f32 = p.dtype === 'float32';
  const r = f32 ? Math.fround : identity;
  const P = p.storage;
  const G = grad.storage;
  const M = expAvg.storage;
  const V = expAvgSq.storage;
  const VMax = maxExpAvgSq?.storage ?? null;
  const n = P.length;
  const out = f32 ? new Float32Array(n) : new Float64Array(n);
  // Scalars become tensors of the parameter's dtype in the tensor-op form: round them likewise.
  const l2 = r(s.l2);
  const decay = r(s.decay);
  const w1 = 1 - s.beta1; // lerp weight
  const lerpSmall = w1 < 0.5;
  const wl = r(lerpSmall ? w1 : 1 - w1);
  const b2 = r(s.beta2);
  const c2 = r(1 - s.beta2);
  const bc2 = r(s.biasCorrection2Sqrt);
  const eps = r(s.eps);
  const negStep = r(-s.stepSize);
  for (let i = 0; i < n; i++) {
    const pi = P[i]!;
    let g = s.maximize ? -G[i]! : G[i]!;
    if (s.l2 !== 0) g = r(g + r(pi * l2));
    const param = s.decay !== 1 ? r(pi * decay) : pi;
    // torch.lerp's CPU formula: a + w·(b − a) for w < 0.5, else b − (b − a)·(1 − w)
    const a = M[i]!;
    const m = lerpSmall ? r(a + r(r(g - a) * wl)) : r(g - r(r(g - a) * wl));
    M[i] = m;
    const v = r(r(V[i]! * b2) + r(r(g * g) * c2));
    V[i] = v;
    let second = v;
    if (VMax) {
      const prev = VMax[i]!;
      second = prev !== prev || v !== v ? NaN : Math.max(prev, v);
      VMax[i] = second;
    }
    const denom = r(r(r(Math.sqrt(second)) / bc2) + eps);
    out[i] = r(param + r(r(m * negStep) / denom));
  }
  return out;
}
