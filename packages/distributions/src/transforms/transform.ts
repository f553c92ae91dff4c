import { ArgumentError, type Tensor, noGrad } from '@likelihood/core';
import type { Constraint } from '../constraints.js';

/** Result of pushing x forward: y = f(x) and log|det ∂f/∂x| summed over the transform's event dims. */
export interface ForwardResult {
  y: Tensor;
  logAbsDet: Tensor;
}
/** Result of pulling y back: x = f⁻¹(y) and log|det ∂f⁻¹/∂y| (= −forward's log-det at x). */
export interface InverseResult {
  x: Tensor;
  logAbsDet: Tensor;
}

/**
 * A bijection with a tractable Jacobian. One contract for distribution transforms and flow
 * bijectors: `forward(x) → {y, logAbsDet}`, `inverse(y) → {x, logAbsDet}`, with the log-det
 * already summed over the event dims (`domain.eventDim` of them), as nflows does.
 */
export abstract class Transform {
  abstract readonly domain: Constraint;
  abstract readonly codomain: Constraint;
  /** Sign of the Jacobian determinant for monotone 1-D maps (+1 or −1), used by cdf. */
  get sign(): number {
    return 1;
  }
  abstract forward(x: Tensor): ForwardResult;
  abstract inverse(y: Tensor): InverseResult;
  /** Shape of y for an x of `shape` (identity unless the transform changes shapes). */
  forwardShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  inverseShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  /** `forward` after checking that x lies in the domain: throws ArgumentError naming the transform, the constraint and the first bad value. */
  forwardChecked(x: Tensor): ForwardResult {
    checkIn(this, 'forward', 'domain', this.domain, x);
    return this.forward(x);
  }
  /** `inverse` after checking that y lies in the codomain. */
  inverseChecked(y: Tensor): InverseResult {
    checkIn(this, 'inverse', 'codomain', this.codomain, y);
    return this.inverse(y);
  }
  /** The inverse transform as a Transform. */
  get inv(): Transform {
    return new InverseTransform(this);
  }
}

/** Swaps forward and inverse. */
export class InverseTransform extends Transform {
  constructor(readonly base: Transform) {
    super();
  }
  get domain() {
    return this.base.codomain;
  }
  get codomain() {
    return this.base.domain;
  }
  override get sign() {
    return this.base.sign;
  }
  forward(x: Tensor): ForwardResult {
    const r = this.base.inverse(x);
    return { y: r.x, logAbsDet: r.logAbsDet };
  }
  inverse(y: Tensor): InverseResult {
    const r = this.base.forward(y);
    return { x: r.y, logAbsDet: r.logAbsDet };
  }
  override forwardShape(shape: readonly number[]) {
    return this.base.inverseShape(shape);
  }
  override inverseShape(shape: readonly number[]) {
    return this.base.forwardShape(shape);
  }
  override get inv(): Transform {
    return this.base;
  }
}

/** Sums the `n` rightmost dims. */
export function sumRightmost(t: Tensor, n: number): Tensor {
  if (n <= 0) return t;
  return t.sum(Array.from({ length: n }, (_, i) => -1 - i));
}

function checkIn(t: Transform, op: string, which: string, c: Constraint, v: Tensor): void {
  const bad = noGrad(() => {
    const ok = c.check(v).storage;
    for (let i = 0; i < ok.length; i++) if (!ok[i]) return i;
    return -1;
  });
  if (bad < 0) return;
  const per = v.size / Math.max(1, c.check(v).size);
  const vals = Array.from(v.storage.slice(bad * per, (bad + 1) * per) as ArrayLike<number>);
  throw new ArgumentError(
    `${t.constructor.name}.${op}: input must lie in the ${which} ${c.name}, but found ${vals.length === 1 ? vals[0] : `[${vals.join(', ')}]`} at flat index ${bad}`,
  );
}
