import { highestDensityCoverage } from '@likelihood/calibration';
import { type Generator, type Tensor, noGrad, rand, tensor } from '@likelihood/core';
import type { Grid2DResult } from '@likelihood/ebm';
import { coverageFigure } from '../report/coverage.js';
import type { CalibrationFigure } from '../report/types.js';

/**
 * `count` points from the normalised grid density: a cell drawn with probability p(centre)·area
 * (inverse CDF over the cells), then a uniform position inside it. Exact sampling of the
 * piecewise-constant density the grid NLL integrates, with no Markov chain to mix.
 */
export function sampleGrid(grid: Grid2DResult, count: number, generator: Generator): Tensor {
  const { xs, ys } = grid;
  const dx = xs[1]! - xs[0]!;
  const dy = ys[1]! - ys[0]!;
  const logp = grid.logDensity.storage as Float64Array; // [size·size], rows along y
  const cdf = new Float64Array(logp.length);
  let total = 0;
  for (let i = 0; i < logp.length; i++) cdf[i] = total += Math.exp(logp[i]!);
  const u = rand([count, 3], { generator, dtype: 'float64' }).storage as Float64Array;
  const out = new Float64Array(2 * count);
  for (let k = 0; k < count; k++) {
    const target = u[3 * k]! * total;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    const r = Math.floor(lo / xs.length);
    const c = lo % xs.length;
    out[2 * k] = xs[c]! + (u[3 * k + 1]! - 0.5) * dx;
    out[2 * k + 1] = ys[r]! + (u[3 * k + 2]! - 0.5) * dy;
  }
  return tensor(out, { dtype: 'float64' }).reshape([count, 2]);
}

/**
 * Highest-density coverage of a 2-D EBM with log Z from the grid: thresholds from log p = −E − log Z
 * of `samples` points drawn from the normalised grid, coverage of the held-out points' log p.
 */
export function deepEbmCoverage(energy: (x: Tensor) => Tensor, grid: Grid2DResult, test: Tensor, opts: { density: string; gridSize: number; generator: Generator; samples?: number }): CalibrationFigure {
  const { samples = 2000 } = opts;
  // the demo's energy is a float32 MLP
  const logp = (x: Tensor) => noGrad(() => energy(x.to('float32')).to('float64').neg().sub(grid.logZ));
  const curve = highestDensityCoverage(logp(sampleGrid(grid, samples, opts.generator)), logp(test));
  return coverageFigure(curve, {
    title: 'EBM: highest-density coverage',
    xLabel: "Level α of the model's highest-density region",
    caption:
      `share of ${test.shape[0]} held-out ${opts.density} points inside the EBM's α highest-density region, with log p = −E − log Z (log Z on the ${opts.gridSize}² grid); ` +
      `the thresholds come from ${samples} samples of the normalised grid density (a cell by its probability, then uniform in the cell), not from MALA`,
  });
}
