import { Generator } from '@likelihood/core';
import { EnergyMLP, GaussianKDENoise, NCETrainer } from '@likelihood/ebm';
import { toy2d } from '@likelihood/datasets';
import { Adam } from '@likelihood/nn';
import type { DemoOptions, FamilyReport, LikelihoodFigure } from '../report/types.js';
import { DEEP2D_DEFAULTS, trainDeep2d } from './deep2d.js';
import { RBM_DEFAULTS, trainRbmMnist } from './rbm.js';
import { loadBinarizedMnist } from './mnist.js';

/** ms per NCE step of the demo's 2-D model, after two warm-up steps. */
function msPerNceStep(): number {
  const g = new Generator(0);
  const toy = toy2d(DEEP2D_DEFAULTS.density);
  const model = new EnergyMLP(2, [DEEP2D_DEFAULTS.width, DEEP2D_DEFAULTS.width], { generator: g, dtype: 'float32' });
  const t = new NCETrainer((x) => model.forward(x), new Adam(model.parameters()), new GaussianKDENoise(toy.sample(DEEP2D_DEFAULTS.centers, g), DEEP2D_DEFAULTS.bandwidth, { uniform: { low: [-4.5, -4.5], high: [4.5, 4.5], weight: DEEP2D_DEFAULTS.uniformWeight } }), { numNoise: DEEP2D_DEFAULTS.numNoise, generator: g });
  t.step(toy.sample(DEEP2D_DEFAULTS.batchSize, g));
  t.step(toy.sample(DEEP2D_DEFAULTS.batchSize, g));
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) t.step(toy.sample(DEEP2D_DEFAULTS.batchSize, g));
  return (performance.now() - t0) / 5;
}

/**
 * The default run: a deep EBM on 8 Gaussians trained by NCE for about 60 % of `seconds` (the step
 * count is set from a timed probe so the cosine schedule completes), scored by its exact NLL on a
 * grid; then, if MNIST is there, a small RBM (100 hidden units, PCD-1) for the rest, scored by AIS.
 */
export function ebmDemo(opts: DemoOptions & { progress?: boolean }): FamilyReport {
  const t0 = Date.now();
  const progress = opts.progress ?? true;
  const mnistThere = loadBinarizedMnist(1, 1) !== null;
  const deepShare = mnistThere ? 0.6 : 0.9;
  const ms = msPerNceStep();
  // Ten grid evaluations cost about as much as 2 % of the steps; keep 10 % slack for samples and PNGs.
  const steps = Math.max(20, Math.min(4000, Math.floor((opts.seconds * deepShare * 0.85 * 1000) / ms)));
  process.stderr.write(`\n== ebm: an MLP energy on 8 Gaussians by NCE (${ms.toFixed(0)} ms/step → ${steps} steps)${mnistThere ? ', then a 784-100 RBM on binarised MNIST' : ''}\n`);
  const short = opts.seconds < 30; // a plumbing run: fewer sampling steps
  const deep = trainDeep2d({ ...DEEP2D_DEFAULTS, steps, sampleSteps: short ? 20 : 300, outDir: opts.outDir, progress, maxSeconds: opts.seconds * deepShare });
  const likelihood: LikelihoodFigure[] = [
    {
      label: `8 Gaussians, 2,000 held-out points: NLL with log Z by a ${DEEP2D_DEFAULTS.gridSize}² grid (NCE, ${deep.stepsDone} steps)`,
      nats: deep.nll,
      bitsPerDim: deep.nll / 2 / Math.LN2,
      kind: 'exact',
      reference: `true density: ${deep.trueNll.toFixed(3)} nats`,
    },
  ];
  const images = [...deep.images];
  if (mnistThere) {
    const left = Math.max(5, opts.seconds - (Date.now() - t0) / 1000);
    const rbm = trainRbmMnist({
      ...RBM_DEFAULTS, hidden: 100, epochs: 5, trainLimit: short ? 1000 : 10000, testLimit: short ? 200 : 2000,
      gibbsSteps: short ? 10 : 200, aisRuns: short ? 8 : 32, aisScale: short ? 0.002 : 0.02,
      outDir: opts.outDir, progress, maxSeconds: left * 0.6,
    });
    if (rbm.ais) {
      likelihood.push({
        label: `binarised MNIST, first ${rbm.data.test.shape[0]} test images: RBM 784-100 (PCD-1, ${rbm.curve.length} updates), log Z by AIS (${rbm.ais.runs} runs, ${rbm.ais.temperatures} temperatures)`,
        nats: -rbm.ais.testLL,
        bitsPerDim: -rbm.ais.testLL / 784 / Math.LN2,
        kind: 'estimate',
        stderr: rbm.ais.logZStdErr,
        reference: 'Salakhutdinov & Murray 2008, 500 hidden units, CD-25: 86.34 nats',
      });
    }
    images.push(...rbm.images);
  }
  return {
    family: 'ebm',
    title: `energy-based models: an MLP energy on 8 Gaussians (NCE, exact NLL by grid)${mnistThere ? ' and an RBM on binarised MNIST (AIS)' : ''}`,
    likelihood,
    lossCurve: deep.curve,
    images,
    calibration: deep.calibration,
    seconds: (Date.now() - t0) / 1000,
  };
}
