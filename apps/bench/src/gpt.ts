/**
 * Suite `gpt`: a training step and generation at nanoGPT's shakespeare_char CPU config
 * (4 layers, 4 heads, 128 embd, block 64, batch 12, vocab 65), ours (eager, @likelihood/gpt)
 * and PyTorch's (reference/gpt_ref.py, the same model, at 1 and 2 threads) in one run. PyTorch is skipped, and
 * reported as skipped, when `python3 -c 'import torch'` fails. Ours runs twice: as a user gets it
 * by default, then with core's resident kernel outputs (a 256 MiB region; the loop awaits
 * releaseResidentOutputs() after each step, as Trainer.runAsync does, and that wait is timed:
 * it may run the garbage collector).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Generator, residentStats, setResidentBytes } from '@likelihood/core';
import { GPT, Trainer, generate } from '@likelihood/gpt';
import { machineInfo } from './machine.js';
import { type PeerRow, printPeerTable } from './peerTable.js';
import { timeMedian, timeMedianYielding } from './timing.js';

export const GPT_BENCH_CONFIG = { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: 65, dropout: 0, bias: true, batchSize: 12 };

interface TorchResult {
  torch: string;
  threads: number;
  train_ms_per_iter: number;
  train_cpu_ms_per_iter: number;
  train_tokens_per_s: number;
  gen_cached_tokens_per_s: number;
  gen_uncached_tokens_per_s: number;
}

const mb = (b: number) => b / 2 ** 20;

function ours(quick: boolean): Record<string, number> {
  const { batchSize, ...cfg } = GPT_BENCH_CONFIG;
  const g = new Generator(0);
  const model = new GPT(cfg, { generator: g });
  const data = Int32Array.from({ length: 20000 }, () => Math.floor(g.random() * cfg.vocabSize));
  const trainer = new Trainer(model, { data: { train: data }, batchSize, maxIters: 100_000, lr: 1e-3, generator: g });
  for (let i = 0; i < 3; i++) trainer.step();
  const rss0 = process.memoryUsage().rss;
  const steps0 = trainer.iter;
  const cpu0 = process.cpuUsage();
  const trainMs = timeMedian(() => void trainer.step(), { warmup: 0, minReps: quick ? 5 : 20, budgetMs: quick ? 3000 : 15000 });
  const cpu = process.cpuUsage(cpu0);
  const rss1 = process.memoryUsage().rss;
  const timedSteps = trainer.iter - steps0;
  // CPU time (all threads) per step: on a shared, oversubscribed machine wall time mostly measures the queue.
  const trainCpuMs = (cpu.user + cpu.system) / 1000 / timedSteps;
  const nNew = cfg.blockSize - 1;
  const gen = (useCache: boolean) => () => void generate(model, [0], { maxNewTokens: nNew, useCache, generator: new Generator(1) });
  const cachedMs = timeMedian(gen(true), { warmup: 1, minReps: 3, budgetMs: quick ? 1500 : 5000 });
  const uncachedMs = timeMedian(gen(false), { warmup: 1, minReps: 3, budgetMs: quick ? 1500 : 5000 });
  process.stderr.write(`  likelihood   train step ${trainMs.toFixed(1)} ms; generation ${cachedMs.toFixed(0)} ms cached, ${uncachedMs.toFixed(0)} ms uncached\n`);
  return {
    trainMs,
    trainCpuMs,
    trainTps: (batchSize * cfg.blockSize * 1000) / trainMs,
    genCached: (nNew * 1000) / cachedMs,
    genUncached: (nNew * 1000) / uncachedMs,
    rssAfterWarmup: mb(rss0),
    rssGrowth: mb(rss1 - rss0),
    timedSteps,
  };
}

function pytorch(quick: boolean, threads: number): TorchResult | string {
  const probe = spawnSync('python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'skipped (python3 -c "import torch" failed)';
  const script = resolve(import.meta.dirname, '../reference/gpt_ref.py');
  const r = spawnSync('python3', [script, '--threads', String(threads), ...(quick ? ['--quick'] : [])], { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.status !== 0) return `failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`;
  const line = r.stdout.trim().split('\n').at(-1)!;
  return JSON.parse(line) as TorchResult;
}

/** Training step time with resident kernel outputs: the step and the releaseResidentOutputs() awaited after it (timeMedianYielding). */
async function oursResident(quick: boolean): Promise<{ trainMs: number; rss: number; fallbacks: number }> {
  setResidentBytes(RESIDENT_MB * 2 ** 20);
  const { batchSize, ...cfg } = GPT_BENCH_CONFIG;
  const g = new Generator(0);
  const model = new GPT(cfg, { generator: g });
  const data = Int32Array.from({ length: 20000 }, () => Math.floor(g.random() * cfg.vocabSize));
  const trainer = new Trainer(model, { data: { train: data }, batchSize, maxIters: 100_000, lr: 1e-3, generator: g });
  const trainMs = await timeMedianYielding(() => void trainer.step(), { warmup: 3, minReps: quick ? 5 : 20, budgetMs: quick ? 3000 : 15000 });
  const { fallbacks } = residentStats();
  process.stderr.write(`  likelihood   train step with resident outputs ${trainMs.toFixed(1)} ms (${fallbacks} outputs fell back to fresh arrays)\n`);
  return { trainMs, rss: mb(process.memoryUsage().rss), fallbacks };
}

