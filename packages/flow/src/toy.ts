// Ready-made flows for 2-D toy densities and the loop that fits them: what apps and examples call.
import { ArgumentError, Generator, type Tensor, linspace, noGrad, stack } from '@likelihood/core';
import { toy2d } from '@likelihood/datasets';
import { Adam, clipGradNorm_, warmupCosine } from '@likelihood/nn';
import type { Bijector } from './bijector.js';
import { AffineCoupling } from './coupling/affineCoupling.js';
import { alternatingMask } from './coupling/masks.js';
import { MAF } from './autoregressive/maskedAffine.js';
import { Flow, standardNormal } from './flow.js';
import { Reverse } from './permutation.js';
import { RQSCoupling } from './spline/splineCoupling.js';
import { meanAndStderr, toyLogProb } from './toyDensity.js';

export type ToyFlowKind = 'realnvp' | 'spline' | 'maf';

export interface ToyFlowOptions {
  /** Number of coupling / autoregressive layers (default: 8 RealNVP, 4 spline, 5 MAF). */
  layers?: number;
  /** Hidden sizes of each conditioner MLP (default [64, 64]). */
  hidden?: readonly number[];
  /** Spline bins and tail bound (default 8 and 4). */
  numBins?: number;
  tailBound?: number;
  generator?: Generator;
}

/** A flow on ℝ² with a standard normal base: 'realnvp' (affine couplings), 'spline' (RQ spline couplings) or 'maf'. */
export function toyFlow(kind: ToyFlowKind, opts: ToyFlowOptions = {}): Flow {
  const hidden = opts.hidden ?? [64, 64];
  const layers: Bijector[] = [];
  if (kind === 'realnvp') {
    for (let i = 0; i < (opts.layers ?? 8); i++) layers.push(new AffineCoupling(alternatingMask(2, (i % 2) as 0 | 1), { hidden, generator: opts.generator }));
  } else if (kind === 'spline') {
    for (let i = 0; i < (opts.layers ?? 4); i++) {
      layers.push(new RQSCoupling(alternatingMask(2, (i % 2) as 0 | 1), { hidden, numBins: opts.numBins ?? 8, tailBound: opts.tailBound ?? 4, identityInit: true, generator: opts.generator }));
    }
  } else if (kind === 'maf') {
    for (let i = 0; i < (opts.layers ?? 5); i++) {
      if (i > 0) layers.push(new Reverse(2));
      layers.push(new MAF(2, { hidden, generator: opts.generator }));
    }
  } else {
    throw new ArgumentError(`toyFlow: kind must be 'realnvp', 'spline' or 'maf', found '${String(kind)}'`);
  }
  return new Flow(standardNormal([2]), layers);
}

export interface TrainToyOptions extends ToyFlowOptions {
  kind?: ToyFlowKind;
  steps?: number;
  batchSize?: number;
  /** Peak learning rate of Adam (default 2e-3). */
  lr?: number;
  /** 'constant' (default) or 'cosine': linear warm-up for `warmupSteps`, then cosine decay to `minLr` at the last step. */
  schedule?: 'constant' | 'cosine';
  warmupSteps?: number;
  minLr?: number;
  /** Clip the global gradient norm to this value (default: no clipping). */
  gradClip?: number;
  /** Seeds the weights, the training batches and the test set (default 0). */
  seed?: number;
  testSize?: number;
  /** Called every `logEvery` steps with the mean training NLL (nats) of the last batch. */
  onLog?: (step: number, trainNll: number) => void;
  logEvery?: number;
  /** Called every `evalEvery` steps (and at the end) with the held-out NLL in nats. */
  onEval?: (step: number, testNll: number) => void;
  evalEvery?: number;
}

export interface TrainToyResult {
  flow: Flow;
  /** Mean NLL in nats of a held-out sample of `testSize` points. */
  testNll: number;
  /** Standard error of that mean. */
  testNllStderr: number;
  /** −mean log p_true on the same held-out points, where the true density is known (moons by quadrature). */
  trueEntropy: number | null;
  /** testNll − trueEntropy, a Monte-Carlo estimate of KL(p ‖ q), and its standard error (paired over the test points). */
  gap: number | null;
  gapStderr: number | null;
  testData: Tensor;
  losses: number[];
}

