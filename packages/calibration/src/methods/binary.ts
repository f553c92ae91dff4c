// Binary calibration maps fitted by logistic regression on a transformed score.
import { ArgumentError, ShapeError, type Tensor, noGrad, tensor } from '@likelihood/core';
import { bceWithLogits } from '@likelihood/losses';
import { type VectorLike, checkFinite, readVector } from '../input.js';
import { type CalibratorJSON, envelope, numberField, openEnvelope, requireFitted } from './calibrator.js';
import { type MinimiseOptions, minimiseLbfgs } from './minimise.js';

/** Reads binary labels (0 or 1) matching `n` scores. */
export function readBinaryLabels(op: string, labels: VectorLike, n: number): Float64Array {
  const y = readVector(op, 'labels', labels);
  if (y.length !== n) throw new ShapeError(`${op}: labels has ${y.length} entries but there are ${n} scores: lengths must match`);
  for (let i = 0; i < n; i++) {
    if (y[i] !== 0 && y[i] !== 1) throw new ArgumentError(`${op}: label ${y[i]} at position ${i} is out of range: expected a binary label 0 or 1`);
  }
  return y;
}

/** Probabilities clipped into [eps, 1 − eps] so their logs stay finite. */
const EPS = 1e-12;

function readBinaryProbs(op: string, probs: VectorLike): Float64Array {
  const p = readVector(op, 'probs', probs);
  if (p.length === 0) throw new ArgumentError(`${op}: probs is empty: expected at least one probability`);
  for (let i = 0; i < p.length; i++) {
    if (!(p[i]! >= 0 && p[i]! <= 1)) throw new ArgumentError(`${op}: probs[${i}] = ${p[i]} is not a probability in [0, 1]`);
  }
  return p;
}

/**
 * Platt scaling (Platt 1999): P(y = 1 | s) = σ(a·s + b) for a real score s (a logit, an SVM margin),
 * with a and b fitted by logistic regression (maximum likelihood, LBFGS).
 */
export class PlattScaling {
  static readonly kind = 'PlattScaling';
  a: number | null = null;
  b: number | null = null;

  /** Fits on scores [N] and binary labels [N]. */
  fit(scores: VectorLike, labels: VectorLike, opts: MinimiseOptions = {}): this {
    const s = readVector('PlattScaling.fit', 'scores', scores);
    if (s.length === 0) throw new ArgumentError('PlattScaling.fit: scores is empty: expected at least one score');
    checkFinite('PlattScaling.fit', 'scores', s);
    const y = tensor(readBinaryLabels('PlattScaling.fit', labels, s.length), { dtype: 'float64' });
    const x = tensor(s, { dtype: 'float64' });
    const a = tensor([1], { dtype: 'float64' }).requiresGrad_();
    const b = tensor([0], { dtype: 'float64' }).requiresGrad_();
    minimiseLbfgs([a, b], () => bceWithLogits(x.mul(a).add(b), y), opts);
    this.a = a.item();
    this.b = b.item();
    return this;
  }

  /** P(y = 1) for each score, shape [N] (float64). */
  transform(scores: VectorLike): Tensor {
    const a = requireFitted('PlattScaling', this.a);
    const b = requireFitted('PlattScaling', this.b);
    const s = readVector('PlattScaling.transform', 'scores', scores);
    checkFinite('PlattScaling.transform', 'scores', s);
    return noGrad(() => tensor(s, { dtype: 'float64' }).mul(a).add(b).sigmoid());
  }

  toJSON(): CalibratorJSON {
    return envelope(PlattScaling.kind, { a: requireFitted('PlattScaling', this.a), b: requireFitted('PlattScaling', this.b) });
  }

  static fromJSON(json: unknown): PlattScaling {
    const p = openEnvelope(PlattScaling.kind, json);
    const c = new PlattScaling();
    c.a = numberField(PlattScaling.kind, p, 'a');
    c.b = numberField(PlattScaling.kind, p, 'b');
    return c;
  }
}

