// A Gaussian kernel density estimate as NCE's noise distribution: q(x) = (1/M) Σ_m N(x; c_m, h²I)
// over M centres (usually training points). NCE learns log p − log q by logistic regression and
// works best when q is close to the data (Gutmann & Hyvärinen 2012, §2.4); a smoothed empirical
// distribution is the simplest such q that can be sampled and evaluated exactly. NCE cannot
// constrain the model where q has no mass, so an optional uniform component on a box (the region
// the model will be normalised over) keeps the model's density low away from the data too.
import { ArgumentError, type Generator, type Tensor, defaultGenerator, noGrad, randn, stack, tensor } from '@likelihood/core';
import type { NoiseDistribution } from './nce.js';

export interface KDENoiseOptions {
  /** Mix in Uniform(box) with this weight ε: q = (1 − ε)·KDE + ε·U(low, high). Default none. */
  uniform?: { low: readonly number[]; high: readonly number[]; weight: number };
}

export class GaussianKDENoise implements NoiseDistribution {
  /** Kernel centres [M, D]. */
  readonly centers: Tensor;
  /** Kernel standard deviation h. */
  readonly bandwidth: number;
  readonly uniform: KDENoiseOptions['uniform'] | null;

  constructor(centers: Tensor, bandwidth: number, opts: KDENoiseOptions = {}) {
    if (centers.ndim !== 2 || centers.shape[0] === 0) throw new ArgumentError(`GaussianKDENoise: centers must be a non-empty [M, D] tensor, found shape [${centers.shape.join(', ')}]`);
    if (!(bandwidth > 0 && Number.isFinite(bandwidth))) throw new ArgumentError(`GaussianKDENoise: bandwidth must be a finite number > 0, found ${bandwidth}`);
    this.centers = centers.detach();
    this.bandwidth = bandwidth;
    const u = opts.uniform ?? null;
    if (u) {
      const d = centers.shape[1]!;
      if (!(u.weight > 0 && u.weight < 1)) throw new ArgumentError(`GaussianKDENoise: uniform.weight must be in (0, 1), found ${u.weight}`);
      if (u.low.length !== d || u.high.length !== d || u.low.some((l, i) => !(l < u.high[i]!))) {
        throw new ArgumentError(`GaussianKDENoise: uniform box must have ${d} coordinates with low < high, found low [${u.low.join(', ')}] and high [${u.high.join(', ')}]`);
      }
    }
    this.uniform = u;
  }

  /** [n, D] draws: a uniformly chosen centre plus N(0, h²I). sampleShape is [n]. */
  sample(sampleShape: readonly number[], generator?: Generator): Tensor {
    const n = sampleShape[0];
    if (sampleShape.length !== 1 || !Number.isInteger(n) || n! < 0) throw new ArgumentError(`GaussianKDENoise.sample: sampleShape must be [n], found [${sampleShape.join(', ')}]`);
    const g = generator ?? defaultGenerator();
    const m = this.centers.shape[0]!;
    const idx = Array.from({ length: n! }, () => Math.min(m - 1, Math.floor(g.random() * m)));
    const picked = this.centers.indexSelect(0, tensor(idx, { dtype: 'int32' }));
    const kde = noGrad(() => picked.add(randn(picked.shape, { generator: g, dtype: picked.dtype }).mul(this.bandwidth)));
    const u = this.uniform;
    if (!u) return kde;
    // Replace each draw by a uniform one with probability ε.
    const out = Float64Array.from(kde.storage);
    const d = this.centers.shape[1]!;
    for (let i = 0; i < n!; i++) {
      if (g.random() < u.weight) for (let j = 0; j < d; j++) out[i * d + j] = u.low[j]! + (u.high[j]! - u.low[j]!) * g.random();
    }
    return tensor(out, { dtype: kde.dtype }).reshape([n!, d]);
  }

  /** log q(x) [N] = logsumexp_m(−‖x − c_m‖²/2h²) − log M − (D/2) log 2πh². */
  logProb(x: Tensor): Tensor {
    const d = this.centers.shape[1]!;
    if (x.ndim !== 2 || x.shape[1] !== d) throw new ArgumentError(`GaussianKDENoise.logProb: x must be [N, ${d}], found [${x.shape.join(', ')}]`);
    const h2 = this.bandwidth ** 2;
    const d2 = x.unsqueeze(1).sub(this.centers.to(x.dtype)).square().sum(-1); // [N, M]
    const logKde = d2.mul(-0.5 / h2).logsumexp(1).sub(Math.log(this.centers.shape[0]!) + 0.5 * d * Math.log(2 * Math.PI * h2));
    const u = this.uniform;
    if (!u) return logKde;
    let logVolume = 0;
    for (let j = 0; j < d; j++) logVolume += Math.log(u.high[j]! - u.low[j]!);
    const rows = x.toArray() as number[][];
    const logU = rows.map((r) => (r.every((v, j) => v >= u.low[j]! && v <= u.high[j]!) ? Math.log(u.weight) - logVolume : -Infinity));
    return stack([logKde.add(Math.log(1 - u.weight)), tensor(logU, { dtype: logKde.dtype })], 1).logsumexp(1); // [N, 2] → [N]
  }
}
