// Gaussian–Bernoulli RBM with fixed per-unit standard deviations σ: v ∈ ℝ^V, h ∈ {0,1}^H,
//   E(v, h) = Σ_i (v_i − b_i)² / 2σ_i² − cᵀh − Σ_ij (v_i/σ_i) W_ij h_j,
//   F(v)    = Σ_i (v_i − b_i)² / 2σ_i² − Σ_j softplus(c_j + Σ_i (v_i/σ_i) W_ij),
//   p(h_j = 1 | v) = σ(c_j + (v/σ)ᵀW_j),  p(v | h) = N(b + σ ⊙ Wh, diag σ²).
// Data are usually standardised so σ = 1.
import { ArgumentError, type FloatDType, type Generator, type Tensor, randn, tensor } from '@likelihood/core';
import { checkEnumerable } from './checks.js';
import { logSumExpOverStates } from './enumerate.js';
import { RBMBase, type RBMOptions } from './rbmBase.js';

export interface GaussianRBMOptions extends RBMOptions {
  /** Visible standard deviations: one number for all units, or one per unit (default 1). */
  sigma?: number | readonly number[];
}

export class GaussianBernoulliRBM extends RBMBase {
  /** σ [V] (a buffer: fixed, not trained). */
  sigma!: Tensor;

  constructor(nVisible: number, nHidden: number, opts: GaussianRBMOptions = {}) {
    super('GaussianBernoulliRBM', nVisible, nHidden, opts);
    const s = opts.sigma ?? 1;
    const values = typeof s === 'number' ? Array(nVisible).fill(s) : [...s];
    if (values.length !== nVisible || values.some((x) => !(typeof x === 'number' && x > 0 && Number.isFinite(x)))) {
      throw new ArgumentError(`GaussianBernoulliRBM: sigma must be a positive number or ${nVisible} positive numbers, found ${JSON.stringify(s)}`);
    }
    this.registerBuffer('sigma', tensor(values, { dtype: this.dtype }));
  }

  checkVisible(op: string, v: unknown): Tensor {
    return this.batch(`GaussianBernoulliRBM.${op}`, v);
  }

  protected visibleInput(v: Tensor): Tensor {
    return v.div(this.sigma);
  }

  /** Σ_i (v_i − b_i)² / 2σ_i² [N]. */
  private quadratic(v: Tensor): Tensor {
    return v.sub(this.visibleBias).div(this.sigma).square().sum(1).mul(0.5);
  }

  energy(v: Tensor, h: Tensor): Tensor {
    const x = this.checkVisible('energy', v);
    const hh = this.checkHidden('GaussianBernoulliRBM.energy', h, x.shape[0]!);
    return this.quadratic(x)
      .sub(hh.matmul(this.hiddenBias.unsqueeze(1)).squeeze(1))
      .sub(this.visibleInput(x).matmul(this.weight).mul(hh).sum(1));
  }

  freeEnergy(v: Tensor): Tensor {
    const x = this.checkVisible('freeEnergy', v);
    return this.quadratic(x).sub(this.hiddenSoftplus(x));
  }

  protected visibleFreeEnergy(v: Tensor): Tensor {
    return this.quadratic(v);
  }

  /** ∂/∂b Σ_n (v_n − b)²/2σ² = −Σ_n (v_n − b)/σ². */
  protected visibleBiasFreeEnergyGrad(v: Tensor): Tensor {
    return v.sub(this.visibleBias).div(this.sigma.square()).sum(0).neg();
  }

  visibleMean(h: Tensor): Tensor {
    return h.to(this.dtype).matmul(this.weight.transpose(0, 1)).mul(this.sigma).add(this.visibleBias);
  }

  sampleVisible(h: Tensor, generator?: Generator): Tensor {
    const mean = this.visibleMean(h).detach();
    return randn(mean.shape, { generator, dtype: this.dtype }).mul(this.sigma).add(mean);
  }

  /**
   * Exact log Z by enumerating the 2^H hidden states and integrating v in closed form: with
   * a = Wh, ∫ exp(−E) dv = Π_i √(2πσ_i²) · exp(cᵀh + Σ_i (b_i a_i / σ_i + a_i²/2)).
   */
  exactLogZ(opts: { maxUnits?: number; differentiable?: boolean } = {}): Tensor {
    checkEnumerable('GaussianBernoulliRBM.exactLogZ', 'hidden units', this.nHidden, opts.maxUnits);
    const m = this.dtype === 'float64' ? this : this.withDType('float64');
    const gaussian = m.sigma.square().mul(2 * Math.PI).log().mul(0.5).sum(); // Σ log √(2πσ²)
    const bOverSigma = m.visibleBias.div(m.sigma);
    const lse = logSumExpOverStates(
      m.nHidden,
      (h) => {
        const a = h.matmul(m.weight.transpose(0, 1)); // [B, V]
        return h.matmul(m.hiddenBias.unsqueeze(1)).squeeze(1).add(a.mul(bOverSigma).add(a.square().mul(0.5)).sum(1));
      },
      'float64',
      { differentiable: opts.differentiable ?? false },
    );
    return lse.add(gaussian);
  }

  withDType(dtype: FloatDType): this {
    const other = new GaussianBernoulliRBM(this.nVisible, this.nHidden, { dtype, sigma: Array.from(this.sigma.storage) });
    return this.copyInto(other) as this;
  }

  // AIS path: the Gaussian part stays, the couplings and hidden biases are scaled by β:
  // log p*_β(v) = −Σ_i (v_i − b_i)²/2σ_i² + Σ_j softplus(β(c_j + (v/σ)ᵀW_j)); at β = 0 the
  // visible units are N(b, σ²) and the hidden units are free. The base bias is not used.
  annealedVisibleTerm(v: Tensor, _beta: number, _baseVisibleBias: Tensor | null): Tensor {
    return this.quadratic(v).neg();
  }

  annealedSampleVisible(h: Tensor, beta: number, _baseVisibleBias: Tensor | null, generator?: Generator): Tensor {
    const mean = h.matmul(this.weight.transpose(0, 1)).mul(this.sigma).mul(beta).add(this.visibleBias);
    return randn(mean.shape, { generator, dtype: this.dtype }).mul(this.sigma).add(mean);
  }

  /** log Z_A = H log 2 + Σ_i log √(2πσ_i²). */
  baseLogZ(_baseVisibleBias: Tensor | null): number {
    return this.nHidden * Math.LN2 + this.sigma.square().mul(2 * Math.PI).log().mul(0.5).sum().item();
  }

  sampleBase(n: number, _baseVisibleBias: Tensor | null, generator?: Generator): Tensor {
    return randn([n, this.nVisible], { generator, dtype: this.dtype }).mul(this.sigma).add(this.visibleBias.detach());
  }
}

