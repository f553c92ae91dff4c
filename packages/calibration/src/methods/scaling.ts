// Scaling of logits before the softmax (Guo et al. 2017, section 4.2), fitted by NLL with LBFGS.
import { ArgumentError, type Tensor, noGrad, tensor, zeros } from '@likelihood/core';
import { crossEntropy } from '@likelihood/losses';
import { type MatrixLike, type VectorLike, checkFinite, matrixTensor, readLabels, readMatrix, softmaxRows } from '../input.js';
import { type CalibratorJSON, envelope, numberField, numbers, openEnvelope, requireFitted } from './calibrator.js';
import { type MinimiseOptions, minimiseLbfgs } from './minimise.js';

/** Reads finite [N, C] logits and their labels as float64 / int32 tensors. */
function readLogits(op: string, logits: MatrixLike, labels?: VectorLike) {
  const m = readMatrix(op, 'logits', logits);
  if (m.n === 0) throw new ArgumentError(`${op}: logits is empty: expected at least one row`);
  if (m.c < 2) throw new ArgumentError(`${op}: logits must have at least 2 classes (columns), found ${m.c}`);
  checkFinite(op, 'logits', m.data);
  const y = labels === undefined ? null : tensor(readLabels(op, labels, m.n, m.c), { dtype: 'int32' });
  return { m, x: matrixTensor(m), y };
}

/**
 * Temperature scaling: softmax(z / T) with one T > 0 fitted by minimising the NLL of held-out
 * labels. T > 1 softens an over-confident model; the arg-max (and so accuracy) never changes.
 */
export class TemperatureScaling {
  static readonly kind = 'TemperatureScaling';
  temperature: number | null = null;

  /** Fits T on held-out logits [N, C] and labels [N] by LBFGS on log T (keeps T positive). */
  fit(logits: MatrixLike, labels: VectorLike, opts: MinimiseOptions = {}): this {
    const { x, y } = readLogits('TemperatureScaling.fit', logits, labels);
    const logT = zeros([1], { dtype: 'float64' }).requiresGrad_();
    minimiseLbfgs([logT], () => crossEntropy(x.mul(logT.neg().exp()), y!), opts);
    this.temperature = Math.exp(logT.item());
    return this;
  }

  /** Calibrated probabilities [N, C] (float64). */
  transform(logits: MatrixLike): Tensor {
    const T = requireFitted('TemperatureScaling', this.temperature);
    const { m } = readLogits('TemperatureScaling.transform', logits);
    return matrixTensor(softmaxRows(m, T));
  }

  toJSON(): CalibratorJSON {
    return envelope(TemperatureScaling.kind, { temperature: requireFitted('TemperatureScaling', this.temperature) });
  }

  static fromJSON(json: unknown): TemperatureScaling {
    const p = openEnvelope(TemperatureScaling.kind, json);
    const t = new TemperatureScaling();
    t.temperature = numberField(TemperatureScaling.kind, p, 'temperature');
    if (!(t.temperature > 0)) throw new ArgumentError(`TemperatureScaling.fromJSON: temperature must be positive, found ${t.temperature}`);
    return t;
  }
}

export interface AffineScalingOptions extends MinimiseOptions {
  /** L2 penalty on the off-diagonal weights (matrix) or on w − 1 (vector), times 1/N (default 0). */
  l2?: number;
}

/** Softmax of logits·Wᵀ + b with W from `weight` ([C, C] row-major) computed in float64 without autograd. */
function affineProbs(logits: Tensor, weight: Tensor, bias: Tensor): Tensor {
  return noGrad(() => logits.matmul(weight.transpose(0, 1)).add(bias).softmax(1));
}

/**
 * Vector scaling: softmax(z ⊙ w + b) with a per-class scale w and bias b (Guo et al. 2017).
 * Can change the arg-max, unlike temperature scaling.
 */
export class VectorScaling {
  static readonly kind = 'VectorScaling';
  weight: number[] | null = null;
  bias: number[] | null = null;

  fit(logits: MatrixLike, labels: VectorLike, opts: AffineScalingOptions = {}): this {
    const { m, x, y } = readLogits('VectorScaling.fit', logits, labels);
    const w = tensor(new Float64Array(m.c).fill(1), { dtype: 'float64' }).requiresGrad_();
    const b = zeros([m.c], { dtype: 'float64' }).requiresGrad_();
    const l2 = opts.l2 ?? 0;
    minimiseLbfgs([w, b], () => {
      const nll = crossEntropy(x.mul(w).add(b), y!);
      return l2 > 0 ? nll.add(w.sub(1).square().sum().mul(l2 / m.n)) : nll;
    }, opts);
    this.weight = Array.from(w.storage as Float64Array);
    this.bias = Array.from(b.storage as Float64Array);
    return this;
  }

