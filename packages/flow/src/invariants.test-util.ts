// The shared invariant check every bijector's test runs (float64, small dims).
import { Generator, type Tensor, grad, noGrad, randn, slogdet, stack } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import type { Bijector, Context } from './bijector.js';

/** Brute-force Jacobian of f: [N, ...] → [N, ...] per example, by one autograd pass per output coordinate: [N, Dout, Din]. */
export function bruteJacobian(f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  const n = x.shape[0]!;
  const dOut = noGrad(() => f(x)).size / n;
  const rows: Tensor[] = [];
  for (let j = 0; j < dOut; j++) {
    // examples are independent, so ∂(Σₙ yₙⱼ)/∂xₙ is row j of example n's Jacobian
    const g = grad((v: Tensor) => f(v).reshape([n, dOut]).narrow(1, j, 1).sum())(x);
    rows.push(g.reshape([n, x.size / n]));
  }
  return stack(rows, 1);
}

export interface InvariantOptions {
  context?: Context;
  /** Tolerance of the round trip and log-det comparisons (float64). */
  atol?: number;
  /** Skip the brute-force Jacobian (for bijectors whose examples interact, e.g. BatchNorm in training). */
  skipJacobian?: boolean;
}

/**
 * inverse(forward(x)) = x, forward and inverse log-dets cancel, and both log-dets equal
 * log|det| of the float64 autograd Jacobian. x: [N, ...event] float64 in the domain.
 */
export function checkBijectorInvariants(b: Bijector, x: Tensor, opts: InvariantOptions = {}): void {
  const { context, atol = 1e-8 } = opts;
  const fw = b.forward(x, context);
  const back = b.inverse(fw.y, context);
  expectClose(back.x, x, { atol, rtol: atol, what: `${b.constructor.name}: inverse(forward(x))` });
  expectClose(fw.logAbsDet.add(back.logAbsDet), fw.logAbsDet.mul(0), { atol, rtol: 0, what: `${b.constructor.name}: forward + inverse log-det` });
  if (fw.logAbsDet.shape.join() !== [x.shape[0]].join()) throw new Error(`${b.constructor.name}: logAbsDet shape [${fw.logAbsDet.shape}] is not [N]`);
  if (opts.skipJacobian) return;
  const jf = bruteJacobian((v) => b.forward(v, context).y, x);
  expectClose(slogdet(jf).logabsdet, fw.logAbsDet, { atol, rtol: atol, what: `${b.constructor.name}: forward log-det vs brute-force Jacobian` });
  const y = fw.y.detach();
  const ji = bruteJacobian((v) => b.inverse(v, context).x, y);
  expectClose(slogdet(ji).logabsdet, b.inverse(y, context).logAbsDet, { atol, rtol: atol, what: `${b.constructor.name}: inverse log-det vs brute-force Jacobian` });
}

/** Overwrites every parameter with N(0, scale²) draws so a zero-initialised layer is no longer the identity. */
export function randomizeParameters(m: { parameters(): Tensor[] }, seed: number, scale = 0.3): void {
  const g = new Generator(seed);
  noGrad(() => {
    for (const p of m.parameters()) p.assign_(randn(p.shape, { generator: g, dtype: p.dtype as 'float32' | 'float64' }).mul(scale));
  });
}
