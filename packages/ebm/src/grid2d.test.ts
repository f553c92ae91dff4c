import { ArgumentError, Generator, type Tensor, randn, tensor } from '@likelihood/core';
import { eightGaussians } from '@likelihood/datasets';
import { describe, expect, it } from 'vitest';
import { exactNll2d, gridLogZ2d } from './grid2d.js';

describe('2-D partition functions on a grid', () => {
  it('log Z of a correlated Gaussian energy is ½ log det(2πΣ), and the grid density integrates to 1', () => {
    const prec = tensor([[2, 0.8], [0.8, 1]], { dtype: 'float64' });
    const energy = (x: Tensor) => x.sub(tensor([0.5, -0.3], { dtype: 'float64' })).matmul(prec).mul(x.sub(tensor([0.5, -0.3], { dtype: 'float64' }))).sum(1).mul(0.5);
    const r = gridLogZ2d(energy, { low: [-8, -8], high: [8, 8], size: 120 });
    const detPrec = 2 * 1 - 0.8 * 0.8;
    expect(r.logZ).toBeCloseTo(Math.log(2 * Math.PI) - 0.5 * Math.log(detPrec), 8);
    expect(r.logDensity.shape).toEqual([120, 120]);
    expect(r.logDensity.exp().sum().item() * (16 / 120) ** 2).toBeCloseTo(1, 10);
  });

  it('the exact NLL of data under the true 8-Gaussians log-density (as an energy) equals its mean −log p', () => {
    const data = eightGaussians.sample(500, new Generator(1)).to('float64');
    const energy = (x: Tensor) => eightGaussians.logProb!(x).neg();
    const { nll, logZ } = exactNll2d(energy, data, { low: [-5, -5], high: [5, 5], size: 160 });
    expect(logZ).toBeCloseTo(0, 4); // already normalised: only quadrature error remains
    expect(nll).toBeCloseTo(-eightGaussians.logProb!(data).mean().item(), 4);
  });

  it('checks its box and the energy output', () => {
    const e = (x: Tensor) => x.square().sum(1);
    expect(() => gridLogZ2d(e, { low: [1, 0], high: [0, 1] })).toThrow(ArgumentError);
    expect(() => gridLogZ2d((x) => x, { low: [0, 0], high: [1, 1], size: 4 })).toThrow(/one value per point, found shape \[16, 2\]/);
    expect(() => exactNll2d(e, randn([3, 3]), { low: [0, 0], high: [1, 1] })).toThrow(/data must be \[N, 2\], found \[3, 3\]/);
  });
});
