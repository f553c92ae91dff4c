// Train a small diffusion model on a 2-D toy density, sample it with DDPM, DDIM and the
// probability-flow ODE, and score the samples under the true density. Run:
//   npx tsx --conditions=source packages/diffusion/examples/toy2d.ts [8gaussians|moons|checkerboard] [steps]
import { Generator } from '@likelihood/core';
import { toy2d } from '@likelihood/datasets';
import { DDIMScheduler, DDPMScheduler, ProbabilityFlowScheduler, sample } from '@likelihood/diffusion';
import { trainToy2d } from './trainToy2d.js';

const name = process.argv[2] ?? '8gaussians';
const steps = Number(process.argv[3] ?? 1500);
const density = toy2d(name);
const t0 = performance.now();
const { model, ema, schedule, losses } = trainToy2d(density, { steps, onStep: (i, loss) => i % 250 === 0 && console.log(`step ${i} loss ${loss.toFixed(4)}`) });
console.log(`trained ${steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s, final loss ${losses.at(-1)!.toFixed(4)}`);

const gen = new Generator(1);
const data = density.sample(2000, gen);
const samplers = {
  'DDPM (100 steps)': new DDPMScheduler(schedule),
  'DDIM η=0 (25 steps)': new DDIMScheduler(schedule),
  'probability flow, Heun (10 steps)': new ProbabilityFlowScheduler(schedule),
};
samplers['DDIM η=0 (25 steps)'].setTimesteps(25);
samplers['probability flow, Heun (10 steps)'].setTimesteps(10);
const stats = (x: import('@likelihood/core').Tensor) => {
  const m = x.mean(0).toArray() as number[];
  const lp = density.logProb ? density.logProb(x).mean().item().toFixed(3) : 'n/a';
  return `mean (${m.map((v) => v.toFixed(3)).join(', ')}), std (${(x.std(0).toArray() as number[]).map((v) => v.toFixed(3)).join(', ')}), mean log p_true ${lp}`;
};
console.log(`data:    ${stats(data)}`);
ema.copyTo(model); // sample with the EMA weights
for (const [label, scheduler] of Object.entries(samplers)) {
  const { sample: x } = sample(model, scheduler, [2000, 2], { generator: gen });
  console.log(`${label}: ${stats(x)}`);
}
