import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { withCustomGrad } from '../../dispatch.js';
import { Tensor } from '../../tensor.js';
import { useWasm } from './preference.js';
import { unaryWasm } from './unary.js';

/** Below this many elements the composite is as fast. */
export const GELU_WASM_MIN_ELEMENTS = 1024;

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU (tanh form) or, with `g`, its gradient g·gelu'(x), in wasm; null when it cannot run. */
export function geluTanhWasm(x: Float32Array, g?: Float32Array): Float32Array | null {
  return unaryWasm(g ? 'geluTanhGrad' : 'geluTanh', x, g);
}

/**
 * Fused GELU (tanh approximation) for the composite in ops/activations.ts: the value in one
 * wasm pass; the backward is a second wasm pass, or tensor ops when a graph of the backward is
 * being built (createGraph), so higher-order gradients work. Null (composite runs) for
 * non-float32, small tensors, under trace or anomaly detection.
 */
export function fusedGeluTanh(x: Tensor): Tensor | null {
  if (x.dtype !== 'float32' || activeRecorder() !== null || isAnomalyEnabled()) return null;
  if (!useWasm(x.storage.length, GELU_WASM_MIN_ELEMENTS)) return null;
  const y = geluTanhWasm(x.storage as Float32Array);
  if (!y) return null;
  const out = new Tensor(y, x.shape, 'float32');
  return withCustomGrad('geluTanh', [x], out, (g) => {
    if (!isGradEnabled() && activeRecorder() === null && g.dtype === 'float32') {
      const dx = geluTanhWasm(x.storage as Float32Array, g.storage as Float32Array);
      if (dx) return [new Tensor(dx, x.shape, 'float32')];
    }
    // d/dx x·σ(2u) = s + x·s·(1 − s)·2u',  u = √(2/π)(x + 0.044715x³)
    // 1 − s = σ(−2u), not 1 − s, which is 0 in float32 once s rounds to 1.
    const twoU = x.mul(x.mul(x).mul(0.044715).add(1)).mul(2 * SQRT_2_OVER_PI);
    const s = twoU.sigmoid();
    const du = x.mul(x).mul(3 * 0.044715).add(1).mul(2 * SQRT_2_OVER_PI);
    return [g.mul(s.add(x.mul(s).mul(twoU.neg().sigmoid()).mul(du)))];
  });
}
