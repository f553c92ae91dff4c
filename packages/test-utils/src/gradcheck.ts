import { type Tensor, autogradGrad, noGrad, tensor } from '@likelihood/core';
import { expectClose } from './close.js';

/** Central finite differences of sum(fn(...inputs) * weights) w.r.t. input `which`, in float64. */
export function numericGrad(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], which: number, weights: Float64Array, eps = 1e-6): Float64Array {
  const x = inputs[which]!;
  const base = Float64Array.from(x.storage as ArrayLike<number>);
  const out = new Float64Array(base.length);
  const evalAt = (vals: Float64Array) => {
    const xs = inputs.slice();
    xs[which] = tensor(vals, { dtype: 'float64' }).reshape([...x.shape]);
    const y = noGrad(() => fn(...xs));
    let s = 0;
    const ys = y.storage;
    for (let i = 0; i < ys.length; i++) s += ys[i]! * weights[i]!;
    return s;
  };
  for (let i = 0; i < base.length; i++) {
    const v = base.slice();
    v[i] = base[i]! + eps;
    const fp = evalAt(v);
    v[i] = base[i]! - eps;
    const fm = evalAt(v);
    out[i] = (fp - fm) / (2 * eps);
  }
  return out;
}

/**
 * Checks autograd's gradients of `fn` against float64 central differences for every float input.
 * Inputs are converted to float64; the output is contracted with fixed pseudo-random weights so
 * every output element's gradient is exercised.
 */
export function gradcheck(
  fn: (...xs: Tensor[]) => Tensor,
  inputs: Tensor[],
  { eps = 1e-6, rtol = 1e-5, atol = 1e-6, only }: { eps?: number; rtol?: number; atol?: number; only?: number[] } = {},
): void {
  const xs = inputs.map((t) => (t.dtype === 'float32' || t.dtype === 'float64' ? t.to('float64').detach().requiresGrad_() : t));
  const y = fn(...xs);
  const weights = new Float64Array(y.size);
  for (let i = 0; i < weights.length; i++) weights[i] = 0.5 + ((i * 7919) % 13) / 13; // deterministic, non-uniform
  const w = tensor(weights, { dtype: 'float64' }).reshape([...y.shape]);
  const which = (only ?? xs.map((_, i) => i)).filter((i) => xs[i]!.requiresGrad);
  const grads = autogradGrad([y.mul(w).sum()], which.map((i) => xs[i]!), { allowUnused: true });
  which.forEach((i, k) => {
    const num = numericGrad(fn, xs, i, weights, eps);
    const g = grads[k];
    const expected = tensor(num, { dtype: 'float64' }).reshape([...xs[i]!.shape]);
    expectClose(g ? g : expected.mul(0), expected, { rtol, atol, what: `gradient of input ${i}` });
  });
}
