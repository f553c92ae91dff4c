import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { type TypedArray, allocate } from '../../dtype.js';
import { Tensor } from '../../tensor.js';

/**
 * Fused ReLU for ops/activations.ts: one loop over the storage forward (x where x > 0, else 0;
 * NaN stays NaN, as torch) and one backward (g where x > 0, else 0, so the gradient at 0 is 0),
 * instead of the composite's comparison and broadcasting `where` each way. It is memory-bound,
 * so a plain loop is as fast as wasm would be after its copies. Null (the composite runs) for
 * bool tensors, under trace (which records primitives) and under anomaly detection.
 */
export function fusedRelu(x: Tensor): Tensor | null {
  if (x.dtype === 'bool' || activeRecorder() !== null || isAnomalyEnabled()) return null;
  const xs = x.storage as Exclude<TypedArray, Uint8Array>;
  const n = xs.length;
  const y = allocate(x.dtype, n);
  for (let i = 0; i < n; i++) {
    const v = xs[i]!;
    y[i] = v > 0 || v !== v ? v : 0;
  }
  const out = new Tensor(y, x.shape, x.dtype);
  return withCustomGrad('relu', [x], out, (g) => {
    if (!isGradEnabled() && activeRecorder() === null && g.dtype === x.dtype) {
      const gs = g.storage;
      const dx = allocate(x.dtype, n);
      for (let i = 0; i < n; i++) dx[i] = xs[i]! > 0 ? gs[i]! : 0;
      return [new Tensor(dx, x.shape, x.dtype)];
    }
    return [g.mul(x.gt(0).to(g.dtype))]; // a graph of the backward (createGraph): tensor ops
  });
}
