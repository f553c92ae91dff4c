import { Generator, Tensor, grad, tensor } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import {
  CIRCLES_RADII, CIRCLES_STD, EIGHT_GAUSSIANS_CENTERS, EIGHT_GAUSSIANS_STD, RINGS_RADII, RINGS_STD, TOY2D, checkerboard, circles, eightGaussians,
  logI0e, moons, pinwheel, rings, swissRoll, toy2d,
} from './index.js';

/** Midpoint-rule integral of exp(logProb) over [-L, L]² with step h (float64). */
function integrate(logProb: (x: Tensor) => Tensor, L: number, h: number): number {
  const m = Math.round((2 * L) / h);
  const g = new Float64Array(2 * m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      g[2 * (i * m + j)] = -L + (i + 0.5) * h;
      g[2 * (i * m + j) + 1] = -L + (j + 0.5) * h;
    }
  }
  const lp = logProb(new Tensor(g, [m * m, 2], 'float64')).storage;
  let s = 0;
  for (const v of lp) s += Math.exp(v);
  return s * h * h;
}

function moments(x: Tensor): { mean: [number, number]; r2: number } {
  const s = x.storage;
  const n = x.shape[0]!;
  let a = 0;
  let b = 0;
  let r2 = 0;
  for (let i = 0; i < n; i++) {
    a += s[2 * i]!;
    b += s[2 * i + 1]!;
    r2 += s[2 * i]! ** 2 + s[2 * i + 1]! ** 2;
  }
  return { mean: [a / n, b / n], r2: r2 / n };
}

const N = 20000;

