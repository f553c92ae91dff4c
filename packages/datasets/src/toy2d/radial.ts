// Mixtures of "radial Gaussians": a point uniform on a circle of radius r plus N(0, σ²I) noise.
// Its density is exact in closed form: p(x) = (1/(2πσ²)) exp(−(|x|² + r²)/(2σ²)) I₀(|x| r/σ²),
// with I₀ the modified Bessel function of the first kind, order 0.
import type { Generator, Tensor } from '@likelihood/core';
import { type Toy2DWithDensity, checkN, checkX, mapRows, sampleRows } from './types.js';

/** log(I₀(z)·e^{−z}) for z ≥ 0, to about double precision (power series for z ≤ 30, the Hankel asymptotic series above). */
export function logI0e(z: number): number {
  z = Math.abs(z);
  if (z <= 30) {
    const q = (z * z) / 4;
    let term = 1;
    let sum = 1;
    for (let k = 1; k < 500; k++) {
      term *= q / (k * k);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return Math.log(sum) - z;
  }
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 30; k++) {
    term *= ((2 * k - 1) * (2 * k - 1)) / (8 * k * z);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.log(sum) - 0.5 * Math.log(2 * Math.PI * z);
}

/** An equal-weight mixture of radial Gaussians with the given radii and noise std. */
export function radialMixture(name: string, radii: readonly number[], sigma: number): Toy2DWithDensity {
  const K = radii.length;
  const s2 = sigma * sigma;
  const logNorm = -Math.log(K) - Math.log(2 * Math.PI * s2);
  return {
    name,
    sample(n: number, generator?: Generator): Tensor {
      const g = checkN(`${name}.sample`, n, generator);
      return sampleRows(n, (p) => {
        const r = radii[Math.floor(g.random() * K)]!;
        const t = 2 * Math.PI * g.random();
        p[0] = r * Math.cos(t) + sigma * g.normal();
        p[1] = r * Math.sin(t) + sigma * g.normal();
      });
    },
    /** Exact (closed form with Bessel I₀), values only: not differentiable. */
    logProb(x: Tensor): Tensor {
      checkX(`${name}.logProb`, x);
      const terms = new Float64Array(K);
      return mapRows(x, (a, b) => {
        const rho = Math.hypot(a, b);
        let m = Number.NEGATIVE_INFINITY;
        for (let k = 0; k < K; k++) {
          const r = radii[k]!;
          terms[k] = -((rho - r) ** 2) / (2 * s2) + logI0e((rho * r) / s2);
          if (terms[k]! > m) m = terms[k]!;
        }
        let s = 0;
        for (let k = 0; k < K; k++) s += Math.exp(terms[k]! - m);
        return logNorm + m + Math.log(s);
      });
    },
  };
}
