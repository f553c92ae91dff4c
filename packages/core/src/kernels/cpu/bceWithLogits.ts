import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { allocate, isFloating } from '../../dtype.js';
import { Tensor } from '../../tensor.js';

/**
 * Fused binary cross-entropy with logits for ops/nn.ts, elementwise:
 * max(l, 0) − x·l + log1p(e^{−|l|}), the Bernoulli NLL of x under logits l. One loop forward, in
 * float64 arithmetic, which also keeps σ(l) = 1/(1 + e^{−|l|}) (or e^{−|l|}/(1 + e^{−|l|}) for
 * l < 0) so the backward, g·(σ(l) − x), is one more loop with no exp. The composite it replaces
 * makes ten passes each way. Null (the composite runs) for non-float or mixed dtypes, under trace
 * (which records primitives) and under anomaly detection. Same-shape inputs (the caller checks).
 */
export function fusedBceWithLogits(logits: Tensor, target: Tensor): Tensor | null {
  if (!isFloating(logits.dtype) || target.dtype !== logits.dtype || activeRecorder() !== null || isAnomalyEnabled()) return null;
  const l = logits.storage;
  const x = target.storage;
  const n = l.length;
  const out = allocate(logits.dtype, n);
  const sigma = allocate(logits.dtype, n);
  for (let i = 0; i < n; i++) {
    const v = l[i]!;
    const e = Math.exp(-Math.abs(v));
    const r = 1 / (1 + e);
    out[i] = Math.max(v, 0) - x[i]! * v + Math.log1p(e);
    sigma[i] = v >= 0 ? r : e * r;
  }
  const result = new Tensor(out, logits.shape, logits.dtype);
  return withCustomGrad('binaryCrossEntropyWithLogits', [logits, target], result, (g) => {
    const dTarget = target.requiresGrad ? g.mul(logits).neg() : null; // ∂/∂x = −l
    if (!isGradEnabled() && activeRecorder() === null && g.dtype === logits.dtype) {
      const gs = g.storage;
      const dl = allocate(logits.dtype, n);
      for (let i = 0; i < n; i++) dl[i] = gs[i]! * (sigma[i]! - x[i]!);
      return [new Tensor(dl, logits.shape, logits.dtype), dTarget];
    }
    // a graph of the backward (createGraph): σ(l) − x as tensor ops
    const s = logits.neg().exp().add(1).reciprocal();
    return [g.mul(s.sub(target)), dTarget];
  });
}
