import { ArgumentError, type Generator, type Tensor, cholesky, randn, solveTriangular } from '@likelihood/core';
import * as C from './constraints.js';
import { Distribution, type DistributionOptions } from './distribution.js';
import { registerKL } from './kl.js';
import { broadcastBatch, halfLogDet, mahalanobis, precisionToScaleTril } from './linalg.js';

const LOG_2PI = Math.log(2 * Math.PI);

export interface MvnParams {
  covarianceMatrix?: Tensor;
  precisionMatrix?: Tensor;
  scaleTril?: Tensor;
}

/** Multivariate Normal with mean `loc` (..., n) and exactly one of covariance, precision or scaleTril (..., n, n). */
export class MultivariateNormal extends Distribution {
  readonly loc: Tensor;
  /** Lower Cholesky factor L of the covariance Σ = L·Lᵀ. */
  readonly scaleTril: Tensor;
  override readonly hasRsample = true;

  constructor(loc: Tensor, params: MvnParams, opts: DistributionOptions = {}) {
    const given = (['covarianceMatrix', 'precisionMatrix', 'scaleTril'] as const).filter((k) => params[k] !== undefined);
    if (given.length !== 1) {
      throw new ArgumentError(`MultivariateNormal: pass exactly one of covarianceMatrix, precisionMatrix or scaleTril, found ${given.length ? given.join(' and ') : 'none'}`);
    }
    const m = params[given[0]!]!;
    const n = loc.shape[loc.ndim - 1];
    if (m.ndim < 2 || m.shape[m.ndim - 1] !== n || m.shape[m.ndim - 2] !== n) {
      throw new ArgumentError(`MultivariateNormal: ${given[0]} must have shape (..., ${n}, ${n}) to match loc's event size ${n}, found [${m.shape.join(', ')}]`);
    }
    const batch = broadcastBatch(loc.shape.slice(0, -1), m.shape.slice(0, -2));
    super(batch, [n!], opts);
    this.checkParams({ loc, [given[0]!]: m });
    this.loc = loc.expand([...batch, n!]);
    const L = given[0] === 'scaleTril' ? m : given[0] === 'covarianceMatrix' ? cholesky(m) : precisionToScaleTril(m);
    this.scaleTril = L.expand([...batch, n!, n!]);
  }

  get argConstraints() {
    return { loc: C.realVector, covarianceMatrix: C.positiveDefinite, precisionMatrix: C.positiveDefinite, scaleTril: C.lowerCholesky };
  }
  get support() {
    return C.realVector;
  }
  get covarianceMatrix(): Tensor {
    return this.scaleTril.matmul(this.scaleTril.transpose(-1, -2));
  }
  override get mean() {
    return this.loc;
  }
  override get mode() {
    return this.loc;
  }
  override get variance() {
    return this.scaleTril.square().sum(-1);
  }
  /** loc + L·ε. */
  override rsample(sampleShape: readonly number[] = [], generator?: Generator): Tensor {
    const n = this.eventShape[0]!;
    const eps = randn(this.extendedShape(sampleShape), { dtype: this.loc.dtype, generator });
    return this.loc.add(this.scaleTril.matmul(eps.reshape([...eps.shape, 1])).reshape([...eps.shape.slice(0, -1), n]));
  }
  logProb(value: Tensor): Tensor {
    this.checkValue(value);
    const n = this.eventShape[0]!;
    const m = mahalanobis(this.scaleTril, value.sub(this.loc));
    return m.add(n * LOG_2PI).mul(-0.5).sub(halfLogDet(this.scaleTril));
  }
  override entropy(): Tensor {
    const n = this.eventShape[0]!;
    return halfLogDet(this.scaleTril).add(0.5 * n * (1 + LOG_2PI));
  }
  expand(batchShape: readonly number[]): MultivariateNormal {
    const n = this.eventShape[0]!;
    return new MultivariateNormal(this.loc.expand([...batchShape, n]), { scaleTril: this.scaleTril.expand([...batchShape, n, n]) }, { validateArgs: false });
  }
}

// KL = log|Lq|/|Lp| + ½(‖Lq⁻¹Lp‖²_F + ‖Lq⁻¹(μq − μp)‖² − n)
registerKL(MultivariateNormal, MultivariateNormal, (p, q) => {
  const n = p.eventShape[0]!;
  const shape = broadcastBatch(p.batchShape, q.batchShape);
  const Lq = q.scaleTril.expand([...shape, n, n]);
  const Lp = p.scaleTril.expand([...shape, n, n]);
  const term2 = solveTriangular(Lq, Lp, { upper: false }).square().sum([-2, -1]);
  const term3 = mahalanobis(q.scaleTril, q.loc.sub(p.loc));
  return halfLogDet(q.scaleTril).sub(halfLogDet(p.scaleTril)).add(term2.add(term3).sub(n).mul(0.5));
});
