/**
 * Suite `flow` (issue 10), two parts in one run:
 *
 * - speed: a RealNVP training step on 2-D data (8 affine couplings, conditioner MLP 2×64, batch
 *   512, Adam), ours (@likelihood/flow's toyFlow('realnvp')) and PyTorch's (reference/flow_ref.py,
 *   the same model) at 1 and 2 threads. PyTorch is reported as skipped when `import torch` fails.
 * - quality: held-out NLL of a RealNVP and a spline flow on moons, 8 gaussians and checkerboard
 *   against the true density's entropy (exact log p; moons by quadrature), target gap ≤ 0.05 nats.
 *   `--quick` trains a tenth of the steps (a smoke run, not the target); FLOW_PARTS=speed times the
 *   step only.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Generator } from '@likelihood/core';
import { toy2d } from '@likelihood/datasets';
import { type ToyFlowKind, type TrainToyOptions, toyEntropy, toyFlow, trainToyFlow } from '@likelihood/flow';
import { Adam } from '@likelihood/nn';
import { machineInfo } from './machine.js';
import { timeMedian } from './timing.js';

export const FLOW_BENCH_CONFIG = { layers: 8, hidden: [64, 64], batchSize: 512, lr: 1e-3 };

interface TorchResult {
  torch: string;
  threads: number;
  train_ms_per_iter: number;
  train_cpu_ms_per_iter: number;
}

/** The training recipe of each quality row: what a practitioner would run to close the gap. */
const realnvp: TrainToyOptions = { layers: 8, hidden: [64, 64], batchSize: 256, lr: 3e-3, schedule: 'cosine', warmupSteps: 50 };
const spline: TrainToyOptions = { layers: 4, hidden: [64, 64], numBins: 8, tailBound: 4, batchSize: 256, lr: 3e-3, schedule: 'cosine', warmupSteps: 50 };
export const FLOW_QUALITY_RUNS: Array<{ density: string; kind: ToyFlowKind; opts: TrainToyOptions }> = [
  { density: '8gaussians', kind: 'realnvp', opts: { ...realnvp, layers: 12, steps: 6000 } }, // gap 0.041 (3000 steps: 0.057)
  { density: '8gaussians', kind: 'spline', opts: { ...spline, steps: 2000 } },
  { density: 'checkerboard', kind: 'spline', opts: { ...spline, layers: 6, numBins: 12, steps: 3000 } },
  { density: 'checkerboard', kind: 'realnvp', opts: { ...realnvp, layers: 24, steps: 8000 } }, // gap 0.046 (8 couplings, 2000 steps: 0.159)
  { density: 'moons', kind: 'realnvp', opts: { ...realnvp, steps: 800 } },
  { density: 'moons', kind: 'spline', opts: { ...spline, steps: 800 } },
];

const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

function oursStep(quick: boolean) {
  const { layers, hidden, batchSize, lr } = FLOW_BENCH_CONFIG;
  const g = new Generator(0);
  const flow = toyFlow('realnvp', { layers, hidden, generator: g });
  const opt = new Adam(flow.parameters(), { lr });
  const pool = Array.from({ length: 16 }, () => toy2d('8gaussians').sample(batchSize, g));
  let it = 0;
  const step = () => {
    const loss = flow.logProb(pool[it++ % pool.length]!).mean().neg();
    opt.zeroGrad();
    loss.backward();
    opt.step();
  };
  for (let i = 0; i < 5; i++) step();
  const it0 = it;
  const cpu0 = process.cpuUsage();
  const ms = timeMedian(step, { warmup: 0, minReps: 20, budgetMs: quick ? 3000 : 10000 });
  const cpuMs = (cpuSeconds(process.cpuUsage(cpu0)) * 1000) / (it - it0);
  process.stderr.write(`  likelihood   RealNVP step ${ms.toFixed(1)} ms (CPU ${cpuMs.toFixed(1)} ms, ${it - it0} steps)\n`);
  return { ms, cpuMs, steps: it - it0 };
}