describe('toy 2-D densities', () => {
  for (const [name, toy] of Object.entries(TOY2D)) {
    it(`${name}: float32 [n, 2], reproducible from the seed, finite`, () => {
      const a = toy.sample(257, new Generator(5));
      expect(a.shape).toEqual([257, 2]);
      expect(a.dtype).toBe('float32');
      expect(a.storage).toEqual(toy.sample(257, new Generator(5)).storage);
      expect(a.storage).not.toEqual(toy.sample(257, new Generator(6)).storage);
      expect(a.storage.every(Number.isFinite)).toBe(true);
      expect(toy.sample(0).shape).toEqual([0, 2]);
      expect(toy2d(name)).toBe(toy);
    });
  }

  // E|x|² of a radial mixture = mean(r²) + 2σ²; the mean is 0 by symmetry. Standard errors at
  // n = 20000 are below 1% of these values; tolerances are ~4 standard errors.
  it('8gaussians: moments, logProb integrates to 1, matches a direct mixture sum', () => {
    const m = moments(eightGaussians.sample(N, new Generator(0)));
    const R2 = EIGHT_GAUSSIANS_CENTERS[0]![0] ** 2; // (4/1.414)²
    expect(Math.abs(m.mean[0])).toBeLessThan(0.06);
    expect(Math.abs(m.mean[1])).toBeLessThan(0.06);
    expect(m.r2).toBeCloseTo(R2 + 2 * EIGHT_GAUSSIANS_STD ** 2, 1);
    expect(integrate((x) => eightGaussians.logProb(x), 5, 0.025)).toBeCloseTo(1, 4);
    const pt = [0.3, -1.7];
    let p = 0;
    for (const [cx, cy] of EIGHT_GAUSSIANS_CENTERS) {
      const s2 = EIGHT_GAUSSIANS_STD ** 2;
      p += Math.exp(-((pt[0]! - cx) ** 2 + (pt[1]! - cy) ** 2) / (2 * s2)) / (2 * Math.PI * s2) / 8;
    }
    expect(eightGaussians.logProb(tensor([pt], { dtype: 'float64' })).item()).toBeCloseTo(Math.log(p), 10);
  });

  it('8gaussians: logProb has gradients (the score), zero at the origin by symmetry', () => {
    const score = grad((x: Tensor) => eightGaussians.logProb(x).sum());
    const g = score(tensor([[0, 0], [...EIGHT_GAUSSIANS_CENTERS[0]!]], { dtype: 'float64' })) as Tensor;
    expect(Math.abs(g.storage[0]!)).toBeLessThan(1e-12);
    expect(Math.abs(g.storage[2]!)).toBeLessThan(0.05); // near a centre the score is ~0
  });

  it('checkerboard: samples lie on the 8 squares (logProb −log 32), moments of U[-4,4]², integrates to 1', () => {
    const x = checkerboard.sample(N, new Generator(1));
    const lp = checkerboard.logProb(x).storage;
    expect(lp.every((v) => Math.abs(v + Math.log(32)) < 1e-6)).toBe(true);
    const m = moments(x);
    expect(Math.abs(m.mean[0])).toBeLessThan(0.1);
    expect(Math.abs(m.mean[1])).toBeLessThan(0.1);
    expect(m.r2).toBeCloseTo((2 * 16) / 3, 0); // E x² = 16/3 per coordinate of U[-4, 4]
    expect(integrate((t) => checkerboard.logProb(t), 5, 0.05)).toBeCloseTo(1, 10);
    expect(checkerboard.logProb(tensor([[1, 1], [3, 1], [4, 0]])).toArray()).toEqual([-Math.log(32), Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY].map(Math.fround));
  });

  it('logI0e matches mpmath log(I0(z)) − z to 1e−13 on both sides of the series/asymptotic switch', () => {
    const ref: [number, number][] = [
      [0, 0], [0.5, -0.438450280814518696], [1, -0.764085641492821351], [10, -2.0570279168813044455], [29.9, -2.6136146894449042594],
      [30, -2.6152985668280641500], [30.1, -2.6169767910488181882], [50, -2.8724244981281954158], [100, -3.2202673100574162833],
      [1000, -4.3726911101305353285],
    ];
    for (const [z, v] of ref) expect(Math.abs(logI0e(z) - v)).toBeLessThan(1e-13);
  });

  for (const [toy, radii, sigma] of [[rings, RINGS_RADII, RINGS_STD], [circles, CIRCLES_RADII, CIRCLES_STD]] as const) {
    it(`${toy.name}: moments, exact logProb integrates to 1 and matches a Monte-Carlo average over angles`, () => {
      const m = moments(toy.sample(N, new Generator(2)));
      const er2 = radii.reduce((s, r) => s + r * r, 0) / radii.length + 2 * sigma * sigma;
      expect(Math.abs(m.mean[0])).toBeLessThan(0.05);
      expect(Math.abs(m.mean[1])).toBeLessThan(0.05);
      expect(Math.abs(m.r2 / er2 - 1)).toBeLessThan(0.02);
      expect(integrate((x) => toy.logProb(x), 4, 0.01)).toBeCloseTo(1, 4);
      // Angle-quadrature of the defining integral at a point between two rings.
      const pt = [0.9, 1.1];
      let p = 0;
      const K = 20000;
      for (const r of radii) {
        for (let k = 0; k < K; k++) {
          const t = (2 * Math.PI * (k + 0.5)) / K;
          const d2 = (pt[0]! - r * Math.cos(t)) ** 2 + (pt[1]! - r * Math.sin(t)) ** 2;
          p += Math.exp(-d2 / (2 * sigma * sigma)) / (2 * Math.PI * sigma * sigma) / K / radii.length;
        }
      }
      expect(toy.logProb(tensor([pt], { dtype: 'float64' })).item()).toBeCloseTo(Math.log(p), 8);
    });
  }

  it('moons: mean (0, 0.3), E|x|² from the arc parametrisation', () => {
    // Outer: (2cos t − 1, 2sin t − 0.2), inner: (1 − 2cos t, 0.8 − 2sin t), t ~ U[0, π], noise 0.2.
    // E|outer|² = 4 − 4E cos t + 1 − 0.8E sin t + 0.04 = 5.04 − 1.6/π; E|inner|² = 5.64 − 6.4/π.
    const m = moments(moons.sample(N, new Generator(3)));
    expect(Math.abs(m.mean[0])).toBeLessThan(0.04);
    expect(Math.abs(m.mean[1] - 0.3)).toBeLessThan(0.03);
    const er2 = (5.04 - 1.6 / Math.PI + 5.64 - 6.4 / Math.PI) / 2 + 2 * 0.04;
    expect(Math.abs(m.r2 / er2 - 1)).toBeLessThan(0.02);
  });

  it('pinwheel: E|x|² = 4(E a² + E b²) = 4(1 + 0.09 + 0.01), mean ≈ 0 (5-fold symmetry)', () => {
    const m = moments(pinwheel.sample(N, new Generator(4)));
    expect(Math.abs(m.r2 / 4.4 - 1)).toBeLessThan(0.02);
    expect(Math.abs(m.mean[0])).toBeLessThan(0.05);
    expect(Math.abs(m.mean[1])).toBeLessThan(0.05);
  });

  it('swissroll: E|x|² = (E t² + 2)/25 with t ~ U[1.5π, 4.5π]', () => {
    const a = 1.5 * Math.PI;
    const b = 4.5 * Math.PI;
    const et2 = (b ** 3 - a ** 3) / (3 * (b - a));
    const m = moments(swissRoll.sample(N, new Generator(5)));
    expect(Math.abs(m.r2 / ((et2 + 2) / 25) - 1)).toBeLessThan(0.02);
  });

  it('errors', () => {
    expect(() => rings.sample(-1)).toThrow(/n must be a non-negative integer, found -1/);
    expect(() => rings.logProb(tensor([1, 2]))).toThrow(/x must be a float tensor of shape \[n, 2\], found float32 \[2\]/);
    expect(() => toy2d('spiral')).toThrow(/name must be one of 8gaussians, checkerboard/);
  });
});
