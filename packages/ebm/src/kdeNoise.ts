// A Gaussian kernel density estimate as NCE's noise distribution: q(x) = (1/M) Σ_m N(x; c_m, h²I)
// over M centres (usually training points). NCE learns log p − log q by logistic regression and
// works best when q is close to the data (Gutmann & Hyvärinen 2012, §2.4); a smoothed empirical
// distribution is the simplest such q that can be sampled and evaluated exactly.
import { ArgumentError, type Generator, type Tensor, defaultGenerator, noGrad, randn, tensor } from '@likelihood/core';
import type { NoiseDistribution } from './nce.js';

export class GaussianKDENoise implements NoiseDistribution {
  /** Kernel centres [M, D]. */
  readonly centers: Tensor;
  /** Kernel standard deviation h. */
  readonly bandwidth: number;

  constructor(centers: Tensor, bandwidth: number) {
    if (centers.ndim !== 2 || centers.shape[0] === 0) throw new ArgumentError(`GaussianKDENoise: centers must be a non-empty [M, D] tensor, found shape [${centers.shape.join(', ')}]`);
    if (!(bandwidth > 0 && Number.isFinite(bandwidth))) throw new ArgumentError(`GaussianKDENoise: bandwidth must be a finite number > 0, found ${bandwidth}`);
    this.centers = centers.detach();
    this.bandwidth = bandwidth;
  }

  /** [n, D] draws: a uniformly chosen centre plus N(0, h²I). sampleShape is [n]. */
  sample(sampleShape: readonly number[], generator?: Generator): Tensor {
    const n = sampleShape[0];
    if (sampleShape.length !== 1 || !Number.isInteger(n) || n! < 0) throw new ArgumentError(`GaussianKDENoise.sample: sampleShape must be [n], found [${sampleShape.join(', ')}]`);
    const g = generator ?? defaultGenerator();
    const m = this.centers.shape[0]!;
    const idx = Array.from({ length: n! }, () => Math.min(m - 1, Math.floor(g.random() * m)));
    const picked = this.centers.indexSelect(0, tensor(idx, { dtype: 'int32' }));
    return noGrad(() => picked.add(randn(picked.shape, { generator: g, dtype: picked.dtype }).mul(this.bandwidth)));
  }

  /** log q(x) [N] = logsumexp_m(−‖x − c_m‖²/2h²) − log M − (D/2) log 2πh². */
  logProb(x: Tensor): Tensor {
    const d = this.centers.shape[1]!;
    if (x.ndim !== 2 || x.shape[1] !== d) throw new ArgumentError(`GaussianKDENoise.logProb: x must be [N, ${d}], found [${x.shape.join(', ')}]`);
    const h2 = this.bandwidth ** 2;
    const d2 = x.unsqueeze(1).sub(this.centers.to(x.dtype)).square().sum(-1); // [N, M]
    return d2.mul(-0.5 / h2).logsumexp(1).sub(Math.log(this.centers.shape[0]!) + 0.5 * d * Math.log(2 * Math.PI * h2));
  }
}
