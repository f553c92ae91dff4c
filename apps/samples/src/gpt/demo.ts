import { join, resolve } from 'node:path';
import { ArgumentError, Generator } from '@likelihood/core';
import { findSharedData } from '@likelihood/datasets';
import { CharTokenizer, GPT, Trainer, generate, splitTokens } from '@likelihood/gpt';
import { nextTokenCalibration } from './calibration.js';
import type { DemoOptions, FamilyReport } from '../report/types.js';
import { loadCorpus } from './corpus.js';
import { TRAIN_DEFAULTS, trainGpt } from './train.js';

/** ms per training step of the demo's model, timed on random tokens after two warm-up steps. */
function msPerStep(cfg: typeof TRAIN_DEFAULTS, vocabSize: number): number {
  const g = new Generator(0);
  const model = new GPT({ nLayer: cfg.nLayer, nHead: cfg.nHead, nEmbd: cfg.nEmbd, blockSize: cfg.blockSize, vocabSize }, { generator: g });
  const data = Int32Array.from({ length: 4096 }, (_, i) => (i * 7919) % vocabSize);
  const t = new Trainer(model, { data: { train: data }, batchSize: cfg.batchSize, maxIters: 100, generator: g });
  t.step();
  t.step();
  const t0 = performance.now();
  for (let i = 0; i < 5; i++) t.step();
  return (performance.now() - t0) / 5;
}

/**
 * The default run: a small GPT learns English first names for about `seconds` (the iteration
 * count is set from a timed probe, so the cosine schedule completes), then prints names it
 * invents, marking the ones that are not in the training list.
 */
export function gptDemo(opts: DemoOptions & { samples: number }): FamilyReport {
  if (opts.full) return shakespeareRun(opts);
  const cfg = { ...TRAIN_DEFAULTS, out: join(opts.outDir, 'gpt-names.safetensors') };
  const ms = msPerStep(cfg, CharTokenizer.fromText(loadCorpus(undefined, cfg.seed).text).vocabSize);
  // Evaluation adds about 2·evalIters forward passes (≈ 2/3 step each) per evalInterval steps.
  const evalShare = 1 + (2 * cfg.evalIters * 0.66) / cfg.evalInterval;
  const maxIters = Math.max(100, Math.min(5000, Math.floor((opts.seconds * 1000) / (ms * evalShare))));
  process.stderr.write(`\n== gpt: a character-level GPT on English first names (${ms.toFixed(0)} ms/step → ${maxIters} steps for ~${opts.seconds} s)\n`);
  const report = trainGpt({ ...cfg, maxIters, evalInterval: Math.max(50, Math.floor(maxIters / 5)), checkpointInterval: maxIters });
  const { model, tokenizer, corpus } = report;
  const nl = tokenizer.encode('\n');
  const rows = generate(model, Array.from({ length: opts.samples }, () => nl), {
    maxNewTokens: 24,
    temperature: 0.8,
    generator: new Generator(42),
    stopSequences: [nl],
  });
  const names = rows.map((r) => tokenizer.decode(r));
  const novel = names.filter((n) => n.length > 0 && !corpus.words?.has(n));
  console.log(`\ngpt samples (temperature 0.8; * = not in the training list):`);
  console.log(names.map((n) => (corpus.words?.has(n) ? n : `${n}*`)).join(', '));
  console.log(
    `gpt: ${report.iters} steps in ${report.seconds.toFixed(1)} s; val ${report.val?.toFixed(4)} nats/token, ${report.bitsPerChar?.toFixed(3)} bits/char ` +
      `(uniform over ${tokenizer.vocabSize} symbols: ${Math.log2(tokenizer.vocabSize).toFixed(3)}); ${novel.length}/${names.length} samples are new names`,
  );
  const likelihood: FamilyReport['likelihood'] =
    report.val === undefined
      ? []
      : [
          {
            label: 'held-out names, per token (10 % split)',
            nats: report.val,
            bitsPerDim: report.bitsPerChar,
            kind: 'exact',
            reference: `uniform over ${tokenizer.vocabSize} symbols: ${Math.log(tokenizer.vocabSize).toFixed(3)} nats`,
          },
        ];
  return {
    family: 'gpt',
    title: `character-level GPT (${cfg.nLayer} layers, ${cfg.nEmbd} embd) on English first names`,
    likelihood,
    lossCurve: report.curve,
    images: [],
    text: names.map((n) => (corpus.words?.has(n) ? n : `${n}*`)),
    seconds: report.seconds,
    calibration: nextTokenCalibration(model, splitTokens(tokenizer.encode(corpus.text), 0.1).val, 'next-character probabilities on the held-out names'),
  };
}

/**
 * `--full`: issue 5's quality run, tiny Shakespeare (char-level, 90/10 split) at nanoGPT's CPU
 * config for 2000 iterations (about 25 minutes on 2 cores), then 500 sampled characters.
 */
function shakespeareRun(opts: DemoOptions): FamilyReport {
  const dir = findSharedData('tinyshakespeare');
  if (!dir) throw new ArgumentError('gpt --full: needs ../shared/data/tinyshakespeare/input.txt (tiny Shakespeare), which is absent');
  const cfg = {
    ...TRAIN_DEFAULTS,
    text: resolve(dir, 'input.txt'),
    out: join(opts.outDir, 'gpt-shakespeare.safetensors'),
    ...{ nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, batchSize: 12, maxIters: 2000, lr: 1e-3, minLr: 1e-4, warmupIters: 100, evalInterval: 250, evalIters: 20 },
  };
  process.stderr.write(`\n== gpt --full: tiny Shakespeare at nanoGPT's CPU config, ${cfg.maxIters} iterations\n`);
  const report = trainGpt({ ...cfg, checkpointInterval: 500 });
  const { model, tokenizer, corpus } = report;
  const nl = tokenizer.encode('\n');
  const text = tokenizer.decode(generate(model, nl, { maxNewTokens: 500, temperature: 0.8, generator: new Generator(42) })[0]!);
  console.log(`\ngpt samples (temperature 0.8):\n${text}`);
  return {
    family: 'gpt',
    title: `character-level GPT (4 layers, 4 heads, 128 embd, block 64) on tiny Shakespeare, ${report.iters} iterations`,
    likelihood:
      report.val === undefined
        ? []
        : [{ label: 'held-out Shakespeare, per character (10 % split)', nats: report.val, bitsPerDim: report.bitsPerChar, kind: 'exact', reference: "nanoGPT's figure for this config: 1.88 nats" }],
    lossCurve: report.curve,
    images: [],
    text: [text],
    seconds: report.seconds,
    calibration: nextTokenCalibration(model, splitTokens(tokenizer.encode(corpus.text), 0.1).val, 'next-character probabilities on held-out Shakespeare'),
  };
}
