import { type FloatDType, type Generator, type Tensor, ones, randn, zeros } from '@likelihood/core';
import { Categorical, type Distribution, Independent, MixtureSameFamily, Normal } from '@likelihood/distributions';
import { Module, Parameter } from '@likelihood/nn';
import { checkPositiveInt } from './checks.js';

/** A prior p(z) over latentDim-vectors: a distribution with batch [] and event [latentDim]. */
export type Prior = { readonly latentDim: number; forward(): Distribution } & Module;

/** p(z) = N(0, I). No parameters. */
export class StandardNormalPrior extends Module {
  readonly latentDim: number;
  private readonly _dtype: FloatDType;
  constructor(latentDim: number, opts: { dtype?: FloatDType } = {}) {
    super();
    this.latentDim = checkPositiveInt('StandardNormalPrior', 'latentDim', latentDim);
    this._dtype = opts.dtype ?? 'float32';
  }
  forward(): Distribution {
    const d = this.latentDim;
    return new Independent(new Normal(zeros([d], { dtype: this._dtype }), ones([d], { dtype: this._dtype }), { validateArgs: false }), 1, { validateArgs: false });
  }
}

export interface MixturePriorOptions {
  /** Spread of the initial component means (default 1). */
  initSpread?: number;
  dtype?: FloatDType;
  generator?: Generator;
}

/**
 * A learned mixture of K diagonal Gaussians, p(z) = Σ_k π_k N(z; μ_k, diag σ_k²), as
 * MixtureSameFamily(Categorical(logits), Independent(Normal(loc, σ), 1)). Parameters:
 * logits (K), loc (K, D), rawScale (K, D) with σ = exp(rawScale). It has no closed-form KL
 * against q(z | x), so the VAE uses the Monte-Carlo KL with it.
 */
export class MixturePrior extends Module {
  readonly latentDim: number;
  readonly components: number;
  logits: Parameter;
  loc: Parameter;
  rawScale: Parameter;

  constructor(latentDim: number, components: number, opts: MixturePriorOptions = {}) {
    super();
    this.latentDim = checkPositiveInt('MixturePrior', 'latentDim', latentDim);
    this.components = checkPositiveInt('MixturePrior', 'components', components);
    const dtype = opts.dtype ?? 'float32';
    this.logits = new Parameter(zeros([components], { dtype }));
    this.loc = new Parameter(randn([components, latentDim], { dtype, generator: opts.generator }).mul(opts.initSpread ?? 1));
    this.rawScale = new Parameter(zeros([components, latentDim], { dtype }));
  }

  forward(): Distribution {
    const component = new Independent(new Normal(this.loc, this.rawScale.exp(), { validateArgs: false }), 1, { validateArgs: false }); // batch [K], event [D]
    return new MixtureSameFamily(new Categorical({ logits: this.logits }, { validateArgs: false }), component, { validateArgs: false });
  }

  /** The mixture weights π (K). */
  weights(): Tensor {
    return this.logits.softmax(-1);
  }
}