function pytorch(quick: boolean, threads: number): TorchResult | string {
  const probe = spawnSync('python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'skipped (python3 -c "import torch" failed)';
  const script = resolve(import.meta.dirname, '../reference/flow_ref.py');
  const r = spawnSync('python3', [script, '--threads', String(threads), ...(quick ? ['--quick'] : [])], { encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status !== 0) return `failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`;
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchResult;
}

interface QualityRow {
  density: string;
  kind: ToyFlowKind;
  steps: number;
  batchSize: number;
  testNll: number;
  testNllStderr: number;
  entropy: number;
  entropyStderr: number;
  gap: number;
  gapStderr: number;
  cpuSeconds: number;
  wallSeconds: number;
}

function quality(quick: boolean): { rows: QualityRow[]; entropies: Record<string, { entropy: number; stderr: number; samples: number }> } {
  const entropies: Record<string, { entropy: number; stderr: number; samples: number }> = {};
  const rows: QualityRow[] = [];
  for (const { density, kind, opts } of FLOW_QUALITY_RUNS) {
    entropies[density] ??= toyEntropy(density, { samples: density === 'moons' ? 20_000 : 100_000 });
    const steps = quick ? Math.ceil((opts.steps ?? 500) / 10) : (opts.steps ?? 500);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = trainToyFlow(density, { ...opts, kind, steps, testSize: 20_000, seed: 0 });
    const row: QualityRow = {
      density,
      kind,
      steps,
      batchSize: opts.batchSize ?? 256,
      testNll: r.testNll,
      testNllStderr: r.testNllStderr,
      entropy: entropies[density]!.entropy,
      entropyStderr: entropies[density]!.stderr,
      gap: r.gap!,
      gapStderr: r.gapStderr!,
      cpuSeconds: cpuSeconds(process.cpuUsage(c0)),
      wallSeconds: (performance.now() - t0) / 1000,
    };
    rows.push(row);
    process.stderr.write(
      `  ${density} ${kind}: test NLL ${row.testNll.toFixed(3)} ± ${row.testNllStderr.toFixed(3)}, entropy ${row.entropy.toFixed(3)} ± ${row.entropyStderr.toFixed(3)}, ` +
        `gap ${row.gap.toFixed(3)} ± ${row.gapStderr.toFixed(3)} (${steps} steps, CPU ${row.cpuSeconds.toFixed(0)} s)\n`,
    );
  }
  return { rows, entropies };
}

export function runFlowSuite(opts: { quick: boolean; json: string }): void {
  const machine = machineInfo();
  process.stderr.write(`suite flow: RealNVP step ${JSON.stringify(FLOW_BENCH_CONFIG)}\n`);
  const o = oursStep(opts.quick);
  const torch: Record<string, TorchResult | string> = {};
  for (const threads of [1, 2]) {
    const t = pytorch(opts.quick, threads);
    torch[`pytorch-${threads}t`] = t;
    if (typeof t === 'string') process.stderr.write(`  pytorch      ${t}\n`);
    else process.stderr.write(`  pytorch-${threads}t   RealNVP step ${t.train_ms_per_iter.toFixed(2)} ms (CPU ${t.train_cpu_ms_per_iter.toFixed(2)} ms, torch ${t.torch})\n`);
  }
  // FLOW_PARTS=speed skips the quality table (the 2-D training runs).
  const q = (process.env.FLOW_PARTS ?? 'speed,quality').split(',').includes('quality') ? quality(opts.quick) : { rows: [], entropies: {} };

  console.log(`\nsuite flow — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.join(' ')}`);
  const peers = Object.keys(torch);
  const fmt = (v: number | string) => (typeof v === 'number' ? v.toFixed(2) : v);
  const header = ['case', 'unit', 'likelihood', ...peers, ...peers.map((p) => `likelihood / ${p}`)];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const [label, ours, key] of [
    ['RealNVP step (8 couplings, MLP 2×64, batch 512, Adam), median wall', o.ms, 'train_ms_per_iter'],
    ['the same, CPU time per step (all threads)', o.cpuMs, 'train_cpu_ms_per_iter'],
  ] as const) {
    const theirs = peers.map((p) => {
      const t = torch[p]!;
      return typeof t === 'string' ? t : t[key];
    });
    const ratios = theirs.map((t) => (typeof t === 'number' ? `${(ours / t).toFixed(1)}×` : '–'));
    console.log(`| ${[label, 'ms', fmt(ours), ...theirs.map(fmt), ...ratios].join(' | ')} |`);
  }
  console.log('\n| density | model | steps × batch | test NLL (nats) | true entropy (MC) | gap = NLL − entropy (paired) | ≤ 0.05? | CPU s |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of q.rows) {
    console.log(
      `| ${r.density} | ${r.kind} | ${r.steps} × ${r.batchSize} | ${r.testNll.toFixed(3)} ± ${r.testNllStderr.toFixed(3)} | ${r.entropy.toFixed(3)} ± ${r.entropyStderr.toFixed(3)} | ` +
        `${r.gap.toFixed(3)} ± ${r.gapStderr.toFixed(3)} | ${r.gap <= 0.05 ? 'yes' : 'no'} | ${r.cpuSeconds.toFixed(0)} |`,
    );
  }
  mkdirSync(dirname(opts.json), { recursive: true });
  writeFileSync(opts.json, `${JSON.stringify({ suite: 'flow', machine, config: FLOW_BENCH_CONFIG, ours: o, pytorch: torch, quality: q }, null, 2)}\n`);
  console.log(`\nwrote ${opts.json}`);
}