  transform(logits: MatrixLike): Tensor {
    const w = requireFitted('VectorScaling', this.weight);
    const b = requireFitted('VectorScaling', this.bias);
    const { m, x } = readLogits('VectorScaling.transform', logits);
    if (m.c !== w.length) throw new ArgumentError(`VectorScaling.transform: logits have ${m.c} classes but the calibrator was fitted on ${w.length}`);
    return noGrad(() => x.mul(tensor(w, { dtype: 'float64' })).add(tensor(b, { dtype: 'float64' })).softmax(1));
  }

  toJSON(): CalibratorJSON {
    return envelope(VectorScaling.kind, { weight: requireFitted('VectorScaling', this.weight), bias: requireFitted('VectorScaling', this.bias) });
  }

  static fromJSON(json: unknown): VectorScaling {
    const p = openEnvelope(VectorScaling.kind, json);
    const v = new VectorScaling();
    v.weight = numbers(VectorScaling.kind, p, 'weight');
    v.bias = numbers(VectorScaling.kind, p, 'bias', v.weight.length);
    return v;
  }
}

/**
 * Matrix scaling: softmax(W z + b) with a full [C, C] matrix (Guo et al. 2017), initialised at
 * the identity. Over-fits with many classes; `l2` penalises off-diagonal weights (Kull et al. 2019's ODIR).
 */
export class MatrixScaling {
  static readonly kind = 'MatrixScaling';
  /** [C][C], applied as W z. */
  weight: number[][] | null = null;
  bias: number[] | null = null;

  fit(logits: MatrixLike, labels: VectorLike, opts: AffineScalingOptions = {}): this {
    const { m, x, y } = readLogits('MatrixScaling.fit', logits, labels);
    const c = m.c;
    const eye = new Float64Array(c * c);
    for (let i = 0; i < c; i++) eye[i * c + i] = 1;
    const W = tensor(eye, { dtype: 'float64' }).reshape([c, c]).detach().requiresGrad_();
    const b = zeros([c], { dtype: 'float64' }).requiresGrad_();
    const offDiag = tensor(eye.map((v) => 1 - v), { dtype: 'float64' }).reshape([c, c]);
    const l2 = opts.l2 ?? 0;
    minimiseLbfgs([W, b], () => {
      const nll = crossEntropy(x.matmul(W.transpose(0, 1)).add(b), y!);
      return l2 > 0 ? nll.add(W.mul(offDiag).square().sum().mul(l2 / m.n)) : nll;
    }, opts);
    const w = W.storage as Float64Array;
    this.weight = Array.from({ length: c }, (_, i) => Array.from(w.subarray(i * c, (i + 1) * c)));
    this.bias = Array.from(b.storage as Float64Array);
    return this;
  }

  transform(logits: MatrixLike): Tensor {
    const W = requireFitted('MatrixScaling', this.weight);
    const b = requireFitted('MatrixScaling', this.bias);
    const { m, x } = readLogits('MatrixScaling.transform', logits);
    if (m.c !== W.length) throw new ArgumentError(`MatrixScaling.transform: logits have ${m.c} classes but the calibrator was fitted on ${W.length}`);
    return affineProbs(x, tensor(W, { dtype: 'float64' }), tensor(b, { dtype: 'float64' }));
  }

  toJSON(): CalibratorJSON {
    return envelope(MatrixScaling.kind, { weight: requireFitted('MatrixScaling', this.weight), bias: requireFitted('MatrixScaling', this.bias) });
  }

  static fromJSON(json: unknown): MatrixScaling {
    const p = openEnvelope(MatrixScaling.kind, json);
    const s = new MatrixScaling();
    const rows = p.weight;
    if (!Array.isArray(rows) || rows.length === 0) throw new ArgumentError('MatrixScaling.fromJSON: params.weight must be a non-empty array of rows');
    s.weight = rows.map((_, i) => numbers(MatrixScaling.kind, { row: rows[i] }, 'row', rows.length));
    s.bias = numbers(MatrixScaling.kind, p, 'bias', rows.length);
    return s;
  }
}
