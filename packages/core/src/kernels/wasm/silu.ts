import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { Tensor } from '../../tensor.js';
import { useWasm } from './preference.js';
import { unaryWasm } from './unary.js';

/** Below this many elements the composite (x·sigmoid(x)) is as fast. */
export const SILU_WASM_MIN_ELEMENTS = 1024;

/**
 * Fused SiLU x·σ(x) for the composite in ops/activations.ts: one wasm pass forward and one
 * backward (g·σ(x)·(1 + x·σ(−x))), or tensor ops when a graph of the backward is being built
 * (createGraph). Null (composite runs) for non-float32, small tensors, under trace or anomaly
 * detection.
 */
export function fusedSilu(x: Tensor): Tensor | null {
  if (x.dtype !== 'float32' || activeRecorder() !== null || isAnomalyEnabled()) return null;
  if (!useWasm(x.storage.length, SILU_WASM_MIN_ELEMENTS)) return null;
  const y = unaryWasm('silu', x.storage as Float32Array);
  if (!y) return null;
  const out = new Tensor(y, x.shape, 'float32');
  return withCustomGrad('silu', [x], out, (g) => {
    if (!isGradEnabled() && activeRecorder() === null && g.dtype === 'float32') {
      const dx = unaryWasm('siluGrad', x.storage as Float32Array, g.storage as Float32Array);
      if (dx) return [new Tensor(dx, x.shape, 'float32')];
    }
    return [g.mul(siluDerivative(x))];
  });
}

/** silu'(z) = σ + y·(1 − σ) from σ = σ(z) and y = z·σ(z), as torch's silu_backward (tensor ops). */
export function siluGradientFromOutputs(sigmoid: Tensor, y: Tensor): Tensor {
  return sigmoid.add(y.mul(sigmoid.neg().add(1)));
}

/** d/dx x·σ(x) = σ(x)·(1 + x·σ(−x)) in tensor ops (differentiable); σ(−x) rather than 1 − σ(x), which rounds to 0. */
export function siluDerivative(x: Tensor): Tensor {
  return x.sigmoid().mul(x.mul(x.neg().sigmoid()).add(1));
}
