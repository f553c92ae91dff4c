// Bernoulli–Bernoulli RBM: v ∈ {0,1}^V, h ∈ {0,1}^H,
//   E(v, h) = −bᵀv − cᵀh − vᵀWh,
//   F(v)    = −bᵀv − Σ_j softplus(c_j + vᵀW_j),
//   p(h_j = 1 | v) = σ(c_j + vᵀW_j),  p(v_i = 1 | h) = σ(b_i + W_i h).
import { type FloatDType, type Generator, type Tensor, bernoulli, rand, softplus, zeros } from '@likelihood/core';
import { checkBinary, checkEnumerable } from './checks.js';
import { logSumExpOverStates } from './enumerate.js';
import { RBMBase, type RBMOptions } from './rbmBase.js';

export class BernoulliRBM extends RBMBase {
  override readonly acceptsBaseVisibleBias: boolean = true;

  constructor(nVisible: number, nHidden: number, opts: RBMOptions = {}) {
    super('BernoulliRBM', nVisible, nHidden, opts);
  }

  checkVisible(op: string, v: unknown): Tensor {
    const x = this.batch(`BernoulliRBM.${op}`, v);
    checkBinary(`BernoulliRBM.${op}`, 'v', x);
    return x;
  }

  protected visibleInput(v: Tensor): Tensor {
    return v;
  }

  energy(v: Tensor, h: Tensor): Tensor {
    const x = this.checkVisible('energy', v);
    const hh = this.checkHidden('BernoulliRBM.energy', h, x.shape[0]!);
    return x.matmul(this.visibleBias.unsqueeze(1)).squeeze(1)
      .add(hh.matmul(this.hiddenBias.unsqueeze(1)).squeeze(1))
      .add(x.matmul(this.weight).mul(hh).sum(1))
      .neg();
  }

  freeEnergy(v: Tensor): Tensor {
    const x = this.checkVisible('freeEnergy', v);
    return x.matmul(this.visibleBias.unsqueeze(1)).squeeze(1).add(this.hiddenSoftplus(x)).neg();
  }

  protected visibleFreeEnergy(v: Tensor): Tensor {
    return v.matmul(this.visibleBias.unsqueeze(1)).squeeze(1).neg();
  }

  protected visibleBiasFreeEnergyGrad(v: Tensor): Tensor {
    return v.sum(0).neg();
  }

  visibleMean(h: Tensor): Tensor {
    return h.to(this.dtype).matmul(this.weight.transpose(0, 1)).add(this.visibleBias).sigmoid();
  }

  sampleVisible(h: Tensor, generator?: Generator): Tensor {
    return bernoulli(this.visibleMean(h).detach(), { generator });
  }

  /**
   * Exact log Z, summing out the larger layer analytically and enumerating the 2^min(V, H)
   * states of the smaller one: log Z = logsumexp_v(−F(v)) or logsumexp_h(cᵀh + Σ_i softplus(b_i + W_i h)).
   */
  exactLogZ(opts: { maxUnits?: number; differentiable?: boolean } = {}): Tensor {
    const n = Math.min(this.nVisible, this.nHidden);
    checkEnumerable('BernoulliRBM.exactLogZ', this.nVisible <= this.nHidden ? 'visible units' : 'hidden units', n, opts.maxUnits);
    const m = this.dtype === 'float64' ? this : this.withDType('float64');
    const e = { differentiable: opts.differentiable ?? false };
    if (m.nVisible <= m.nHidden) return logSumExpOverStates(m.nVisible, (v) => m.freeEnergy(v).neg(), 'float64', e);
    return logSumExpOverStates(
      m.nHidden,
      (h) => h.matmul(m.hiddenBias.unsqueeze(1)).squeeze(1).add(softplus(h.matmul(m.weight.transpose(0, 1)).add(m.visibleBias)).sum(1)),
      'float64',
      e,
    );
  }

  /** Sets b to the log-odds of each pixel's mean in data (Hinton's guide), clipped away from 0 and 1. */
  initVisibleBiasFromData(data: Tensor, eps = 1e-3): this {
    const x = this.checkVisible('initVisibleBiasFromData', data);
    const p = x.mean(0).clamp(eps, 1 - eps);
    this.visibleBias.assign_(p.log().sub(p.neg().add(1).log()).detach());
    return this;
  }

  withDType(dtype: FloatDType): this {
    return this.copyInto(new BernoulliRBM(this.nVisible, this.nHidden, { dtype })) as this;
  }

  // AIS path (Salakhutdinov & Murray 2008, eq. 15): base model A has visible biases b_A and no
  // couplings; log p*_β(v) = (1 − β) b_Aᵀv + β bᵀv + Σ_j softplus(β(c_j + vᵀW_j)).
  annealedVisibleTerm(v: Tensor, beta: number, baseVisibleBias: Tensor | null): Tensor {
    const bias = this.annealedBias(beta, baseVisibleBias);
    return v.matmul(bias.unsqueeze(1)).squeeze(1);
  }

  annealedSampleVisible(h: Tensor, beta: number, baseVisibleBias: Tensor | null, generator?: Generator): Tensor {
    const logits = h.matmul(this.weight.transpose(0, 1)).mul(beta).add(this.annealedBias(beta, baseVisibleBias));
    return bernoulli(logits.sigmoid(), { generator });
  }

  /** log Z_A = H log 2 + Σ_i softplus(b_A,i): independent visible units, free hidden units. */
  baseLogZ(baseVisibleBias: Tensor | null): number {
    const bA = baseVisibleBias ?? zeros([this.nVisible], { dtype: this.dtype });
    return this.nHidden * Math.LN2 + softplus(bA).sum().item();
  }

  sampleBase(n: number, baseVisibleBias: Tensor | null, generator?: Generator): Tensor {
    if (!baseVisibleBias) return rand([n, this.nVisible], { generator, dtype: this.dtype }).lt(0.5).to(this.dtype);
    return bernoulli(baseVisibleBias.sigmoid().unsqueeze(0).expand([n, this.nVisible]), { generator });
  }

  private annealedBias(beta: number, bA: Tensor | null): Tensor {
    return bA ? bA.mul(1 - beta).add(this.visibleBias.mul(beta)) : this.visibleBias.mul(beta);
  }
}