/**
 * Beta calibration (Kull, Silva Filho and Flach 2017): logit P(y = 1 | p) = a·ln p − b·ln(1 − p) + c
 * with a, b ≥ 0, which contains the identity (a = b = 1, c = 0) and sigmoid-shaped and
 * inverse-sigmoid-shaped maps that Platt scaling cannot express. Fitted as a logistic regression
 * on [ln p, −ln(1 − p)]; a coefficient that comes out negative is fixed at 0 and the rest refitted.
 */
export class BetaCalibration {
  static readonly kind = 'BetaCalibration';
  a: number | null = null;
  b: number | null = null;
  c: number | null = null;

  /** Fits on predicted probabilities of the positive class [N] and binary labels [N]. */
  fit(probs: VectorLike, labels: VectorLike, opts: MinimiseOptions = {}): this {
    const p = readBinaryProbs('BetaCalibration.fit', probs);
    const y = tensor(readBinaryLabels('BetaCalibration.fit', labels, p.length), { dtype: 'float64' });
    const { f1, f2 } = features(p);
    const fitWith = (useA: boolean, useB: boolean) => {
      const a = tensor([useA ? 1 : 0], { dtype: 'float64' }).requiresGrad_(useA);
      const b = tensor([useB ? 1 : 0], { dtype: 'float64' }).requiresGrad_(useB);
      const c = tensor([0], { dtype: 'float64' }).requiresGrad_();
      const params = [c, ...(useA ? [a] : []), ...(useB ? [b] : [])];
      minimiseLbfgs(params, () => bceWithLogits(f1.mul(a).add(f2.mul(b)).add(c), y), opts);
      return { a: a.item(), b: b.item(), c: c.item() };
    };
    let r = fitWith(true, true);
    if (r.a < 0 && r.b < 0) r = fitWith(false, false);
    else if (r.a < 0) r = fitWith(false, true);
    else if (r.b < 0) r = fitWith(true, false);
    if (r.a < 0 || r.b < 0) r = fitWith(r.a >= 0, r.b >= 0);
    this.a = Math.max(r.a, 0);
    this.b = Math.max(r.b, 0);
    this.c = r.c;
    return this;
  }

  /** Calibrated P(y = 1) for each probability, shape [N] (float64). */
  transform(probs: VectorLike): Tensor {
    const a = requireFitted('BetaCalibration', this.a);
    const b = requireFitted('BetaCalibration', this.b);
    const c = requireFitted('BetaCalibration', this.c);
    const { f1, f2 } = features(readBinaryProbs('BetaCalibration.transform', probs));
    return noGrad(() => f1.mul(a).add(f2.mul(b)).add(c).sigmoid());
  }

  toJSON(): CalibratorJSON {
    return envelope(BetaCalibration.kind, {
      a: requireFitted('BetaCalibration', this.a),
      b: requireFitted('BetaCalibration', this.b),
      c: requireFitted('BetaCalibration', this.c),
    });
  }

  static fromJSON(json: unknown): BetaCalibration {
    const p = openEnvelope(BetaCalibration.kind, json);
    const m = new BetaCalibration();
    m.a = numberField(BetaCalibration.kind, p, 'a');
    m.b = numberField(BetaCalibration.kind, p, 'b');
    m.c = numberField(BetaCalibration.kind, p, 'c');
    return m;
  }
}

/** [ln p, −ln(1 − p)] with p clipped away from 0 and 1. */
function features(p: Float64Array): { f1: Tensor; f2: Tensor } {
  const f1 = new Float64Array(p.length);
  const f2 = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const q = Math.min(Math.max(p[i]!, EPS), 1 - EPS);
    f1[i] = Math.log(q);
    f2[i] = -Math.log1p(-q);
  }
  return { f1: tensor(f1, { dtype: 'float64' }), f2: tensor(f2, { dtype: 'float64' }) };
}
