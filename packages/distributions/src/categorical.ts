import { type Generator, type Tensor, broadcastShapes, clamp, gather, multinomial, where } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { type ProbsOrLogits, categoricalLogits, categoricalProbs, oneOf } from './params.js';

/** Categorical over {0, …, K−1}; the last dim of probs/logits indexes the categories. */
export class Categorical extends Distribution {
  /** Normalised log-probabilities, (..., K). */
  readonly logits: Tensor;
  /** Normalised probabilities, (..., K). */
  readonly probs: Tensor;
  readonly numEvents: number;
  private readonly raw: ProbsOrLogits;

  constructor(params: ProbsOrLogits, opts: DistributionOptions = {}) {
    const given = oneOf('Categorical', params);
    const p = params[given]!;
    super(p.shape.slice(0, -1), [], opts);
    this.raw = params;
    this.numEvents = p.shape[p.ndim - 1]!;
    this.checkParams({ [given]: p });
    this.logits = categoricalLogits(params);
    this.probs = categoricalProbs(params);
  }

  get argConstraints() {
    return { probs: C.independent(C.nonnegative, 1), logits: C.independent(C.real, 1) };
  }
  get support() {
    return C.integerInterval(0, this.numEvents - 1);
  }
  override get mean(): Tensor {
    return this.probs.sum(-1).mul(NaN); // undefined for a categorical, as torch
  }
  override get variance(): Tensor {
    return this.probs.sum(-1).mul(NaN);
  }
  override get mode(): Tensor {
    return this.probs.argmax(-1);
  }

  /** Sample indices (int32) of shape sampleShape + batchShape. */
  override sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const n = sampleShape.reduce((a, b) => a * b, 1);
    const flat = this.probs.detach().reshape([-1, this.numEvents]); // (B, K)
    const draws = multinomial(flat, n, { replacement: true, generator }); // (B, n)
    return draws.transpose(0, 1).reshape([...sampleShape, ...this.batchShape]); // (n, B) -> sample + batch
  }

  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const v = value.to('int32');
    const shape = broadcastShapes('Categorical.logProb', v.shape, this.batchShape);
    const logits = this.logits.expand([...shape, this.numEvents]); // broadcast batch over sample dims
    const idx = v.expand(shape).reshape([...shape, 1]);
    return gather(logits, -1, idx).reshape(shape);
  }

  override entropy(): Tensor {
    // −Σ p log p; logits are finite (clamped, or ≥ the dtype's lowest value as torch), so 0·log 0 = 0
    const lowest = this.logits.dtype === 'float64' ? -Number.MAX_VALUE : -3.4028234663852886e38;
    return clamp(this.logits, lowest).mul(this.probs).sum(-1).neg();
  }

  expand(batchShape: readonly number[]): Categorical {
    const key = this.raw.probs ? 'probs' : 'logits';
    const p = this.raw[key]!;
    return new Categorical({ [key]: p.expand([...batchShape, this.numEvents]) }, { validateArgs: false });
  }
}

// As torch: +∞ where q puts no mass (q.probs = 0, also after underflow), 0 where p puts none.
registerKL(Categorical, Categorical, (p, q) => {
  const t = p.probs.mul(p.logits.sub(q.logits));
  const shape = [...t.shape];
  return where(p.probs.eq(0).expand(shape), 0, where(q.probs.eq(0).expand(shape), Infinity, t)).sum(-1);
});

