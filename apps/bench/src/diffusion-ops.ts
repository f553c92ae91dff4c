/**
 * Where a diffusion training step's time goes, op by op: wraps every registered kernel with a
 * timer (keyed by op and input shapes) and runs ε-prediction training steps (fwd + bwd + Adam)
 * of one of the bench's denoisers (suite `diffusion`). Prints the step's median, its forward,
 * backward and optimizer parts, each primitive op's ms per step and the slowest op-and-shape
 * rows. Ops outside the registry (fused composites: linear, groupNorm, the conv weight gradient,
 * the conv bias) show in the parts but not in the op rows.
 *
 *   cd apps/bench && npx tsx --conditions=source src/diffusion-ops.ts [--model mlp|unet28|unet-mnist] [--steps 10] [--top 30]
 *
 * With LIKELIHOOD_RESIDENT_MB set the loop awaits releaseResidentOutputs() after each step (timed).
 */
import { Generator, releaseResidentOutputs, residentStats } from '@likelihood/core';
import { NoiseSchedule, denoisingLoss } from '@likelihood/diffusion';
import { Adam } from '@likelihood/nn';
import { benchDenoiser } from './diffusion.js';

const arg = (name: string, dflt: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1]! : dflt);
const which = arg('--model', 'unet28');
const steps = Number(arg('--steps', '10'));
const top = Number(arg('--top', '30'));

// The registry lives on globalThis (core's registry.ts), so every kernel can be wrapped in place.
type KernelFn = (inputs: { shape: readonly number[] }[], attrs: unknown) => unknown;
const registry = (globalThis as unknown as Record<symbol, { kernels: Map<string, KernelFn> }>)[Symbol.for('likelihood.kernelRegistry.v1')]!;
const perKey = new Map<string, { calls: number; ms: number }>();
let timing = false;
for (const [key, fn] of registry.kernels) {
  registry.kernels.set(key, (inputs, attrs) => {
    if (!timing) return fn(inputs, attrs);
    const t0 = performance.now();
    const out = fn(inputs, attrs);
    const row = `${key.split('/')[1]} ${inputs.map((t) => t.shape.join('×')).join(', ')}`;
    const s = perKey.get(row) ?? { calls: 0, ms: 0 };
    s.calls++;
    s.ms += performance.now() - t0;
    perKey.set(row, s);
    return out;
  });
}

const { model, x0 } = benchDenoiser(which, new Generator(0));
const schedule = NoiseSchedule.create();
const opt = new Adam(model.parameters(), { lr: 1e-3 });
const gen = new Generator(1);
const parts = { forward: 0, backward: 0, optimizer: 0 };
const step = () => {
  const t0 = performance.now();
  const { loss } = denoisingLoss(model, schedule, x0, { generator: gen });
  opt.zeroGrad();
  const t1 = performance.now();
  loss.backward();
  const t2 = performance.now();
  opt.step();
  parts.forward += t1 - t0;
  parts.backward += t2 - t1;
  parts.optimizer += performance.now() - t2;
};
for (let i = 0; i < 3; i++) {
  step();
  await releaseResidentOutputs();
}
parts.forward = parts.backward = parts.optimizer = 0;
timing = true;
const times: number[] = [];
for (let i = 0; i < steps; i++) {
  const t0 = performance.now();
  step();
  await releaseResidentOutputs();
  times.push(performance.now() - t0);
}
timing = false;
times.sort((a, b) => a - b);
const perStep = (ms: number) => (ms / steps).toFixed(2);
const byOp = new Map<string, number>();
for (const [row, s] of perKey) byOp.set(row.split(' ')[0]!, (byOp.get(row.split(' ')[0]!) ?? 0) + s.ms);
const opTotal = [...byOp.values()].reduce((a, b) => a + b, 0);
console.log(`${which}: step median ${times[steps >> 1]!.toFixed(1)} ms; forward ${perStep(parts.forward)}, backward ${perStep(parts.backward)}, optimizer ${perStep(parts.optimizer)} ms per step; primitive ops ${perStep(opTotal)} ms`);
if (residentStats().capacity > 0) console.log(`resident outputs: ${JSON.stringify(residentStats())}`);
console.log('\n| op | ms per step |\n|---|---|');
for (const [op, ms] of [...byOp].sort((a, b) => b[1] - a[1])) if (ms / steps >= 0.05) console.log(`| ${op} | ${perStep(ms)} |`);
console.log('\n| op and input shapes | calls per step | ms per step |\n|---|---|---|');
for (const [row, s] of [...perKey].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) console.log(`| ${row} | ${(s.calls / steps).toFixed(0)} | ${perStep(s.ms)} |`);
