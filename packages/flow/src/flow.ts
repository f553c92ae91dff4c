import { fmtShape as fmt } from '@likelihood/core';
import { ArgumentError, type Generator, ShapeError, type Tensor, noGrad, zeros, ones } from '@likelihood/core';
import { type Constraint, Distribution, type DistributionOptions, Independent, Normal, constraints } from '@likelihood/distributions';
import type { LoadStateDictOptions, LoadStateDictResult, Parameter, StateDict } from '@likelihood/nn';
import { type Bijector, ComposeBijector, type Context } from './bijector.js';

/** A base distribution, or one built from the context (a conditional base such as a context-dependent Gaussian). */
export type FlowBase = Distribution | ((context: Tensor) => Distribution);

export interface SampleOptions {
  generator?: Generator;
  /** [B, contextFeatures]: samples come out as [...sampleShape, B, ...event]. */
  context?: Context;
}


/** N(0, I) over an event of the given shape (batch shape []). */
export function standardNormal(eventShape: readonly number[], dtype: 'float32' | 'float64' = 'float32'): Distribution {
  const n = new Normal(zeros([...eventShape], { dtype }), ones([...eventShape], { dtype }));
  return eventShape.length ? new Independent(n, eventShape.length) : n;
}

/**
 * A normalizing flow as a distribution: x = f(z), z ~ base, with f a (composed) bijector listed
 * noise → data. log p(x | c) = log p_base(f⁻¹(x; c)) + log|det ∂f⁻¹/∂x|, exactly.
 *
 * The base must have batch shape [] and an event shape that the transform maps to the flow's
 * event shape (a multi-scale image flow maps [C·H·W] to [C, H, W]). With a context, every
 * bijector gets it, and a function base is called with it.
 */
export class Flow extends Distribution {
  readonly transform: Bijector;
  private readonly baseOrFn: FlowBase;
  private readonly baseEventShape: readonly number[];
  override readonly hasRsample = true;

  constructor(base: FlowBase, transform: Bijector | readonly Bijector[], opts: DistributionOptions & { baseEventShape?: readonly number[] } = {}) {
    const t = Array.isArray(transform) ? new ComposeBijector(transform as readonly Bijector[]) : (transform as Bijector);
    let baseEvent: readonly number[];
    if (typeof base === 'function') {
      if (!opts.baseEventShape) throw new ArgumentError('Flow: a conditional (function) base needs opts.baseEventShape, found none');
      baseEvent = opts.baseEventShape;
    } else {
      if (base.batchShape.length) throw new ShapeError(`Flow: the base distribution must have batch shape [], found ${fmt(base.batchShape)}`);
      baseEvent = base.eventShape;
    }
    super([], t.forwardShape(baseEvent), opts);
    this.transform = t;
    this.baseOrFn = base;
    this.baseEventShape = baseEvent;
  }

  get argConstraints(): Record<string, Constraint> {
    return {};
  }
  get support(): Constraint {
    return this.eventShape.length ? constraints.independent(constraints.real, this.eventShape.length) : constraints.real;
  }

  /** The base distribution for this context (the fixed one for an unconditional base). */
  base(context?: Context): Distribution {
    if (typeof this.baseOrFn !== 'function') return this.baseOrFn;
    if (context == null) throw new ArgumentError('Flow: this flow has a conditional base, so a context is required, found none');
    return this.baseOrFn(context);
  }

  /** log p(x | context) for x [...batch, ...event] → [...batch]; context [...batch, contextFeatures]. */
  override logProb(x: Tensor, context?: Context): Tensor {
    const { flat, lead } = this.flatten('logProb', x);
    const ctx = context == null ? context : this.flattenContext('logProb', context, lead);
    const { x: z, logAbsDet } = this.transform.inverse(flat, ctx);
    const baseLp = this.base(ctx).logProb(z);
    return baseLp.add(logAbsDet).reshape(lead);
  }

