// A deep EBM on a 2-D toy density trained by noise-contrastive estimation (Gutmann & Hyvärinen
// 2012) against a Gaussian KDE of `centers` training points (default 64) mixed with a uniform
// density on the box (weight 0.2); the exact NLL comes from integrating
// exp(−E) on a grid, so the learned normaliser (the MLP's output bias) plays no part in it.
// Run: npx tsx --conditions=source packages/ebm/examples/nce2d.ts [density] [steps] [numNoise] [bandwidth] [lr] [width] [uniformWeight] [centers]
import { Generator, type Tensor } from '@likelihood/core';
import { type Toy2D, toy2d } from '@likelihood/datasets';
import { Adam, CosineAnnealingLR } from '@likelihood/nn';
import { EnergyMLP, GaussianKDENoise, NCETrainer, exactNll2d } from '../src/index.js';

export interface Nce2dOptions {
  density?: string;
  steps?: number;
  batchSize?: number;
  numNoise?: number;
  bandwidth?: number;
  /** KDE centres (training points) of the noise distribution. */
  centers?: number;
  /** Weight of the Uniform(box) component of the noise (default 0.2). */
  uniformWeight?: number;
  hidden?: number[];
  lr?: number;
  seed?: number;
  /** Evaluate the exact NLL this many times during training (default 10). */
  evaluations?: number;
  log?: (line: string) => void;
  onStep?: (step: number, loss: number) => void;
}

export const BOX_2D = { low: [-4.5, -4.5] as [number, number], high: [4.5, 4.5] as [number, number], size: 200, dtype: 'float32' as const };

/** 2,000 held-out points (seed 12345) and their NLL under the true density. */
export function heldOut2d(toy: Toy2D): { test: Tensor; trueNll: number } {
  const test = toy.sample(2000, new Generator(12345));
  return { test, trueNll: toy.logProb ? -toy.logProb(test).mean().item() : Number.NaN };
}

export function trainNce2d(opts: Nce2dOptions = {}) {
  const name = opts.density ?? '8gaussians';
  const steps = opts.steps ?? 3000;
  const batch = opts.batchSize ?? 128;
  const nu = opts.numNoise ?? 4;
  const log = opts.log ?? console.log;
  const gen = new Generator(opts.seed ?? 0);
  const toy = toy2d(name);
  const noise = new GaussianKDENoise(toy.sample(opts.centers ?? 64, new Generator(777)), opts.bandwidth ?? 0.3, {
    uniform: (opts.uniformWeight ?? 0.2) > 0 ? { low: BOX_2D.low, high: BOX_2D.high, weight: opts.uniformWeight ?? 0.2 } : undefined,
  });
  const model = new EnergyMLP(2, opts.hidden ?? [64, 64], { generator: gen, dtype: 'float32' });
  const optimizer = new Adam(model.parameters(), { lr: opts.lr ?? 2e-3 });
  const schedule = new CosineAnnealingLR(optimizer, { tMax: steps, etaMin: 1e-5 });
  const trainer = new NCETrainer((x) => model.forward(x), optimizer, noise, { numNoise: nu, generator: gen });
  const { test, trueNll } = heldOut2d(toy);
  const evaluations = opts.evaluations ?? 10;
  const curve: { step: number; nll: number }[] = [];
  const t0 = Date.now();
  const c0 = process.cpuUsage();
  for (let it = 1; it <= steps; it++) {
    const { loss: l, accuracy } = trainer.step(toy.sample(batch, gen));
    schedule.step();
    opts.onStep?.(it, l);
    if (evaluations > 0 && (it % Math.max(1, Math.floor(steps / evaluations)) === 0 || it === steps)) {
      const { nll } = exactNll2d((x) => model.forward(x), test, BOX_2D);
      curve.push({ step: it, nll });
      const cpu = process.cpuUsage(c0);
      log(`${name} step ${it}: NCE loss ${l.toFixed(4)} acc ${accuracy.toFixed(3)}  exact test NLL ${nll.toFixed(4)} nats (true density ${trueNll.toFixed(4)})  ${((Date.now() - t0) / 1000).toFixed(0)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(0)} s cpu`);
    }
  }
  const { nll, logZ } = exactNll2d((x) => model.forward(x), test, BOX_2D);
  const cpu = process.cpuUsage(c0);
  return { model, nll, trueNll, logZ, curve, seconds: (Date.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const num = (i: number) => (process.argv[i] ? Number(process.argv[i]) : undefined);
  const r = trainNce2d({ density: process.argv[2], steps: num(3), numNoise: num(4), bandwidth: num(5), lr: num(6), hidden: num(7) ? [num(7)!, num(7)!] : undefined, uniformWeight: num(8), centers: num(9), evaluations: 5 });
  console.log(JSON.stringify({ density: process.argv[2] ?? '8gaussians', nll: r.nll, trueNll: r.trueNll, gap: r.nll - r.trueNll, seconds: r.seconds, cpuSeconds: r.cpuSeconds }));
}
