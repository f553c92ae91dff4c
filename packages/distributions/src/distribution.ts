import { fmtShape as fmt } from '@likelihood/core';
import { ArgumentError, LikelihoodError, ShapeError, type Tensor, broadcastShapes, noGrad } from '@likelihood/core';
import type { Generator } from '@likelihood/core';
import { type Constraint, unitInterval as unitIntervalC } from './constraints.js';


let defaultValidate = true;

/** Turns argument validation on or off for distributions created afterwards (torch's set_default_validate_args). */
export function setDefaultValidateArgs(on: boolean): void {
  defaultValidate = on;
}

export interface DistributionOptions {
  /** Check parameters against `argConstraints` and `logProb` values against `support` (default on, as PyTorch). */
  validateArgs?: boolean;
}

export class NotImplementedError extends LikelihoodError {
  override name = 'NotImplementedError';
}

/**
 * Base of every distribution (torch.distributions.Distribution). Shapes follow one rule:
 * a sample has shape `sampleShape + batchShape + eventShape`, and `logProb` returns
 * `sampleShape + batchShape` (event dims are summed into one log-density).
 */
export abstract class Distribution {
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[];
  readonly validateArgs: boolean;
  /** True when `rsample` is reparameterised (gradients flow into the parameters). */
  readonly hasRsample: boolean = false;

  constructor(batchShape: readonly number[], eventShape: readonly number[] = [], opts: DistributionOptions = {}) {
    this.batchShape = Object.freeze([...batchShape]);
    this.eventShape = Object.freeze([...eventShape]);
    this.validateArgs = opts.validateArgs ?? defaultValidate;
  }

  /** Constraints on each parameter, by name. */
  abstract get argConstraints(): Record<string, Constraint>;
  /** The set of values with positive density. */
  abstract get support(): Constraint;
  abstract logProb(value: Tensor): Tensor;

  /** Checks each named parameter against its constraint; call at the end of a subclass constructor. */
  protected checkParams(params: Record<string, Tensor>): void {
    if (!this.validateArgs) return;
    const constraints = this.argConstraints;
    for (const [name, value] of Object.entries(params)) {
      const c = constraints[name];
      if (!c) continue;
      const bad = firstInvalid(c, value);
      if (bad) {
        throw new ArgumentError(
          `${this.constructor.name}: parameter ${name} (shape ${fmt(value.shape)}) must satisfy the constraint ${c.name}, but found invalid value ${bad.value} at index ${fmt(bad.index)}`,
        );
      }
    }
  }

  /** Checks a value passed to logProb/cdf: its shape must broadcast with the batch/event shape and it must lie in the support. */
  protected checkValue(value: Tensor): void {
    if (!this.validateArgs) return;
    const ev = this.eventShape.length;
    const tail = value.shape.slice(value.ndim - ev);
    if (value.ndim < ev || tail.some((d, i) => d !== this.eventShape[i])) {
      throw new ShapeError(`${this.constructor.name}: value shape ${fmt(value.shape)} must end with the event shape ${fmt(this.eventShape)}`);
    }
    broadcastShapes(`${this.constructor.name}.logProb`, value.shape, [...this.batchShape, ...this.eventShape]);
    const bad = firstInvalid(this.support, value);
    if (bad) {
      throw new ArgumentError(
        `${this.constructor.name}: value must be within the support ${this.support.name}, but found invalid value ${bad.value} at index ${fmt(bad.index)}`,
      );
    }
  }

  /** Checks an icdf argument: a probability in [0, 1] (NaN would otherwise come out silently). */
  protected checkProb(p: Tensor): void {
    if (!this.validateArgs) return;
    const bad = firstInvalid(unitIntervalC, p);
    if (bad) {
      throw new ArgumentError(`${this.constructor.name}.icdf: argument must be a probability in [0, 1], but found ${bad.value} at index ${fmt(bad.index)}`);
    }
  }

  /** `sampleShape + batchShape + eventShape`. */
  extendedShape(sampleShape: readonly number[] = []): number[] {
    return [...sampleShape, ...this.batchShape, ...this.eventShape];
  }

  /** Draws samples without gradients. */
  sample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    if (this.hasRsample) return noGrad(() => this.rsample(sampleShape, generator)).detach();
    throw new NotImplementedError(`${this.constructor.name}.sample is not implemented`);
  }

  /** Draws reparameterised samples through which gradients flow to the parameters. */
  rsample(_sampleShape: readonly number[] = [], _generator?: Generator): Tensor {
    throw new NotImplementedError(`${this.constructor.name} has no reparameterised sampler (rsample); use sample()`);
  }

  get mean(): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.mean is not implemented`);
  }
  get mode(): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.mode is not implemented`);
  }
  get variance(): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.variance is not implemented`);
  }
  get stddev(): Tensor {
    return this.variance.sqrt();
  }
  entropy(): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.entropy is not implemented`);
  }
  cdf(_value: Tensor): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.cdf has no closed form here`);
  }
  icdf(_value: Tensor): Tensor {
    throw new NotImplementedError(`${this.constructor.name}.icdf has no closed form here`);
  }
  /** The same family with parameters broadcast to a larger `batchShape`. */
  abstract expand(batchShape: readonly number[]): Distribution;
}

/** The first element of `value` violating `c`, if any (index in the constraint's batch dims). */
function firstInvalid(c: Constraint, value: Tensor): { value: string; index: number[] } | null {
  return noGrad(() => {
    const ok = c.check(value);
    const s = ok.storage;
    for (let i = 0; i < s.length; i++) {
      if (!s[i]) {
        const index: number[] = [];
        let rem = i;
        for (let d = ok.ndim - 1; d >= 0; d--) {
          index.unshift(rem % ok.shape[d]!);
          rem = Math.floor(rem / ok.shape[d]!);
        }
        const per = value.size / Math.max(s.length, 1);
        const vals = Array.from(value.storage.slice(i * per, (i + 1) * per) as ArrayLike<number>);
        return { value: vals.length === 1 ? String(vals[0]) : `[${vals.join(', ')}]`, index };
      }
    }
    return null;
  });
}
