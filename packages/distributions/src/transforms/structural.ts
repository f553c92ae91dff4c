import { type Tensor, cat, cumsum, log, log1p, logSigmoid, sigmoid, ones, zeros } from '@likelihood/core';
import * as C from '../constraints.js';
import { type ForwardResult, type InverseResult, Transform, sumRightmost } from './transform.js';

/**
 * Applies transforms in order (f = fₙ ∘ … ∘ f₁); log-dets add up, each summed down to the
 * largest event dim of the chain (torch's ComposeTransform).
 */
export class ComposeTransform extends Transform {
  readonly parts: readonly Transform[];
  constructor(parts: readonly Transform[]) {
    super();
    this.parts = parts;
  }
  get domain() {
    return this.parts[0]?.domain ?? C.real;
  }
  get codomain() {
    return this.parts[this.parts.length - 1]?.codomain ?? C.real;
  }
  override get sign(): number {
    return this.parts.reduce((s, t) => s * t.sign, 1);
  }
  private get eventDim(): number {
    return Math.max(0, ...this.parts.map((t) => Math.max(t.domain.eventDim, t.codomain.eventDim)));
  }
  forward(x: Tensor): ForwardResult {
    let total: Tensor | null = null;
    let y = x;
    for (const t of this.parts) {
      const r = t.forward(y);
      const ld = sumRightmost(r.logAbsDet, this.eventDim - t.domain.eventDim);
      total = total ? total.add(ld) : ld;
      y = r.y;
    }
    return { y, logAbsDet: total ?? sumRightmost(x.mul(0), this.eventDim) };
  }
  inverse(y: Tensor): InverseResult {
    let total: Tensor | null = null;
    let x = y;
    for (const t of [...this.parts].reverse()) {
      const r = t.inverse(x);
      const ld = sumRightmost(r.logAbsDet, this.eventDim - t.domain.eventDim);
      total = total ? total.add(ld) : ld;
      x = r.x;
    }
    return { x, logAbsDet: total ?? sumRightmost(y.mul(0), this.eventDim) };
  }
  override forwardShape(shape: readonly number[]) {
    return this.parts.reduce((s, t) => t.forwardShape(s), [...shape]);
  }
  override inverseShape(shape: readonly number[]) {
    return [...this.parts].reverse().reduce((s, t) => t.inverseShape(s), [...shape]);
  }
}

/** Treats `reinterpretedBatchNdims` more rightmost dims as event dims: the log-det is summed over them. */
export class IndependentTransform extends Transform {
  constructor(readonly base: Transform, readonly reinterpretedBatchNdims: number) {
    super();
  }
  get domain() {
    return C.independent(this.base.domain, this.reinterpretedBatchNdims);
  }
  get codomain() {
    return C.independent(this.base.codomain, this.reinterpretedBatchNdims);
  }
  forward(x: Tensor): ForwardResult {
    const r = this.base.forward(x);
    return { y: r.y, logAbsDet: sumRightmost(r.logAbsDet, this.reinterpretedBatchNdims) };
  }
  inverse(y: Tensor): InverseResult {
    const r = this.base.inverse(y);
    return { x: r.x, logAbsDet: sumRightmost(r.logAbsDet, this.reinterpretedBatchNdims) };
  }
}

/**
 * ℝ^{K−1} → the K-simplex by stick breaking (torch's StickBreakingTransform):
 * z_i = σ(x_i − log(K − 1 − i)), y_i = z_i Π_{j<i}(1 − z_j), last entry takes the rest.
 */
export class StickBreakingTransform extends Transform {
  readonly domain = C.realVector;
  readonly codomain = C.simplex;
  private offset(x: Tensor): Tensor {
    const k = x.shape[x.ndim - 1]!;
    // log(K − 1 − i) for i = 0..K−2, i.e. log(k), log(k−1), …, log(1) with k = K − 1
    const o = ones([k], { dtype: x.dtype }).mul(k + 1);
    return log(o.sub(cumsum(ones([k], { dtype: x.dtype }), 0)));
  }
  forward(x: Tensor): ForwardResult {
    const z = sigmoid(x.sub(this.offset(x)));
    const zc = cumsum(log1p(z.neg()), -1); // log Π_{j<=i}(1 − z_j)
    const lead = [...x.shape.slice(0, -1), 1];
    const logRest = cat([zeros(lead, { dtype: x.dtype }), zc], -1); // (…, K): log Π_{j<i}(1 − z_j)
    const zPad = cat([z, ones(lead, { dtype: x.dtype })], -1);
    const y = zPad.mul(logRest.exp());
    // log|det| = Σ_i [log z_i + log(1 − z_i) + log Π_{j<i}(1 − z_j)] over the K − 1 free entries
    const xo = x.sub(this.offset(x));
    const logDet = logSigmoid(xo).add(logSigmoid(xo.neg())).add(logRest.narrow(-1, 0, x.shape[x.ndim - 1]!)).sum(-1);
    return { y, logAbsDet: logDet };
  }
  inverse(y: Tensor): InverseResult {
    const k = y.shape[y.ndim - 1]! - 1;
    const yc = y.narrow(-1, 0, k);
    const rest = cumsum(yc, -1).neg().add(1); // 1 − Σ_{j<=i} y_j
    const restBefore = rest.add(yc); // 1 − Σ_{j<i} y_j
    const z = yc.div(restBefore);
    const x = log(z).sub(log1p(z.neg())).add(this.offset(yc));
    return { x, logAbsDet: this.forward(x).logAbsDet.neg() };
  }
  override forwardShape(shape: readonly number[]) {
    return [...shape.slice(0, -1), shape[shape.length - 1]! + 1];
  }
  override inverseShape(shape: readonly number[]) {
    return [...shape.slice(0, -1), shape[shape.length - 1]! - 1];
  }
}