  /** Draws samples without gradients: [...sampleShape, ...event], or [...sampleShape, B, ...event] with a context [B, c]. */
  override sample(sampleShape: readonly number[] = [], generator?: Generator, context?: Context): Tensor {
    return noGrad(() => this.rsample(sampleShape, generator, context)).detach();
  }

  /** Reparameterised samples: x = f(z) with z from the base, differentiable in the flow's parameters. */
  override rsample(sampleShape: readonly number[] = [], generator?: Generator, context?: Context): Tensor {
    return this.sampleAndLogProb(sampleShape, { generator, context }).samples;
  }

  /**
   * Samples and their log-density in one pass through the forward direction:
   * log p(x) = log p_base(z) − log|det ∂f/∂z|, with no inverse needed (so it is cheap for IAF).
   */
  sampleAndLogProb(sampleShape: readonly number[] = [], opts: SampleOptions = {}): { samples: Tensor; logProb: Tensor } {
    const { generator, context } = opts;
    let lead = [...sampleShape];
    let ctx: Context;
    if (context != null) {
      if (context.ndim !== 2) throw new ShapeError(`Flow.sample: context must be [B, contextFeatures], found ${fmt(context.shape)}`);
      const b = context.shape[0]!;
      const m = sampleShape.reduce((a, d) => a * d, 1);
      ctx = context.unsqueeze(0).expand([m, ...context.shape]).reshape([m * b, context.shape[1]!]); // [m·B, c]
      lead = [...sampleShape, b];
    }
    const n = lead.reduce((a, d) => a * d, 1);
    const base = this.base(ctx);
    // A conditional base already has one batch entry per context row; a fixed one is drawn n times.
    const shape = typeof this.baseOrFn === 'function' ? [] : [n];
    const z = (base.hasRsample ? base.rsample(shape, generator) : base.sample(shape, generator)).reshape([n, ...this.baseEventShape]);
    const baseLp = base.logProb(z);
    const zFlat = z;
    const { y, logAbsDet } = this.transform.forward(zFlat, ctx);
    return { samples: y.reshape([...lead, ...this.eventShape]), logProb: baseLp.sub(logAbsDet).reshape(lead) };
  }

  // The transform is the flow's module: these make a Flow usable where a model is expected.
  parameters(): Parameter[] {
    return this.transform.parameters();
  }
  train(mode = true): this {
    this.transform.train(mode);
    return this;
  }
  eval(): this {
    return this.train(false);
  }
  stateDict(): StateDict {
    return this.transform.stateDict();
  }
  loadStateDict(sd: StateDict, opts: LoadStateDictOptions = {}): LoadStateDictResult {
    return this.transform.loadStateDict(sd, opts);
  }

  expand(batchShape: readonly number[]): Flow {
    if (batchShape.length) throw new ArgumentError(`Flow.expand: a flow has batch shape []; expanding to ${fmt(batchShape)} is not supported`);
    return this;
  }

  private flatten(op: string, x: Tensor): { flat: Tensor; lead: number[] } {
    const ev = this.eventShape;
    const tail = x.shape.slice(x.ndim - ev.length);
    if (x.ndim < ev.length || tail.some((d, i) => d !== ev[i])) {
      throw new ShapeError(`Flow.${op}: value shape ${fmt(x.shape)} must end with the event shape ${fmt(ev)}`);
    }
    const lead = x.shape.slice(0, x.ndim - ev.length);
    const n = lead.reduce((a, d) => a * d, 1);
    return { flat: x.reshape([n, ...ev]), lead };
  }

  private flattenContext(op: string, context: Tensor, lead: readonly number[]): Tensor {
    const ok = context.ndim === lead.length + 1 && lead.every((d, i) => context.shape[i] === d);
    if (!ok) throw new ShapeError(`Flow.${op}: context must have shape [${[...lead, 'contextFeatures'].join(', ')}], found ${fmt(context.shape)}`);
    const n = lead.reduce((a, d) => a * d, 1);
    return context.reshape([n, context.shape[context.ndim - 1]!]);
  }
}
