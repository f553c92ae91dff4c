import { ArgumentError, type Tensor, minimum, noGrad, stack } from '@likelihood/core';

export interface AdamWHyper {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Clip the gradients' global L2 norm to this first (torch.nn.utils.clip_grad_norm_); none when absent. */
  maxGradNorm?: number;
}

/**
 * Optimizer state held in tensors, so that a traced training step takes it as inputs and its
 * updates become graph outputs: first and second moments per parameter and the step count
 * (float32 scalar; the bias corrections are computed from it inside the graph, not baked in).
 */
export interface AdamWState {
  expAvg: Tensor[];
  expAvgSq: Tensor[];
  step: Tensor;
}

/** Global-norm clipping as torch's clip_grad_norm_: g · min(1, maxNorm / (‖g‖ + 1e-6)). */
export function clipGradNorm(grads: readonly Tensor[], maxNorm: number): Tensor[] {
  const total = stack(grads.map((g) => g.square().sum())).sum().sqrt();
  const coef = minimum(total.add(1e-6).reciprocal().mul(maxNorm), 1);
  return grads.map((g) => g.mul(coef));
}

/**
 * One AdamW step (torch.optim.AdamW's update, decoupled weight decay) written with tensor ops and
 * `assign_`, for use inside a traced training step: parameters, moments and the step count are all
 * updated in place, so `trace`/`compile` turn them into graph outputs written back after each run.
 * nn's AdamW keeps the step count in JS, which a graph would freeze at its traced value.
 */
export function adamwStep(params: readonly Tensor[], grads: readonly Tensor[], state: AdamWState, h: AdamWHyper): void {
  if (params.length !== grads.length || params.length !== state.expAvg.length || params.length !== state.expAvgSq.length) {
    throw new ArgumentError(
      `adamwStep: expected one gradient and one moment pair per parameter (${params.length}), found ${grads.length} gradients, ${state.expAvg.length}/${state.expAvgSq.length} moments`,
    );
  }
  const [b1, b2] = h.betas ?? [0.9, 0.999];
  const eps = h.eps ?? 1e-8;
  const wd = h.weightDecay ?? 1e-2;
  noGrad(() => {
    const g = h.maxGradNorm !== undefined ? clipGradNorm(grads, h.maxGradNorm) : [...grads];
    const t = state.step.add(1);
    const bc1 = t.mul(0).add(b1).pow(t).neg().add(1); // 1 − β1^t
    const bc2Sqrt = t.mul(0).add(b2).pow(t).neg().add(1).sqrt();
    params.forEach((p, i) => {
      const m = state.expAvg[i]!.mul(b1).add(g[i]!.mul(1 - b1));
      const v = state.expAvgSq[i]!.mul(b2).add(g[i]!.square().mul(1 - b2));
      const denom = v.sqrt().div(bc2Sqrt).add(eps);
      const decayed = wd !== 0 ? p.mul(1 - h.lr * wd) : p;
      p.assign_(decayed.sub(m.div(denom).mul(bc1.reciprocal().mul(h.lr))));
      state.expAvg[i]!.assign_(m);
      state.expAvgSq[i]!.assign_(v);
    });
    state.step.assign_(t);
  });
}
