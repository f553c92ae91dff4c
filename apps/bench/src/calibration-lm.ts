// Token-level calibration of a language model: a small character-level GPT trained on tiny
// Shakespeare, its next-character probabilities on held-out text, before and after calibration.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Generator, type Tensor, cat, noGrad, tensor } from '@likelihood/core';
import { type CalibrationReport, TemperatureScaling, VectorScaling, calibrationReport, reliabilityDiagram } from '@likelihood/calibration';
import { saveReliabilityDiagram } from '@likelihood/calibration/node';
import { findSharedData } from '@likelihood/datasets';
import { CharTokenizer, GPT, getBatch, splitTokens } from '@likelihood/gpt';
import { AdamW } from '@likelihood/nn';

export interface LanguageModelCalibration {
  config: Record<string, number>;
  steps: number;
  tokensFit: number;
  tokensTest: number;
  rows: Array<{ method: string; report: CalibrationReport; note?: string }>;
}

/** Logits [M, V] and targets [M] for every position of consecutive non-overlapping windows of `ids`. */
function heldOutLogits(model: GPT, ids: Int32Array, blockSize: number, windows: number): { logits: Tensor; targets: Tensor } {
  const xs: Tensor[] = [];
  const ys: Tensor[] = [];
  for (let w = 0; w < windows; w++) {
    const start = w * blockSize;
    if (start + blockSize + 1 > ids.length) break;
    const x = tensor(ids.subarray(start, start + blockSize), { dtype: 'int32' }).reshape([1, blockSize]);
    const y = tensor(ids.subarray(start + 1, start + blockSize + 1), { dtype: 'int32' });
    xs.push(noGrad(() => model.forward(x).logits).reshape([blockSize, -1])); // (T, V)
    ys.push(y);
  }
  return { logits: cat(xs, 0).to('float64'), targets: cat(ys, 0) };
}

export async function runLanguageModelCalibration(opts: { quick?: boolean; docsImg: string }): Promise<LanguageModelCalibration | null> {
  const path = findSharedData('tinyshakespeare');
  if (!path) {
    process.stderr.write('skipping the language-model report: ../shared/data/tinyshakespeare is absent\n');
    return null;
  }
  const text = readFileSync(resolve(path, 'input.txt'), 'utf8');
  const tok = CharTokenizer.fromText(text);
  const { train, val } = splitTokens(tok.encode(text), 0.1);
  const config = { nLayer: 2, nHead: 4, nEmbd: 64, blockSize: 64, vocabSize: tok.vocabSize, dropout: 0 };
  const g = new Generator(0);
  const model = new GPT({ ...config, bias: true }, { generator: g });
  const opt = new AdamW(model.parameters(), { lr: 2e-3, weightDecay: 0.01 });
  const steps = opts.quick ? 20 : 400;
  process.stderr.write(`training a character-level GPT (${config.nLayer} layers, ${config.nEmbd} wide) for ${steps} steps\n`);
  for (let step = 1; step <= steps; step++) {
    const { x, y } = getBatch(train, 16, config.blockSize, g);
    const { loss } = model.forward(x, { targets: y });
    opt.zeroGrad();
    loss!.backward();
    opt.step();
    if (step % 100 === 0 || step === steps) process.stderr.write(`    step ${step}: train loss ${loss!.item().toFixed(4)}\n`);
  }
  model.eval();
  // First half of the held-out text fits the calibrators, the second half is reported.
  const half = Math.floor(val.length / 2);
  const windows = opts.quick ? 10 : 60;
  const fit = heldOutLogits(model, val.subarray(0, half), config.blockSize, windows);
  const test = heldOutLogits(model, val.subarray(half), config.blockSize, windows);
  const rows: LanguageModelCalibration['rows'] = [];
  const add = (method: string, probs: Tensor, note?: string) => {
    const report = calibrationReport(probs, test.targets);
    rows.push({ method, report, note });
    process.stderr.write(`  LM ${method.padEnd(22)} ECE ${(100 * report.ece).toFixed(2)}%  NLL ${report.nll.toFixed(4)}  acc ${(100 * report.accuracy).toFixed(2)}%\n`);
  };
  const probs = test.logits.softmax(1);
  add('none', probs);
  const ts = new TemperatureScaling().fit(fit.logits, fit.targets);
  const tsProbs = ts.transform(test.logits);
  add('temperature scaling', tsProbs, `T = ${ts.temperature!.toFixed(3)}`);
  add('vector scaling', new VectorScaling().fit(fit.logits, fit.targets, { l2: 1 }).transform(test.logits));
  saveReliabilityDiagram(resolve(opts.docsImg, 'calibration-gpt-before.png'), reliabilityDiagram(probs, test.targets, { title: 'Char GPT, next token' }));
  saveReliabilityDiagram(resolve(opts.docsImg, 'calibration-gpt-before.svg'), reliabilityDiagram(probs, test.targets, { title: 'Char GPT, next token' }));
  const afterD = reliabilityDiagram(tsProbs, test.targets, { title: `Char GPT, T = ${ts.temperature!.toFixed(2)}` });
  saveReliabilityDiagram(resolve(opts.docsImg, 'calibration-gpt-temperature.png'), afterD);
  saveReliabilityDiagram(resolve(opts.docsImg, 'calibration-gpt-temperature.svg'), afterD);

  console.log(`\nlanguage model — char GPT ${JSON.stringify(config)}, ${steps} AdamW steps of 16×64 tokens on tiny Shakespeare; calibrators fitted on ${fit.targets.shape[0]} held-out tokens, reported on ${test.targets.shape[0]} others`);
  console.log('| method | next-char accuracy | NLL (nats/char) | ECE (15 bins) | ECE equal-mass | classwise ECE | Brier | note |');
  console.log('|---|---|---|---|---|---|---|---|');
  const pct = (v: number) => `${(100 * v).toFixed(2)}%`;
  for (const r of rows) {
    const m = r.report;
    console.log(`| ${r.method} | ${pct(m.accuracy)} | ${m.nll.toFixed(4)} | ${pct(m.ece)} | ${pct(m.eceEqualMass)} | ${pct(m.classwiseEce)} | ${m.brier.toFixed(4)} | ${r.note ?? ''} |`);
  }
  return { config, steps, tokensFit: fit.targets.shape[0]!, tokensTest: test.targets.shape[0]!, rows };
}
