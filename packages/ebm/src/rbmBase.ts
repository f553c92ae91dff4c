// What every restricted Boltzmann machine shares: a weight matrix W [V, H], visible bias b [V],
// hidden bias c [H], Bernoulli hidden units with p(h_j = 1 | v) = σ(c_j + Σ_i x_i W_ij), where
// x is the visible input as the hidden units see it (v itself, or v/σ for Gaussian units).
// Subclasses say what the visible units are.
import { type FloatDType, type Generator, ShapeError, type Tensor, bernoulli, cat, full, noGrad, randn, softplus, zeros } from '@likelihood/core';
import { Module, Parameter } from '@likelihood/nn';
import { checkBatch, checkBinary, checkPositiveInt } from './checks.js';

export interface RBMOptions {
  /** Parameter dtype (default float64: partition functions need the precision). */
  dtype?: FloatDType;
  /** Initial weights are N(0, initStd²) (default 0.01, Hinton's practical guide). */
  initStd?: number;
  generator?: Generator;
}

export interface GibbsOptions {
  /** Number of full v → h → v sweeps (default 1). */
  k?: number;
  generator?: Generator;
}

export interface GibbsResult {
  /** Visible sample after k sweeps [N, V]. */
  v: Tensor;
  /** Hidden sample drawn from the last visible state fed in [N, H]. */
  h: Tensor;
  /** p(v = 1 | h) (or the Gaussian mean) that v was drawn from [N, V]. */
  visibleMean: Tensor;
}

export abstract class RBMBase extends Module {
  readonly nVisible: number;
  readonly nHidden: number;
  readonly dtype: FloatDType;
  /** W [V, H]. */
  weight: Parameter;
  /** b [V]. */
  visibleBias: Parameter;
  /** c [H]. */
  hiddenBias: Parameter;

  constructor(op: string, nVisible: number, nHidden: number, opts: RBMOptions = {}) {
    super();
    this.nVisible = checkPositiveInt(op, 'nVisible', nVisible);
    this.nHidden = checkPositiveInt(op, 'nHidden', nHidden);
    this.dtype = opts.dtype ?? 'float64';
    const std = opts.initStd ?? 0.01;
    this.weight = new Parameter(randn([nVisible, nHidden], { generator: opts.generator, dtype: this.dtype }).mul(std));
    this.visibleBias = new Parameter(zeros([nVisible], { dtype: this.dtype }));
    this.hiddenBias = new Parameter(zeros([nHidden], { dtype: this.dtype }));
  }

  /** Validates a visible batch [N, V] (and casts it to the model's dtype). */
  abstract checkVisible(op: string, v: unknown): Tensor;
  /** The visible input as the hidden units see it: v, or v/σ. */
  protected abstract visibleInput(v: Tensor): Tensor;
  /** E(v, h) per row [N]. */
  abstract energy(v: Tensor, h: Tensor): Tensor;
  /** F(v) = −log Σ_h exp(−E(v, h)) per row [N]. */
  abstract freeEnergy(v: Tensor): Tensor;
  /** E[v | h]: p(v = 1 | h) or the Gaussian mean [N, V]. */
  abstract visibleMean(h: Tensor): Tensor;
  /** v ~ p(v | h) [N, V]. */
  abstract sampleVisible(h: Tensor, generator?: Generator): Tensor;
  /** log Z by exact enumeration (see exactLogZ). */
  abstract exactLogZ(opts?: { maxUnits?: number; differentiable?: boolean }): Tensor;
  /** The same model with parameters copied to `dtype`. */
  abstract withDType(dtype: FloatDType): this;

  // --- Annealed importance sampling (Salakhutdinov & Murray 2008), see ais.ts. ---
  // The path p*_β(v) couples hidden units with strength β: log p*_β(v) = visibleTerm(v, β) +
  // Σ_j softplus(β · (c_j + x W_j)). At β = 0 it is a tractable base model.
  /** The visible-only part of log p*_β(v) [N]. */
  abstract annealedVisibleTerm(v: Tensor, beta: number, baseVisibleBias: Tensor | null): Tensor;
  /** v ~ p_β(v | h) [N, V]. */
  abstract annealedSampleVisible(h: Tensor, beta: number, baseVisibleBias: Tensor | null, generator?: Generator): Tensor;
  /** Exact log Z of the base model (β = 0), hidden units included. */
  abstract baseLogZ(baseVisibleBias: Tensor | null): number;
  /** n exact samples of the base model's visible units [n, V]. */
  abstract sampleBase(n: number, baseVisibleBias: Tensor | null, generator?: Generator): Tensor;

  /** c + x W: the hidden units' logits [N, H]. */
  hiddenLogits(v: Tensor): Tensor {
    return this.visibleInput(v).matmul(this.weight).add(this.hiddenBias);
  }

  /** p(h = 1 | v) [N, H]. */
  hiddenProbs(v: Tensor): Tensor {
    return this.hiddenLogits(this.checkVisible('hiddenProbs', v)).sigmoid();
  }

  /** h ~ p(h | v) [N, H]. */
  sampleHidden(v: Tensor, generator?: Generator): Tensor {
    return bernoulli(this.hiddenProbs(v).detach(), { generator });
  }

