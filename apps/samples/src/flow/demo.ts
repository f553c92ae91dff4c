import { Generator } from '@likelihood/core';
import { toy2d } from '@likelihood/datasets';
import { toyFlow } from '@likelihood/flow';
import { Adam } from '@likelihood/nn';
import type { DemoOptions, FamilyReport } from '../report/types.js';
import { flowCoverage } from './calibration.js';
import { TOY_DEFAULTS, type ToyTrainOptions, trainToy } from './toy.js';

/** ms per training step of the demo's flow, timed after two warm-up steps. */
function msPerStep(o: ToyTrainOptions): number {
  const flow = toyFlow(o.model, { hidden: o.hidden, layers: o.layers, generator: new Generator(0) });
  const opt = new Adam(flow.parameters(), { lr: o.lr });
  const x = toy2d(o.density).sample(o.batchSize, new Generator(1));
  const step = () => {
    const loss = flow.logProb(x).mean().neg();
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
  step();
  step();
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) step();
  return (performance.now() - t0) / 3;
}

/**
 * The default run: a spline flow learns the 8-gaussians density for about `seconds` (the step
 * count is set from a timed probe, so the cosine schedule completes), then reports its exact
 * held-out NLL beside the true entropy, and draws the data, the learned density and samples.
 * `steps` overrides the probe (tests).
 */
export function flowDemo(opts: DemoOptions & { steps?: number; batchSize?: number; testSize?: number; entropySamples?: number; progress?: boolean }): FamilyReport {
  const base: ToyTrainOptions = {
    ...TOY_DEFAULTS,
    outDir: opts.outDir,
    batchSize: opts.batchSize ?? TOY_DEFAULTS.batchSize,
    // 5000 held-out points, evaluated 3 times: evaluation and pictures stay under ~10 % of the budget.
    testSize: opts.testSize ?? 5000,
    evals: 3,
    progress: opts.progress,
  };
  const ms = opts.steps === undefined ? msPerStep(base) : 0;
  // 15 % of the budget is left for evaluation, the entropy and the pictures.
  const steps = opts.steps ?? Math.max(50, Math.min(3000, Math.floor((0.85 * opts.seconds * 1000) / ms)));
  process.stderr.write(`\n== flow: a ${base.model} flow on ${base.density}${ms ? ` (${ms.toFixed(0)} ms/step → ${steps} steps for ~${opts.seconds} s)` : ''}\n`);
  const r = trainToy({ ...base, steps, entropySamples: opts.entropySamples });
  const { testNll, gap, gapStderr, testNllStderr } = r.result;
  const h = r.entropy!;
  console.log(
    `flow: ${steps} steps in ${r.seconds.toFixed(1)} s; held-out NLL ${testNll.toFixed(3)} ± ${testNllStderr.toFixed(3)} nats, ` +
      `true entropy ${h.entropy.toFixed(3)} ± ${h.stderr.toFixed(3)}, gap ${gap!.toFixed(3)} ± ${gapStderr!.toFixed(3)} nats`,
  );
  return {
    family: 'flow',
    title: `spline flow (4 rational-quadratic couplings, MLP 2×64) on ${base.density}, ${steps} steps of ${base.batchSize}`,
    likelihood: [
      {
        label: `held-out ${base.density}, ${base.testSize} points`,
        nats: testNll,
        bitsPerDim: testNll / (2 * Math.LN2),
        kind: 'exact',
        reference: `true entropy ${h.entropy.toFixed(3)} ± ${h.stderr.toFixed(3)} nats (Monte Carlo, ${h.samples} samples); gap ${gap!.toFixed(3)} ± ${gapStderr!.toFixed(3)}`,
      },
    ],
    lossCurve: r.curve,
    images: r.images,
    // 2000 samples and 2000 held-out points: two logProb passes, well under a second
    calibration: flowCoverage(r.result.flow, r.result.testData, { density: base.density }),
    seconds: r.seconds,
  };
}
