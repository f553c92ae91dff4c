// A deep EBM on a 2-D toy density, trained by contrastive divergence with SGLD and a replay
// buffer; the exact NLL comes from integrating exp(−E) on a grid.
// Run: npx tsx --conditions=source packages/ebm/examples/deepEbm2d.ts [density] [iterations] [batch] [width] [langevinSteps]
import { Generator, rand } from '@likelihood/core';
import { toy2d } from '@likelihood/datasets';
import { Adam } from '@likelihood/nn';
import { EBMTrainer, EnergyMLP, ReplayBuffer, exactNll2d } from '../src/index.js';

export interface DeepEbm2dOptions {
  density?: string;
  iterations?: number;
  batchSize?: number;
  hidden?: number[];
  langevinSteps?: number;
  seed?: number;
  log?: (line: string) => void;
}

export function trainDeepEbm2d(opts: DeepEbm2dOptions = {}) {
  const name = opts.density ?? '8gaussians';
  const iterations = opts.iterations ?? 2000;
  const batch = opts.batchSize ?? 256;
  const log = opts.log ?? console.log;
  const gen = new Generator(opts.seed ?? 0);
  const toy = toy2d(name);
  const box = { low: [-4.5, -4.5] as [number, number], high: [4.5, 4.5] as [number, number], size: 200, dtype: 'float32' as const };
  const model = new EnergyMLP(2, opts.hidden ?? [128, 128], { generator: gen });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3, betas: [0.0, 0.999] });
  const buffer = new ReplayBuffer(10000, { init: (n, g) => rand([n, 2], { generator: g }).mul(9).sub(4.5) });
  const trainer = new EBMTrainer(model, optimizer, buffer, { langevinSteps: opts.langevinSteps ?? 40, stepSize: 0.02, noiseScale: Math.sqrt(0.04), alpha: 0.01, clamp: [-4.5, 4.5], generator: gen });
  const test = toy.sample(2000, new Generator(12345));
  const trueNll = toy.logProb ? -toy.logProb(test).mean().item() : Number.NaN;
  const t0 = Date.now();
  for (let it = 1; it <= iterations; it++) {
    const s = trainer.step(toy.sample(batch, gen));
    if (it % Math.max(1, Math.floor(iterations / 10)) === 0 || it === iterations) {
      const { nll } = exactNll2d((x) => model.forward(x), test, box);
      log(`iter ${it}: loss ${s.loss.toFixed(3)}  E+ ${s.energyPos.toFixed(2)}  E- ${s.energyNeg.toFixed(2)}  exact test NLL ${nll.toFixed(3)} nats (true density ${trueNll.toFixed(3)})  ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  const { nll, logZ } = exactNll2d((x) => model.forward(x), test, box);
  return { model, nll, trueNll, logZ };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const num = (i: number) => (process.argv[i] ? Number(process.argv[i]) : undefined);
  trainDeepEbm2d({ density: process.argv[2], iterations: num(3), batchSize: num(4), hidden: num(5) ? [num(5)!, num(5)!] : undefined, langevinSteps: num(6) });
}
