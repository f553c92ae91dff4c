/**
 * Suite `diffusion`: (1) one ε-prediction training step (t ~ U, ε ~ N(0, I), x_t, MSE, Adam) of
 * the 2-D MLP denoiser (3×128, sinusoidal time embedding, batch 512) and of two small U-Nets on
 * 28×28 images, ours and PyTorch's (reference/diffusion_ref.py, the same modules, at 1 and 2
 * threads) in one run, ours first as a library user gets it and then with core's resident kernel
 * outputs (a 512 MiB region, recycled between steps); (2) sample quality on 2-D toys: the energy distance between 2000 samples
 * and 2000 data points, against the spread of the same statistic between two independent
 * 2000-draws of the data (100 pairs, fixed seeds). DIFFUSION_PARTS=speed (or quality) runs one part.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Generator, Tensor, randn, residentStats, setResidentBytes } from '@likelihood/core';
import { toy2d } from '@likelihood/datasets';
import { DDPMScheduler, MLPDenoiser, NoiseSchedule, denoisingLoss, energyDistance, energyDistanceNull, quantile, sample, unetDenoiser, withEmaWeights } from '@likelihood/diffusion';
import { Adam, EMA, type Module } from '@likelihood/nn';
import { machineInfo } from './machine.js';
import { timeMedianYielding } from './timing.js';

/** The cases, as in reference/diffusion_ref.py. */
export const DIFFUSION_BENCH = {
  mlp: { hidden: 128, layers: 3, timeEmbedDim: 32, batch: 512 },
  unet: {
    unet28: { label: 'U-Net 16·[1,2,2] at 28×28 (267k params)', baseChannels: 16, channelMults: [1, 2, 2], patchSize: 1, batch: 16 },
    'unet-mnist': { label: 'U-Net 32·[1,2] on 2×2 patches (the MNIST model, 653k params)', baseChannels: 32, channelMults: [1, 2], patchSize: 2, batch: 16 },
  },
  quality: { densities: ['8gaussians', 'moons', 'checkerboard'], n: 2000, repeats: 100, steps: 2000, batch: 512, lr: 2e-3 },
} as const;

type Denoiser = Module & { forward(x: Tensor, t: Tensor): Tensor };

/**
 * Median wall ms and mean CPU ms of one training step (fwd + bwd + Adam). Each timed step ends by
 * awaiting releaseResidentOutputs() (timeMedianYielding), so with resident outputs on they are
 * recycled as in a training loop that awaits between steps, and the collector's time counts.
 */
async function timeStep(model: Denoiser, x0: Tensor, budgetMs: number, minReps: number): Promise<{ ms: number; cpuMs: number }> {
  const gen = new Generator(1);
  const schedule = NoiseSchedule.create(); // DDPM's linear, T = 1000, as the reference
  const opt = new Adam(model.parameters(), { lr: 1e-3 });
  let n = 0;
  const step = () => {
    const { loss } = denoisingLoss(model, schedule, x0, { generator: gen });
    opt.zeroGrad();
    loss.backward();
    opt.step();
    n++;
  };
  step();
  n = 0;
  const cpu0 = process.cpuUsage();
  // at least 1 s of warm-up steps (the PyTorch reference does the same): a training run's steady state
  const ms = await timeMedianYielding(step, { warmup: 0, minReps, budgetMs, warmupMs: 1000 });
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000 / n };
}

/** The resident-output region of the second round of timings (the U-Net steps fill 256 MiB before the garbage collector frees views). */
const RESIDENT_MB = 512;

/** One of the speed cases ('mlp' or a key of DIFFUSION_BENCH.unet): its denoiser and a batch x0, drawn from `g`. */
export function benchDenoiser(name: string, g: Generator): { model: Denoiser; x0: Tensor } {
  if (name === 'mlp') {
    const c = DIFFUSION_BENCH.mlp;
    const model = new MLPDenoiser({ hidden: c.hidden, layers: c.layers, timeEmbedDim: c.timeEmbedDim, generator: g });
    return { model, x0: randn([c.batch, 2], { generator: g }) };
  }
  const u = DIFFUSION_BENCH.unet[name as keyof typeof DIFFUSION_BENCH.unet];
  if (!u) throw new Error(`diffusion bench case must be mlp, ${Object.keys(DIFFUSION_BENCH.unet).join(' or ')}, found '${name}'`);
  const model = unetDenoiser({ inChannels: 1, baseChannels: u.baseChannels, channelMults: [...u.channelMults], attentionLevels: [], patchSize: u.patchSize, generator: g });
  return { model, x0: randn([u.batch, 1, 28, 28], { generator: g }) };
}

