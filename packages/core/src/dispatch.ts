import { isAnomalyEnabled, isGradEnabled } from './autograd/mode.js';
import { activeRecorder } from './capture/hooks.js';
import { isFloating } from './dtype.js';
import { AnomalyError, fmtShape } from './errors.js';
import { NON_DIFFERENTIABLE, type PrimitiveAttrs, type PrimitiveName } from './primitives.js';
import { getKernel } from './registry.js';
import { Tensor } from './tensor.js';
import type { TypedArray } from './dtype.js';

/**
 * Runs one primitive op: the backend kernel computes the value, then the op is recorded for
 * capture (when a trace is active) and on the autograd tape (when any input requires grad).
 * Every op in core reaches the kernels through here. Validation happens in the op functions
 * before this call, so kernels can assume well-formed inputs.
 */
export function runPrimitive<K extends PrimitiveName>(op: K, inputs: readonly Tensor[], attrs: PrimitiveAttrs[K]): Tensor {
  const result = getKernel(op)(inputs, attrs);
  const out = result instanceof Tensor ? result : new Tensor(result.storage, result.shape, result.dtype);
  if (isAnomalyEnabled()) checkAnomaly(op, inputs, out);
  activeRecorder()?.recordOp(op, inputs, attrs, out);
  if (isGradEnabled() && isFloating(out.dtype) && !NON_DIFFERENTIABLE.has(op) && inputs.some((t) => t.requiresGrad)) {
    out.gradFn = { op, inputs, attrs };
    out.requiresGrad = true;
  }
  return out;
}

/**
 * Attaches a custom backward to a composite's output (like jax.custom_vjp): the value was
 * computed by primitives under noGrad, and `backwardFn` (written with tensor ops) maps the
 * output gradient to one gradient per input. Used where the composite's own chain rule would
 * lose precision (log1p, logsumexp, ...).
 */
export function withCustomGrad(
  name: string,
  inputs: readonly Tensor[],
  out: Tensor,
  backwardFn: (grad: Tensor) => (Tensor | null)[],
): Tensor {
  if (isGradEnabled() && isFloating(out.dtype) && inputs.some((t) => t.requiresGrad)) {
    const o = out.gradFn ? out.detach() : out;
    o.gradFn = { op: `custom:${name}`, inputs, attrs: undefined, backwardFn };
    o.requiresGrad = true;
    return o;
  }
  return out;
}

export function hasNonFinite(s: TypedArray): boolean {
  for (let i = 0; i < s.length; i++) if (!Number.isFinite(s[i]!)) return true;
  return false;
}

export function checkAnomaly(op: string, inputs: readonly Tensor[], out: Tensor): void {
  if (!isFloating(out.dtype) || !hasNonFinite(out.storage)) return;
  if (inputs.some((t) => isFloating(t.dtype) && hasNonFinite(t.storage))) return;
  const shapes = inputs.map((t) => fmtShape(t.shape)).join(', ');
  throw new AnomalyError(`anomaly: op '${op}' produced NaN/Inf from finite inputs (input shapes ${shapes}, output shape ${fmtShape(out.shape)})`);
}
