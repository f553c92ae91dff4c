/**
 * Calibration evidence: an MLP trained on MNIST until it is over-confident, its test ECE, NLL and
 * accuracy before and after each calibration method, and reliability diagrams for docs/.
 *
 *   npx -y pnpm@10.34.8 --filter @likelihood/bench bench -- --suite calibration [--quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Generator, type Tensor, noGrad, randperm } from '@likelihood/core';
import {
  type CalibrationReport, HistogramBinning, IsotonicCalibration, MatrixScaling, TemperatureScaling, VectorScaling,
  averagePredictive, calibrationReport, mcDropoutPredict, reliabilityDiagram,
} from '@likelihood/calibration';
import { saveReliabilityDiagram } from '@likelihood/calibration/node';
import { findSharedData, loadMnist } from '@likelihood/datasets';
import { crossEntropy } from '@likelihood/losses';
import { Adam, MLP } from '@likelihood/nn';
import { runLanguageModelCalibration } from './calibration-lm.js';

export interface CalibrationSuiteOptions {
  quick?: boolean;
  json: string;
  docsImg: string;
}

interface TrainOptions {
  seed: number;
  epochs: number;
  dropout?: number;
  labelSmoothing?: number;
}

/** Flattened, standardised images [N, 784] and labels [N]. */
function prepare(images: Tensor, labels: Tensor): { x: Tensor; y: Tensor } {
  const n = images.shape[0]!;
  return { x: images.reshape([n, 784]).sub(0.1307).div(0.3081), y: labels };
}

/** Adam on minibatches of 128 for `epochs` epochs: long enough on 3k images for the training NLL to go to ~0. */
function train(x: Tensor, y: Tensor, opts: TrainOptions): MLP {
  const g = new Generator(opts.seed);
  const model = new MLP(784, [256], 10, { dropout: opts.dropout ?? 0, generator: g });
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  const n = x.shape[0]!;
  const B = 128;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    const perm = randperm(n, { generator: g });
    let total = 0;
    for (let s = 0; s < n; s += B) {
      const idx = perm.narrow(0, s, Math.min(B, n - s));
      const logits = model.forward(x.indexSelect(0, idx));
      const loss = crossEntropy(logits, y.indexSelect(0, idx), { labelSmoothing: opts.labelSmoothing ?? 0 });
      opt.zeroGrad();
      loss.backward();
      opt.step();
      total += loss.item() * idx.shape[0]!;
    }
    process.stderr.write(`    seed ${opts.seed} epoch ${epoch + 1}/${opts.epochs}: train loss ${(total / n).toFixed(4)}\n`);
  }
  return model.eval();
}

const logitsOf = (model: MLP, x: Tensor) => noGrad(() => model.forward(x)).to('float64');

