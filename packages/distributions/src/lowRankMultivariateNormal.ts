import { ArgumentError, type Generator, type Tensor, cholesky, eye, log, randn, solveTriangular } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { klDivergence, registerKL } from './kl.js';
import { broadcastBatch, halfLogDet } from './linalg.js';
import { MultivariateNormal } from './multivariateNormal.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Multivariate Normal with covariance W·Wᵀ + diag(D): `covFactor` W (..., n, r), `covDiag` D (..., n).
 * log-density and entropy in O(n·r²) through the capacitance matrix I + Wᵀ D⁻¹ W (Woodbury).
 */
export class LowRankMultivariateNormal extends Distribution {
  readonly loc: Tensor;
  readonly covFactor: Tensor;
  readonly covDiag: Tensor;
  override readonly hasRsample = true;

  constructor(loc: Tensor, covFactor: Tensor, covDiag: Tensor, opts: DistributionOptions = {}) {
    const n = loc.shape[loc.ndim - 1]!;
    if (covFactor.ndim < 2 || covFactor.shape[covFactor.ndim - 2] !== n || covDiag.shape[covDiag.ndim - 1] !== n) {
      throw new ArgumentError(
        `LowRankMultivariateNormal: covFactor must be (..., ${n}, r) and covDiag (..., ${n}) for loc's event size ${n}, found [${covFactor.shape.join(', ')}] and [${covDiag.shape.join(', ')}]`,
      );
    }
    const r = covFactor.shape[covFactor.ndim - 1]!;
    const batch = broadcastBatch(broadcastBatch(loc.shape.slice(0, -1), covFactor.shape.slice(0, -2)), covDiag.shape.slice(0, -1));
    super(batch, [n], opts);
    this.checkParams({ loc, covDiag });
    this.loc = loc.expand([...batch, n]);
    this.covFactor = covFactor.expand([...batch, n, r]);
    this.covDiag = covDiag.expand([...batch, n]);
  }
  get argConstraints() {
    return { loc: C.realVector, covFactor: C.independent(C.real, 2), covDiag: C.independent(C.positive, 1) };
  }
  get support() {
    return C.realVector;
  }
  override get mean() {
    return this.loc;
  }
  override get mode() {
    return this.loc;
  }
  override get variance() {
    return this.covFactor.square().sum(-1).add(this.covDiag);
  }
  get covarianceMatrix(): Tensor {
    const n = this.eventShape[0]!;
    const d = this.covDiag.reshape([...this.covDiag.shape, 1]).mul(eye(n, n, { dtype: this.loc.dtype }));
    return this.covFactor.matmul(this.covFactor.transpose(-1, -2)).add(d);
  }
  /** Lower Cholesky factor of the capacitance I + Wᵀ D⁻¹ W, (..., r, r). */
  private capacitanceTril(): Tensor {
    const r = this.covFactor.shape[this.covFactor.ndim - 1]!;
    const Wt = this.covFactor.transpose(-1, -2).div(this.covDiag.reshape([...this.covDiag.shape.slice(0, -1), 1, this.eventShape[0]!]).sqrt()); // (..., r, n)
    const K = Wt.matmul(Wt.transpose(-1, -2)).add(eye(r, r, { dtype: this.loc.dtype }));
    return cholesky(K);
  }
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const shape = this.extendedShape(sampleShape);
    const r = this.covFactor.shape[this.covFactor.ndim - 1]!;
    const epsW = randn([...shape.slice(0, -1), r], { dtype: this.loc.dtype, generator });
    const epsD = randn(shape, { dtype: this.loc.dtype, generator });
    const w = this.covFactor.matmul(epsW.reshape([...epsW.shape, 1])).reshape(shape); // W·ε_r
    return this.loc.add(w).add(this.covDiag.sqrt().mul(epsD));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const n = this.eventShape[0]!;
    const diff = value.sub(this.loc); // (..., n)
    const Lc = this.capacitanceTril();
    // Woodbury: xᵀΣ⁻¹x = xᵀD⁻¹x − ‖Lc⁻¹ Wᵀ D⁻¹ x‖²
    const dinvx = diff.div(this.covDiag);
    const wtDinvX = this.covFactor.transpose(-1, -2).matmul(dinvx.reshape([...dinvx.shape, 1])); // (..., r, 1)
    const shape = broadcastBatch(Lc.shape.slice(0, -2), wtDinvX.shape.slice(0, -2));
    const z = solveTriangular(Lc.expand([...shape, ...Lc.shape.slice(-2)]), wtDinvX.expand([...shape, ...wtDinvX.shape.slice(-2)]), { upper: false });
    const m = diff.mul(dinvx).sum(-1).sub(z.square().sum([-2, -1]));
    const logDet = halfLogDet(Lc).mul(2).add(log(this.covDiag).sum(-1)); // matrix determinant lemma
    return m.add(logDet).add(n * LOG_2PI).mul(-0.5);
  }
  override entropy(): Tensor {
    const n = this.eventShape[0]!;
    const logDet = halfLogDet(this.capacitanceTril()).mul(2).add(log(this.covDiag).sum(-1));
    return logDet.add(n * (1 + LOG_2PI)).mul(0.5);
  }
  expand(batchShape: readonly number[]): LowRankMultivariateNormal {
    const n = this.eventShape[0]!;
    const r = this.covFactor.shape[this.covFactor.ndim - 1]!;
    return new LowRankMultivariateNormal(
      this.loc.expand([...batchShape, n]),
      this.covFactor.expand([...batchShape, n, r]),
      this.covDiag.expand([...batchShape, n]),
      { validateArgs: false },
    );
  }
}

// Through the dense covariances (O(n³)); fine for the event sizes low-rank MVNs are used with here.
registerKL(LowRankMultivariateNormal, LowRankMultivariateNormal, (p, q) => {
  const dense = (d: LowRankMultivariateNormal) => new MultivariateNormal(d.loc, { covarianceMatrix: d.covarianceMatrix }, { validateArgs: false });
  return klDivergence(dense(p), dense(q));
});