async function oursSpeed(quick: boolean, label = 'likelihood'): Promise<Record<string, { ms: number; cpuMs: number; params: number }>> {
  const g = new Generator(0);
  const out: Record<string, { ms: number; cpuMs: number; params: number }> = {};
  for (const name of ['mlp', ...Object.keys(DIFFUSION_BENCH.unet)]) {
    const mlp = name === 'mlp';
    const { model, x0 } = benchDenoiser(name, g);
    out[name] = { ...(await timeStep(model, x0, quick ? 1000 : 4000, mlp ? (quick ? 5 : 20) : quick ? 3 : 5)), params: model.numParameters() };
    process.stderr.write(`  ${label}   ${name} step ${out[name].ms.toFixed(mlp ? 1 : 0)} ms\n`);
  }
  return out;
}

function pytorch(quick: boolean, threads: number): Record<string, number | string> | string {
  const probe = spawnSync('python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'skipped (python3 -c "import torch" failed)';
  const script = resolve(import.meta.dirname, '../reference/diffusion_ref.py');
  const r = spawnSync('python3', [script, '--threads', String(threads), ...(quick ? ['--quick'] : [])], { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.status !== 0) return `failed: ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`;
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number | string>;
}

export interface QualityRow {
  density: string;
  /** energy distance of the model's samples to a data draw */
  model: number;
  /** the same between a moment-matched Gaussian and the data: a model that learned nothing but the moments */
  gaussian: number;
  nullMedian: number;
  null95: number;
  pass: boolean;
  trainSeconds: number;
  finalLoss: number;
}

/** A draw from the Gaussian with the data's mean and covariance (the scale of "learned nothing"). */
function momentMatchedGaussian(data: Tensor, n: number, gen: Generator): Tensor {
  const d = data.data() as Float32Array;
  const N = data.shape[0]!;
  let [mx, my, sxx, sxy, syy] = [0, 0, 0, 0, 0];
  for (let i = 0; i < N; i++) [mx, my] = [mx + d[2 * i]! / N, my + d[2 * i + 1]! / N];
  for (let i = 0; i < N; i++) {
    const [a, b] = [d[2 * i]! - mx, d[2 * i + 1]! - my];
    [sxx, sxy, syy] = [sxx + (a * a) / N, sxy + (a * b) / N, syy + (b * b) / N];
  }
  const l11 = Math.sqrt(sxx);
  const l21 = sxy / l11;
  const l22 = Math.sqrt(syy - l21 * l21);
  const z = randn([n, 2], { generator: gen, dtype: 'float64' }).data() as Float64Array;
  const out = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) [out[2 * i], out[2 * i + 1]] = [mx + l11 * z[2 * i]!, my + l21 * z[2 * i]! + l22 * z[2 * i + 1]!];
  return new Tensor(out, [n, 2], 'float64');
}

/** Trains the bench's MLP denoiser on one density and scores 2000 DDPM samples (EMA weights) by energy distance. */
export function quality2d(name: string, opts: { steps: number; repeats: number; n?: number }): QualityRow {
  const q = DIFFUSION_BENCH.quality;
  const n = opts.n ?? q.n;
  const density = toy2d(name);
  const gen = new Generator(0);
  const schedule = NoiseSchedule.create({ kind: 'cosine', numTimesteps: 100 });
  const c = DIFFUSION_BENCH.mlp;
  const model = new MLPDenoiser({ hidden: c.hidden, layers: c.layers, timeEmbedDim: c.timeEmbedDim, generator: gen });
  const opt = new Adam(model.parameters(), { lr: q.lr });
  const ema = new EMA(model, { decay: 0.995, warmup: 'numUpdates' }); // as the samples app
  const t0 = performance.now();
  let last = 0;
  for (let i = 0; i < opts.steps; i++) {
    for (const g of opt.paramGroups) g.lr = q.lr * Math.min(1, (i + 1) / 100);
    const { loss } = denoisingLoss(model, schedule, density.sample(q.batch, gen), { generator: gen });
    opt.zeroGrad();
    loss.backward();
    opt.step();
    ema.update();
    last = loss.item();
  }
  const trainSeconds = (performance.now() - t0) / 1000;
  const ddpm = new DDPMScheduler(schedule); // all 100 ancestral steps
  const samples = withEmaWeights(ema, model, () => sample(model, ddpm, [n, 2], { generator: new Generator(7) }).sample);
  const data = density.sample(n, new Generator(8));
  const nullValues = energyDistanceNull((m, g) => density.sample(m, g), n, { repeats: opts.repeats, generator: new Generator(9) });
  const modelEd = energyDistance(samples, data);
  const null95 = quantile(nullValues, 0.95);
  return {
    density: name,
    model: modelEd,
    gaussian: energyDistance(momentMatchedGaussian(data, n, new Generator(10)), data),
    nullMedian: quantile(nullValues, 0.5),
    null95,
    pass: modelEd <= null95,
    trainSeconds,
    finalLoss: last,
  };
}

export async function runDiffusionSuite(opts: { quick: boolean; json: string }): Promise<void> {
  const { quick, json } = opts;
  const machine = machineInfo();
  process.stderr.write(`suite diffusion: ${JSON.stringify(DIFFUSION_BENCH)}\n`);
  const cpuAll0 = process.cpuUsage();
  const parts = (process.env.DIFFUSION_PARTS ?? 'speed,quality').split(',');
  const ours = parts.includes('speed') ? await oursSpeed(quick) : {};
  let resident: Record<string, { ms: number; cpuMs: number; params: number }> = {};
  if (parts.includes('speed')) {
    setResidentBytes(RESIDENT_MB * 2 ** 20);
    resident = await oursSpeed(quick, `likelihood (resident outputs, ${RESIDENT_MB} MiB)`);
    process.stderr.write(`  resident outputs: ${residentStats().fallbacks} fell back to fresh arrays\n`);
    setResidentBytes(0); // the quality part's loops are synchronous: they would only fill the region
  }
  const torch: Record<string, Record<string, number | string> | string> = {};
  for (const threads of parts.includes('speed') ? [1, 2] : []) {
    const t = pytorch(quick, threads);
    torch[`pytorch-${threads}t`] = t;
    process.stderr.write(`  pytorch-${threads}t   ${typeof t === 'string' ? t : `mlp ${Number(t.mlp_ms).toFixed(1)} ms, unet28 ${Number(t.unet28_ms).toFixed(0)} ms`}\n`);
  }
  const peers = Object.keys(torch);
  const speedRows = Object.keys(ours).map((k) => {
    const label = k === 'mlp' ? 'MLP denoiser 3×128 + time embedding, batch 512 (38k params)' : `${DIFFUSION_BENCH.unet[k as keyof typeof DIFFUSION_BENCH.unet].label}, batch 16`;
    const peer = (key: string) => Object.fromEntries(peers.map((p) => [p, typeof torch[p] === 'string' ? torch[p] : (torch[p] as Record<string, number>)[key]!]));
    return { case: label, key: k, ours: ours[k]!, wall: peer(`${k}_ms`), cpu: peer(`${k}_cpu_ms`) };
  });
  for (const r of [...speedRows]) if (resident[r.key]) speedRows.push({ ...r, case: `${r.case}, resident outputs (${RESIDENT_MB} MiB)`, ours: resident[r.key]! });
  console.log(`\nsuite diffusion — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverage.join(' ')}`);
  const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(1) : String(v));
  const ratio = (a: number, b: unknown) => (typeof b === 'number' ? `${(a / b).toFixed(1)}×` : '–');
  console.log('\ntraining step (ε-prediction, fwd + bwd + Adam): median wall ms (CPU ms per step)');
  console.log(`| case | likelihood | ${peers.join(' | ')} | ${peers.map((p) => `likelihood / ${p}`).join(' | ')} |`);
  console.log(`|${Array(2 + 2 * peers.length).fill('---').join('|')}|`);
  for (const r of speedRows) {
    const cells = peers.map((p) => `${fmt(r.wall[p])} (${fmt(r.cpu[p])})`);
    const ratios = peers.map((p) => `${ratio(r.ours.ms, r.wall[p])} (CPU ${ratio(r.ours.cpuMs, r.cpu[p])})`);
    console.log(`| ${r.case} | ${fmt(r.ours.ms)} (${fmt(r.ours.cpuMs)}) | ${cells.join(' | ')} | ${ratios.join(' | ')} |`);
  }

  const q = DIFFUSION_BENCH.quality;
  const steps = quick ? 300 : q.steps;
  const repeats = quick ? 20 : q.repeats;
  const quality = (parts.includes('quality') ? q.densities : []).map((name) => {
    const row = quality2d(name, { steps, repeats });
    process.stderr.write(`  ${name}: energy distance ${row.model.toFixed(4)} (null 95 % ${row.null95.toFixed(4)}) after ${row.trainSeconds.toFixed(0)} s\n`);
    return row;
  });
  console.log(`\n2-D sample quality: squared energy distance (U-statistic) between ${q.n} samples and ${q.n} data points;`);
  console.log(`threshold = 95th percentile of the same between two independent ${q.n}-draws of the data (${repeats} pairs); MLP 3×128, ${steps} Adam steps, batch ${q.batch}, DDPM 100 steps, EMA`);
  console.log('| density | model samples | moment-matched Gaussian | data vs data: median | data vs data: 95th pct | within threshold | train s | final loss |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of quality) {
    console.log(`| ${r.density} | ${r.model.toFixed(4)} | ${r.gaussian.toFixed(4)} | ${r.nullMedian.toFixed(4)} | ${r.null95.toFixed(4)} | ${r.pass ? 'yes' : 'no'} | ${r.trainSeconds.toFixed(0)} | ${r.finalLoss.toFixed(3)} |`);
  }
  const cpuAll = process.cpuUsage(cpuAll0);
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, `${JSON.stringify({ suite: 'diffusion', machine, config: DIFFUSION_BENCH, quick, ours, oursResident: { regionMiB: RESIDENT_MB, steps: resident }, pytorch: torch, quality, cpuSeconds: (cpuAll.user + cpuAll.system) / 1e6 }, null, 2)}\n`);
  console.log(`\nwrote ${json}`);
}