/**
 * Fits a toy flow by maximum likelihood (Adam, optionally a warm-up + cosine schedule and gradient
 * clipping) on fresh batches from a toy2d density ('moons', '8gaussians', 'checkerboard', …) and
 * reports the held-out NLL in nats beside the true density's value on the same points.
 */
export function trainToyFlow(density: string, opts: TrainToyOptions = {}): TrainToyResult {
  const toy = toy2d(density);
  const seed = opts.seed ?? 0;
  const gData = new Generator(seed);
  const gTest = new Generator(seed + 1_000_003);
  const gInit = opts.generator ?? new Generator(seed + 7);
  const flow = toyFlow(opts.kind ?? 'realnvp', { ...opts, generator: gInit });
  const opt = new Adam(flow.parameters(), { lr: opts.lr ?? 2e-3 });
  const steps = opts.steps ?? 500;
  const batch = opts.batchSize ?? 256;
  const schedule = opts.schedule === 'cosine' ? warmupCosine(opt, { warmupSteps: opts.warmupSteps ?? 0, totalSteps: steps, minLr: opts.minLr ?? 0 }) : null;
  const testData = toy.sample(opts.testSize ?? 2000, gTest);
  const testNlls = () => {
    flow.eval();
    const lp = noGrad(() => flow.logProb(testData)).storage;
    flow.train();
    return Float64Array.from(lp as ArrayLike<number>, (v) => -v);
  };
  const losses: number[] = [];
  flow.train();
  for (let s = 1; s <= steps; s++) {
    const x = toy.sample(batch, gData);
    const loss = flow.logProb(x).mean().neg();
    opt.zeroGrad();
    loss.backward();
    if (opts.gradClip) clipGradNorm_(flow.parameters(), opts.gradClip);
    opt.step();
    schedule?.step();
    const l = loss.item();
    losses.push(l);
    if (opts.onLog && s % (opts.logEvery ?? 100) === 0) opts.onLog(s, l);
    if (opts.onEval && opts.evalEvery && s % opts.evalEvery === 0 && s < steps) opts.onEval(s, meanAndStderr(testNlls()).mean);
  }
  const nll = testNlls();
  flow.eval();
  const { mean: testNll, stderr: testNllStderr } = meanAndStderr(nll);
  opts.onEval?.(steps, testNll);
  const logProb = toyLogProb(density);
  let trueEntropy: number | null = null;
  let gap: number | null = null;
  let gapStderr: number | null = null;
  if (logProb) {
    const lpTrue = noGrad(() => logProb(testData.to('float64'))).storage;
    trueEntropy = meanAndStderr(lpTrue, (v) => -v).mean;
    const g = meanAndStderr(Float64Array.from(nll, (v, i) => v + Number(lpTrue[i])));
    gap = g.mean;
    gapStderr = g.stderr;
  }
  return { flow, testNll, testNllStderr, trueEntropy, gap, gapStderr, testData, losses };
}

export interface DensityGridOptions {
  /** Square window [min, max]² (default [−4, 4]). */
  min?: number;
  max?: number;
  /** Points per side (default 100). */
  n?: number;
  context?: Tensor;
}

/**
 * log p on an n×n grid of cell centres over [min, max]², row-major with y varying slowest
 * (row i is y_i, column j is x_j), plus the cell area, for heatmaps and for checking that
 * Σ exp(logProb)·area ≈ 1.
 */
export function densityGrid(flow: Flow, opts: DensityGridOptions = {}): { logProb: Float64Array; xs: Float64Array; cellArea: number; n: number } {
  const lo = opts.min ?? -4;
  const hi = opts.max ?? 4;
  const n = opts.n ?? 100;
  const h = (hi - lo) / n;
  const axis = linspace(lo + h / 2, hi - h / 2, n);
  const gx = axis.unsqueeze(0).expand([n, n]).reshape([n * n]);
  const gy = axis.unsqueeze(1).expand([n, n]).reshape([n * n]);
  const pts = stack([gx, gy], 1); // [n², 2]
  const lp = noGrad(() => flow.logProb(pts));
  return { logProb: Float64Array.from(lp.storage as ArrayLike<number>), xs: Float64Array.from(axis.storage as ArrayLike<number>), cellArea: h * h, n };
}