  /** Σ_j softplus(c_j + x W_j) [N]: −(free energy) without the visible-only terms. */
  protected hiddenSoftplus(v: Tensor): Tensor {
    return softplus(this.hiddenLogits(v)).sum(1);
  }

  /** Block Gibbs sampling: k sweeps of h ~ p(h | v), v ~ p(v | h), starting from v0 [N, V]. */
  gibbs(v0: Tensor, opts: GibbsOptions = {}): GibbsResult {
    const k = checkPositiveInt('gibbs', 'k', opts.k ?? 1);
    let v = this.checkVisible('gibbs', v0).detach();
    let h = v;
    let mean = v;
    for (let i = 0; i < k; i++) {
      h = bernoulli(this.hiddenLogits(v).sigmoid().detach(), { generator: opts.generator });
      mean = this.visibleMean(h).detach();
      v = this.sampleVisible(h, opts.generator);
    }
    return { v, h, visibleMean: mean };
  }

  /** ∂/∂b of Σ_n F(v_n) over a checked batch [N, V] → [V] (the visible-only part of F). */
  protected abstract visibleBiasFreeEnergyGrad(v: Tensor): Tensor;

  /**
   * The gradients of the CD/PCD surrogate loss mean F(v⁺) − mean F(v⁻) in closed form, without an
   * autograd graph, and the two mean free energies. With p = p(h = 1 | v) and x the visible input,
   * ∂F/∂W = −xᵀp and ∂F/∂c = −p, so ∂L/∂W = −[x⁺; x⁻]ᵀ[p⁺/B⁺; −p⁻/B⁻]: one matmul over the
   * stacked batches and no elementwise passes over W (the trainers' hot path; autograd of F
   * costs about twice as much). The mean free energies are NaN when `withFreeEnergy` is false.
   */
  contrastiveGrads(pos: Tensor, neg: Tensor, withFreeEnergy = true): { weight: Tensor; visibleBias: Tensor; hiddenBias: Tensor; freeEnergyPos: number; freeEnergyNeg: number } {
    return noGrad(() => {
      const bp = pos.shape[0]!;
      const bn = neg.shape[0]!;
      const both = cat([pos, neg], 0); // [B⁺ + B⁻, V]
      const x = this.visibleInput(both);
      const logits = x.matmul(this.weight).add(this.hiddenBias); // [B⁺ + B⁻, H]
      const sign = cat([full([bp, 1], -1 / bp, { dtype: this.dtype }), full([bn, 1], 1 / bn, { dtype: this.dtype })], 0); // [B, 1]
      const p = logits.sigmoid().mul(sign); // rows scaled by −1/B⁺ or +1/B⁻
      let fp = Number.NaN;
      let fn = Number.NaN;
      if (withFreeEnergy) {
        const f = this.visibleFreeEnergy(both).sub(softplus(logits).sum(1)).storage;
        fp = 0;
        fn = 0;
        for (let i = 0; i < bp; i++) fp += f[i]!;
        for (let i = 0; i < bn; i++) fn += f[bp + i]!;
      }
      return {
        weight: x.transpose(0, 1).matmul(p), // [V, B] @ [B, H]
        visibleBias: this.visibleBiasFreeEnergyGrad(pos).div(bp).sub(this.visibleBiasFreeEnergyGrad(neg).div(bn)),
        hiddenBias: p.sum(0),
        freeEnergyPos: fp / bp,
        freeEnergyNeg: fn / bn,
      };
    });
  }

  /** The visible-only part of F(v) [N] (F = this − Σ_j softplus(c_j + x W_j)). */
  protected abstract visibleFreeEnergy(v: Tensor): Tensor;

  /** log p(v) = −F(v) − log Z per row [N], in nats, given log Z (exact or from AIS). */
  logProb(v: Tensor, logZ: number | Tensor): Tensor {
    return this.freeEnergy(v).neg().sub(logZ);
  }

  /** Mean of log p(v) over the rows of data, in nats. */
  averageLogLikelihood(data: Tensor, logZ: number | Tensor): number {
    return this.logProb(data, logZ).mean().item();
  }

  forward(v: Tensor): Tensor {
    return this.freeEnergy(v);
  }

  /** Copies this model's parameters into `other` (same sizes), cast to other's dtype. */
  protected copyInto<T extends RBMBase>(other: T): T {
    other.weight.assign_(this.weight.detach().to(other.dtype));
    other.visibleBias.assign_(this.visibleBias.detach().to(other.dtype));
    other.hiddenBias.assign_(this.hiddenBias.detach().to(other.dtype));
    return other;
  }

  protected batch(op: string, v: unknown): Tensor {
    return checkBatch(op, 'v', v, this.nVisible, this.dtype);
  }

  /** Validates a hidden batch [N, H] of 0/1 values matching v's N. */
  protected checkHidden(op: string, h: unknown, n: number): Tensor {
    const t = checkBatch(op, 'h', h, this.nHidden, this.dtype);
    if (t.shape[0] !== n) throw new ShapeError(`${op}: v and h must have the same number of rows, found ${n} and ${t.shape[0]}`);
    checkBinary(op, 'h', t);
    return t;
  }

  /** Whether AIS can use a base model with its own visible biases (Bernoulli visible units). */
  readonly acceptsBaseVisibleBias: boolean = false;
}
