/**
 * Memory of a long eager GPT training run (issue 5): nanoGPT's shakespeare_char CPU config
 * (4 layers, 4 heads, 128 embd, block 64, batch 12, AdamW lr 1e-3, warmup 100, cosine to 1e-4,
 * clip 1, evaluation every 250 steps) on tiny Shakespeare, the same loop as `gpt train`.
 * Samples RSS, heap and external memory every `--every` steps and prints one JSON line per
 * sample, then a summary: peak RSS (getrusage maxRSS) and the least-squares slope of RSS per
 * step after warm-up (the first `--warmup` steps are left out), in KiB per step.
 *
 *   nice -n 10 npx tsx --conditions=source apps/bench/src/gpt-memory.ts --iters 2000 --out apps/bench/results/gpt-memory.json
 *
 * `--resident-mb 256` turns on core's resident kernel outputs and runs `trainer.runAsync()`
 * (which yields between steps) instead of `run()`.
 *
 * Without ../shared/data/tinyshakespeare it trains on a random 65-symbol stream (same shapes).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Generator, residentStats, setResidentBytes } from '@likelihood/core';
import { findSharedData } from '@likelihood/datasets';
import { CharTokenizer, GPT, Trainer, splitTokens } from '@likelihood/gpt';
import { machineInfo } from './machine.js';

const MiB = 2 ** 20;
const arg = (name: string, dflt: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : dflt);
const iters = Number(arg('--iters', '2000'));
const every = Number(arg('--every', '100'));
const warmup = Number(arg('--warmup', '300'));
const out = arg('--out', '');
const residentMB = Number(arg('--resident-mb', '0'));
if (residentMB > 0) setResidentBytes(residentMB * MiB);


function corpus(): { ids: Int32Array; vocab: number; source: string } {
  const dir = findSharedData('tinyshakespeare');
  const file = dir ? `${dir}/input.txt` : '';
  if (file && existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const tok = CharTokenizer.fromText(text);
    return { ids: Int32Array.from(tok.encode(text)), vocab: tok.vocabSize, source: file };
  }
  const g = new Generator(7);
  return { ids: Int32Array.from({ length: 200_000 }, () => Math.floor(g.random() * 65)), vocab: 65, source: 'random 65-symbol stream (tinyshakespeare not found)' };
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}

const { ids, vocab, source } = corpus();
const data = splitTokens(ids, 0.1);
const g = new Generator(1337);
const model = new GPT({ nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: vocab, dropout: 0, bias: true }, { generator: g });
const samples: { step: number; rssMiB: number; heapMiB: number; externalMiB: number; loss: number; seconds: number; cpuSeconds: number }[] = [];
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const sample = (step: number, loss: number) => {
  const m = process.memoryUsage();
  const cpu = process.cpuUsage(cpu0);
  const s = {
    step,
    rssMiB: m.rss / MiB,
    heapMiB: m.heapUsed / MiB,
    externalMiB: (m.external + m.arrayBuffers) / MiB,
    loss,
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
  samples.push(s);
  process.stdout.write(`${JSON.stringify(s)}\n`);
};
const trainer = new Trainer(model, {
  data,
  batchSize: 12,
  blockSize: 64,
  maxIters: iters,
  lr: 1e-3,
  minLr: 1e-4,
  warmupIters: 100,
  gradClip: 1,
  evalInterval: 250,
  evalIters: 20,
  generator: g,
  onProgress: (e) => {
    if (e.iter % every === 0 || e.iter === iters) sample(e.iter, e.loss);
  },
});
process.stderr.write(`gpt-memory: ${iters} steps on ${source}, sampling every ${every}\n`);
sample(0, Number.NaN);
if (residentMB > 0) await trainer.runAsync();
else trainer.run();

const after = samples.filter((s) => s.step >= warmup);
const rssSlopeKiB = (slope(after.map((s) => s.step), after.map((s) => s.rssMiB)) * 1024) || 0;
const heapSlopeKiB = (slope(after.map((s) => s.step), after.map((s) => s.heapMiB)) * 1024) || 0;
const summary = {
  source,
  iters,
  every,
  warmup,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  rssAtWarmupMiB: after[0]?.rssMiB,
  rssAtEndMiB: samples.at(-1)!.rssMiB,
  rssSlopeKiBPerStep: rssSlopeKiB,
  heapSlopeKiBPerStep: heapSlopeKiB,
  seconds: samples.at(-1)!.seconds,
  cpuSeconds: samples.at(-1)!.cpuSeconds,
  resident: residentStats(),
  machine: machineInfo(),
};
process.stdout.write(`${JSON.stringify({ summary })}\n`);
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ summary, samples }, null, 2)}\n`);
}
