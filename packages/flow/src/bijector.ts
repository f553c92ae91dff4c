import { fmtShape as fmt } from '@likelihood/core';
import { ShapeError, type Tensor, zeros } from '@likelihood/core';
import { type Constraint, type ForwardResult, type InverseResult, type Transform, constraints } from '@likelihood/distributions';
import { Module, ModuleList } from '@likelihood/nn';

/** Optional conditioning input of a conditional flow: [N, contextFeatures], one row per example. */
export type Context = Tensor | null | undefined;


/**
 * A learnable bijection with a tractable Jacobian, sharing the contract of
 * @likelihood/distributions' Transform (so it can sit inside a TransformedDistribution):
 * `forward(x, context?) → {y, logAbsDet}`, `inverse(y, context?) → {x, logAbsDet}`.
 *
 * Direction: forward maps noise → data (the sampling direction, as torch.distributions and
 * Pyro); inverse maps data → noise (the density direction, nflows' "forward"). Inputs are
 * [N, ...event] with exactly one batch dim; `logAbsDet` is [N], summed over the event dims.
 */
export abstract class Bijector extends Module implements Transform {
  /** Number of trailing event dims of the input (1 for vectors [N, D], 3 for images [N, C, H, W]). */
  abstract readonly eventDim: number;

  get domain(): Constraint {
    return this.eventDim > 0 ? constraints.independent(constraints.real, this.eventDim) : constraints.real;
  }
  get codomain(): Constraint {
    return this.domain;
  }
  get sign(): number {
    return 1;
  }
  abstract override forward(x: Tensor, context?: Context): ForwardResult;
  abstract inverse(y: Tensor, context?: Context): InverseResult;

  /** Event shape of y for an x of event `shape` (identity unless the bijector reshapes). */
  forwardShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  inverseShape(shape: readonly number[]): number[] {
    return [...shape];
  }
  forwardChecked(x: Tensor, context?: Context): ForwardResult {
    return this.forward(x, context);
  }
  inverseChecked(y: Tensor, context?: Context): InverseResult {
    return this.inverse(y, context);
  }
  /** The same bijection with forward and inverse swapped (shares parameters). */
  get inv(): Bijector {
    return new InverseBijector(this);
  }
}

/** Swaps forward and inverse of a bijector (an IAF is an inverted MAF-style layer, a squeeze an inverted unsqueeze). */
export class InverseBijector extends Bijector {
  constructor(readonly base: Bijector) {
    super();
  }
  get eventDim(): number {
    return this.base.eventDim;
  }
  forward(x: Tensor, context?: Context): ForwardResult {
    const r = this.base.inverse(x, context);
    return { y: r.x, logAbsDet: r.logAbsDet };
  }
  inverse(y: Tensor, context?: Context): InverseResult {
    const r = this.base.forward(y, context);
    return { x: r.y, logAbsDet: r.logAbsDet };
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.base.inverseShape(shape);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.base.forwardShape(shape);
  }
  override get inv(): Bijector {
    return this.base;
  }
}

/**
 * Bijectors applied in order, f = fₙ ∘ … ∘ f₁ (listed noise → data), log-dets added. The
 * context goes to every part. Parts are children `layers.0`, `layers.1`, … of the state dict.
 */
export class ComposeBijector extends Bijector {
  readonly layers: ModuleList<Bijector>;
  constructor(parts: readonly Bijector[]) {
    super();
    this.layers = new ModuleList(parts);
  }
  get eventDim(): number {
    return this.layers.length ? this.layers.at(0).eventDim : 1;
  }
  get parts(): Bijector[] {
    return [...this.layers];
  }
  forward(x: Tensor, context?: Context): ForwardResult {
    let y = x;
    let total: Tensor | null = null;
    for (const t of this.layers) {
      const r = t.forward(y, context);
      total = total ? total.add(r.logAbsDet) : r.logAbsDet;
      y = r.y;
    }
    return { y, logAbsDet: total ?? zeroLogDet(x, this.eventDim) };
  }
  inverse(y: Tensor, context?: Context): InverseResult {
    let x = y;
    let total: Tensor | null = null;
    for (const t of [...this.layers].reverse()) {
      const r = t.inverse(x, context);
      total = total ? total.add(r.logAbsDet) : r.logAbsDet;
      x = r.x;
    }
    return { x, logAbsDet: total ?? zeroLogDet(y, this.eventDim) };
  }
  override forwardShape(shape: readonly number[]): number[] {
    return this.parts.reduce((s, t) => t.forwardShape(s), [...shape]);
  }
  override inverseShape(shape: readonly number[]): number[] {
    return this.parts.reverse().reduce((s, t) => t.inverseShape(s), [...shape]);
  }
}

/** A zero log-det [N] for an input [N, ...event] (the event dims are named for the reader only). */
export function zeroLogDet(x: Tensor, _eventDim?: number): Tensor {
  return zeros([x.shape[0]!], { dtype: x.dtype });
}

/** Sums every dim but the first: per-example totals [N] of an elementwise log-det [N, ...]. */
export function sumPerExample(t: Tensor): Tensor {
  if (t.ndim <= 1) return t;
  return t.sum(Array.from({ length: t.ndim - 1 }, (_, i) => i + 1));
}

/** Throws a ShapeError unless x is [N, ...eventShape]. */
export function checkInput(op: string, x: Tensor, eventShape: readonly number[], what = 'input'): void {
  const ev = x.shape.slice(1);
  if (x.ndim !== eventShape.length + 1 || ev.some((d, i) => d !== eventShape[i])) {
    throw new ShapeError(`${op}: ${what} must have shape [N, ${eventShape.join(', ')}] (one batch dim, event shape ${fmt(eventShape)}), found ${fmt(x.shape)}`);
  }
}

/** Throws a ShapeError unless the context is present with shape [N, features] when the bijector expects one. */
export function checkContext(op: string, context: Context, n: number, features: number): void {
  if (features === 0) {
    if (context != null) throw new ShapeError(`${op}: this bijector takes no context (contextFeatures = 0), found a context of shape ${fmt(context.shape)}`);
    return;
  }
  if (context == null) throw new ShapeError(`${op}: a context of shape [${n}, ${features}] is required (contextFeatures = ${features}), found none`);
  if (context.ndim !== 2 || context.shape[0] !== n || context.shape[1] !== features) {
    throw new ShapeError(`${op}: context must have shape [${n}, ${features}], found ${fmt(context.shape)}`);
  }
}
