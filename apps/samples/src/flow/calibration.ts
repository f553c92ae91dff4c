import { highestDensityCoverage } from '@likelihood/calibration';
import { Generator, type Tensor, noGrad } from '@likelihood/core';
import type { Flow } from '@likelihood/flow';
import { coverageFigure } from '../report/coverage.js';
import type { CalibrationFigure } from '../report/types.js';

/**
 * Highest-density-region coverage of a 2-D flow: the exact log p of `samples` model samples sets
 * each level's threshold, and the exact log p of held-out points says how many fall inside.
 */
export function flowCoverage(flow: Flow, testData: Tensor, opts: { density: string; samples?: number; points?: number; seed?: number }): CalibrationFigure {
  const { samples = 2000, points = 2000, seed = 123 } = opts;
  const test = testData.narrow(0, 0, Math.min(points, testData.shape[0]!)); // [m, 2]
  const curve = noGrad(() => highestDensityCoverage(
    flow.logProb(flow.sample([samples], new Generator(seed))).to('float64'),
    flow.logProb(test).to('float64'),
  ));
  return coverageFigure(curve, {
    title: 'flow: highest-density coverage',
    xLabel: "Level α of the model's highest-density region",
    caption: `share of ${test.shape[0]} held-out ${opts.density} points inside the flow's α highest-density region {x : log p(x) ≥ τ_α}, τ_α the (1 − α)-quantile of exact log p over ${samples} flow samples`,
  });
}