export async function runCalibrationSuite(opts: CalibrationSuiteOptions): Promise<void> {
  const dir = findSharedData('mnist') ?? undefined;
  const trainRaw = loadMnist({ split: 'train', dir, limit: 8000 });
  const testRaw = loadMnist({ split: 'test', dir, limit: opts.quick ? 2000 : 10000 });
  const trainSet = prepare(trainRaw.images, trainRaw.labels);
  const testSet = prepare(testRaw.images, testRaw.labels);
  // 3k images to train on (small, so the MLP over-fits), 5k held out to fit the calibrators, the 10k test images to report on.
  const fitX = trainSet.x.narrow(0, 0, 3000);
  const fitY = trainSet.y.narrow(0, 0, 3000);
  const valX = trainSet.x.narrow(0, 3000, 5000);
  const valY = trainSet.y.narrow(0, 3000, 5000);
  const epochs = opts.quick ? 3 : 30;
  const members = opts.quick ? 2 : 3;

  process.stderr.write('training the baseline MLP (784-256-10, no regularisation)\n');
  const base = train(fitX, fitY, { seed: 1, epochs });
  const valLogits = logitsOf(base, valX);
  const testLogits = logitsOf(base, testSet.x);
  const testProbs = testLogits.softmax(1);

  const rows: Array<{ method: string; fittedOn: string; report: CalibrationReport; note?: string }> = [];
  const add = (method: string, probs: Tensor, fittedOn: string, note?: string) => {
    const report = calibrationReport(probs, testSet.y);
    rows.push({ method, fittedOn, report, note });
    process.stderr.write(`  ${method.padEnd(34)} ECE ${(100 * report.ece).toFixed(2)}%  NLL ${report.nll.toFixed(4)}  acc ${(100 * report.accuracy).toFixed(2)}%\n`);
  };
  add('none (over-confident MLP)', testProbs, '–');
  const ts = new TemperatureScaling().fit(valLogits, valY);
  const tsProbs = ts.transform(testLogits);
  add('temperature scaling', tsProbs, 'held-out 5k', `T = ${ts.temperature!.toFixed(3)}`);
  add('vector scaling', new VectorScaling().fit(valLogits, valY).transform(testLogits), 'held-out 5k');
  add('matrix scaling', new MatrixScaling().fit(valLogits, valY).transform(testLogits), 'held-out 5k');
  add('matrix scaling, off-diagonal L2 = 10', new MatrixScaling().fit(valLogits, valY, { l2: 10 }).transform(testLogits), 'held-out 5k');
  const valProbs = valLogits.softmax(1);
  add('isotonic regression (one-vs-rest)', new IsotonicCalibration().fit(valProbs, valY).transform(testProbs), 'held-out 5k');
  add('histogram binning (15 bins, one-vs-rest)', new HistogramBinning({ nBins: 15 }).fit(valProbs, valY).transform(testProbs), 'held-out 5k');

  process.stderr.write('training with label smoothing 0.1\n');
  const smooth = train(fitX, fitY, { seed: 1, epochs, labelSmoothing: 0.1 });
  add('label smoothing ε = 0.1 (training)', logitsOf(smooth, testSet.x).softmax(1), '–');

  process.stderr.write(`training ${members - 1} more ensemble members\n`);
  const ensemble = [base, ...Array.from({ length: members - 1 }, (_, i) => train(fitX, fitY, { seed: 2 + i, epochs }))];
  add(`deep ensemble (${members} members)`, averagePredictive(ensemble.map((m) => logitsOf(m, testSet.x))).probs, '–');
  const ensVal = averagePredictive(ensemble.map((m) => logitsOf(m, valX))).logProbs;
  const ensTs = new TemperatureScaling().fit(ensVal, valY);
  add(`deep ensemble + temperature`, ensTs.transform(averagePredictive(ensemble.map((m) => logitsOf(m, testSet.x))).logProbs), 'held-out 5k', `T = ${ensTs.temperature!.toFixed(3)}`);

  process.stderr.write('training with dropout 0.3 for MC dropout\n');
  const drop = train(fitX, fitY, { seed: 1, epochs, dropout: 0.3 });
  add('dropout 0.3, deterministic (eval mode)', logitsOf(drop, testSet.x).softmax(1), '–');
  add('MC dropout (20 passes)', mcDropoutPredict(drop, testSet.x, { samples: 20 }).probs.to('float64'), '–');

  mkdirSync(opts.docsImg, { recursive: true });
  const before = reliabilityDiagram(testProbs, testSet.y, { title: 'MNIST MLP, uncalibrated' });
  const after = reliabilityDiagram(tsProbs, testSet.y, { title: `Temperature scaled (T = ${ts.temperature!.toFixed(2)})` });
  for (const ext of ['png', 'svg']) {
    saveReliabilityDiagram(resolve(opts.docsImg, `calibration-mnist-before.${ext}`), before);
    saveReliabilityDiagram(resolve(opts.docsImg, `calibration-mnist-temperature.${ext}`), after);
  }

  const lm = await runLanguageModelCalibration({ quick: opts.quick, docsImg: opts.docsImg });

  console.log(`\nsuite calibration — MNIST MLP 784-256-10, ${epochs} epochs of Adam on 3k images; calibrators fitted on 5k held-out images; ${testSet.y.shape[0]} test images, 15 bins`);
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  console.log('| method | accuracy | NLL | ECE (15 bins) | ECE equal-mass | classwise ECE | Brier | note |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const m = r.report;
    console.log(`| ${r.method} | ${pct(m.accuracy)} | ${m.nll.toFixed(4)} | ${pct(m.ece)} | ${pct(m.eceEqualMass)} | ${pct(m.classwiseEce)} | ${m.brier.toFixed(4)} | ${r.note ?? ''} |`);
  }
  mkdirSync(dirname(opts.json), { recursive: true });
  writeFileSync(opts.json, `${JSON.stringify({ suite: 'calibration', quick: !!opts.quick, epochs, members, mnist: rows, temperature: ts.temperature, diagrams: { before, after }, languageModel: lm }, null, 2)}\n`);
  console.log(`\nwrote ${opts.json}`);
}