const RESIDENT_MB = 256;

export async function runGptSuite(opts: { quick: boolean; json: string }): Promise<void> {
  const { json } = opts;
  const machine = machineInfo();
  process.stderr.write(`suite gpt: ${JSON.stringify(GPT_BENCH_CONFIG)}\n`);
  const o = ours(opts.quick);
  const r = await oursResident(opts.quick);
  // PyTorch with 1 and 2 threads: on a busy machine OpenMP's spin-waiting makes 2 threads slower, not faster.
  const torch: Record<string, TorchResult | string> = {};
  for (const threads of [1, 2]) {
    const t = pytorch(opts.quick, threads);
    torch[`pytorch-${threads}t`] = t;
    if (typeof t === 'string') process.stderr.write(`  pytorch      ${t}\n`);
    else process.stderr.write(`  pytorch-${threads}t   train step ${t.train_ms_per_iter.toFixed(1)} ms (torch ${t.torch})\n`);
  }
  const pt = (k: keyof TorchResult) => Object.fromEntries(Object.entries(torch).map(([n, t]) => [n, typeof t === 'string' ? t : (t[k] as number)]));
  const rows: PeerRow[] = [
    { case: 'train step (fwd+bwd+clip+AdamW), B=12 T=64', unit: 'ms/iter', results: { likelihood: o.trainMs!, ...pt('train_ms_per_iter') } },
    { case: `train step, resident outputs (${RESIDENT_MB} MiB region)`, unit: 'ms/iter', results: { likelihood: r.trainMs, ...pt('train_ms_per_iter') } },
    { case: 'train step CPU time (all threads)', unit: 'ms/iter', results: { likelihood: o.trainCpuMs!, ...pt('train_cpu_ms_per_iter') } },
    { case: 'train step throughput', unit: 'tokens/s', results: { likelihood: o.trainTps!, ...pt('train_tokens_per_s') } },
    { case: 'generate 63 tokens, KV cache, batch 1', unit: 'tokens/s', results: { likelihood: o.genCached!, ...pt('gen_cached_tokens_per_s') } },
    { case: 'generate 63 tokens, no cache, batch 1', unit: 'tokens/s', results: { likelihood: o.genUncached!, ...pt('gen_uncached_tokens_per_s') } },
    { case: 'RSS after warm-up', unit: 'MiB', results: { likelihood: o.rssAfterWarmup! } },
    { case: `RSS growth over ${o.timedSteps} timed steps`, unit: 'MiB', results: { likelihood: o.rssGrowth! } },
    { case: 'RSS after the resident-output steps', unit: 'MiB', results: { likelihood: r.rss } },
  ];
  console.log(`\nsuite gpt — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  // Time ratio: ms rows divide directly, throughput rows invert.
  printPeerTable(rows, Object.keys(torch), { ratioLabel: ' (time)', higherIsBetter: (unit) => unit !== 'ms/iter' });
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, `${JSON.stringify({ suite: 'gpt', machine, config: GPT_BENCH_CONFIG, pytorch: torch, rows }, null, 2)}\n`);
  console.log(`\nwrote ${json}`);
}
