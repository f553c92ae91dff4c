import { ArgumentError, Generator, type Tensor, cat, randn, tensor, zeros } from '@likelihood/core';
import { expectClose, loadFixture, maxAbsDiff } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import type { PredictionType } from '../parameterization.js';
import type { VarianceType } from '../reverseProcess.js';
import { sample } from '../sample.js';
import { NoiseSchedule } from '../schedule.js';
import { DDIMScheduler } from './ddim.js';
import { DDPMScheduler } from './ddpm.js';
import { ProbabilityFlowScheduler } from './probabilityFlow.js';

interface Case { n: number; t: number; prediction_type: string; clip: boolean; prev: number[][]; x0: number[][] }
const fx = loadFixture<{
  inputs: Record<'x' | 'out' | 'noise' | 'var_out', number[][]>;
  leading_timesteps: Record<string, number[]>;
  ddpm: (Case & { variance_type: string })[];
  ddim: (Case & { eta: number })[];
}>(new URL('../../fixtures/schedulers.json', import.meta.url));

const PRED: Record<string, PredictionType> = { epsilon: 'epsilon', sample: 'x0', v_prediction: 'v' };
const VAR: Record<string, VarianceType> = { fixed_small: 'fixedSmall', fixed_large: 'fixedLarge', learned_range: 'learnedRange' };
const f64 = (v: number[][]) => tensor(v, { dtype: 'float64' });
const schedule = NoiseSchedule.create();

/** The exact denoiser for data x_0 ~ N(0, s²): ε̂ = E[ε | x_t] = √(1−ᾱ_t) x_t / (ᾱ_t s² + 1 − ᾱ_t). */
function gaussianEps(s: NoiseSchedule, std: number) {
  return (x: Tensor, t: Tensor) => {
    const a = s.alphaBar(t.storage[0]!);
    return x.mul(Math.sqrt(1 - a) / (a * std * std + 1 - a));
  };
}

describe('DDPMScheduler (vs the numpy port of diffusers’ DDPMScheduler.step)', () => {
  it('uses diffusers’ leading timestep spacing', () => {
    for (const [n, ts] of Object.entries(fx.leading_timesteps)) {
      const s = new DDPMScheduler(schedule);
      s.setTimesteps(Number(n));
      expect(s.timesteps).toEqual(ts);
    }
  });

  it(`matches ${fx.ddpm.length} step outputs (prediction types × variance types × clipping × respacing)`, () => {
    const x = f64(fx.inputs.x);
    const noise = f64(fx.inputs.noise);
    for (const c of fx.ddpm) {
      const varianceType = VAR[c.variance_type]!;
      const s = new DDPMScheduler(schedule, { predictionType: PRED[c.prediction_type], varianceType, clipSample: c.clip });
      s.setTimesteps(c.n);
      const out = varianceType === 'learnedRange' ? cat([f64(fx.inputs.out), f64(fx.inputs.var_out)], 1) : f64(fx.inputs.out);
      const r = s.step(out, c.t, x, undefined, noise);
      const what = `ddpm n=${c.n} t=${c.t} ${c.prediction_type} ${c.variance_type} clip=${c.clip}`;
      expectClose(r.prevSample, c.prev, { rtol: 1e-9, atol: 1e-10, what });
      expectClose(r.predOriginalSample, c.x0, { rtol: 1e-9, atol: 1e-10, what });
    }
  });

  it('rejects a timestep it does not visit and a learned-variance output without the variance channels', () => {
    const s = new DDPMScheduler(schedule);
    s.setTimesteps(10);
    expect(() => s.step(zeros([2, 2]), 5, zeros([2, 2]))).toThrow(ArgumentError);
    expect(() => s.step(zeros([2, 2]), 5, zeros([2, 2]))).toThrow(/t must be one of the scheduler's timesteps/);
    const l = new DDPMScheduler(schedule, { varianceType: 'learnedRange' });
    expect(() => l.step(zeros([2, 2]), 999, zeros([2, 2]))).toThrow(/2·C = 4 channels along dim 1/);
    expect(() => s.setTimesteps(1001)).toThrow(/numInferenceSteps must be an integer in \[1, 1000\]/);
  });
});

describe('DDIMScheduler (vs the numpy port of diffusers’ DDIMScheduler.step)', () => {
  it(`matches ${fx.ddim.length} step outputs (prediction types × η × clipping × respacing)`, () => {
    const x = f64(fx.inputs.x);
    const noise = f64(fx.inputs.noise);
    for (const c of fx.ddim) {
      const s = new DDIMScheduler(schedule, { predictionType: PRED[c.prediction_type], eta: c.eta, clipSample: c.clip });
      s.setTimesteps(c.n);
      const r = s.step(f64(fx.inputs.out), c.t, x, undefined, noise);
      const what = `ddim n=${c.n} t=${c.t} ${c.prediction_type} eta=${c.eta} clip=${c.clip}`;
      expectClose(r.prevSample, c.prev, { rtol: 1e-9, atol: 1e-10, what });
      expectClose(r.predOriginalSample, c.x0, { rtol: 1e-9, atol: 1e-10, what });
    }
  });

  it('with η = 1 has DDPM’s ancestral variance β̃ (and the same mean in distribution)', () => {
    const ddim = new DDIMScheduler(schedule, { eta: 1 });
    const ddpm = new DDPMScheduler(schedule);
    for (const n of [1000, 50]) {
      ddim.setTimesteps(n);
      ddpm.setTimesteps(n);
      for (const t of ddim.timesteps.slice(0, -1)) {
        const prev = ddpm.previousTimestep(t);
        const [a, ap] = [schedule.alphaBar(t), schedule.alphaBar(prev)];
        expect(ddim.variance(t, prev)).toBeCloseTo(((1 - ap) / (1 - a)) * (1 - a / ap), 14);
        // A noise of zero isolates the mean; the variance is the difference made by unit noise.
        const x = tensor([[0.3, -1.2]], { dtype: 'float64' });
        const eps = tensor([[0.1, 0.4]], { dtype: 'float64' });
        const z = tensor([[1, 1]], { dtype: 'float64' });
        const zero = tensor([[0, 0]], { dtype: 'float64' });
        const d0 = ddim.step(eps, t, x, undefined, zero).prevSample;
        const p0 = ddpm.step(eps, t, x, undefined, zero).prevSample;
        expectClose(d0, p0, { rtol: 1e-9, atol: 1e-12, what: `mean at t=${t}` });
        const dStd = ddim.step(eps, t, x, undefined, z).prevSample.sub(d0);
        const pStd = ddpm.step(eps, t, x, undefined, z).prevSample.sub(p0);
        expectClose(dStd, pStd, { rtol: 1e-9, atol: 1e-12, what: `std at t=${t}` });
      }
    }
  });

  it('with η = 0 is deterministic and DDIM inversion recovers the data (exact Gaussian denoiser)', () => {
    const sch = NoiseSchedule.create();
    const model = gaussianEps(sch, 0.5);
    const noise = randn([64, 1], { generator: new Generator(1), dtype: 'float64' });
    const ddim = new DDIMScheduler(sch, { eta: 0 });
    const roundTrip = (n: number) => {
      ddim.setTimesteps(n);
      const a = sample(model, ddim, [64, 1], { initialNoise: noise, generator: new Generator(2) }).sample;
      const b = sample(model, ddim, [64, 1], { initialNoise: noise, generator: new Generator(3) }).sample;
      expect(Array.from(a.storage)).toEqual(Array.from(b.storage));
      // Invert the samples back up to x at timesteps[0] (the data taken as x at t = 0, ᾱ_0 = 1 − 1e-4).
      let x = a;
      const ts = ddim.timesteps;
      for (let i = ts.length - 1; i >= 1; i--) x = ddim.invertStep(model(x, tensor([ts[i]!])), ts[i]!, x);
      const again = sample(model, ddim, [64, 1], { initialNoise: x }).sample;
      return { latentErr: maxAbsDiff(x, noise), dataErr: maxAbsDiff(again, a) };
    };
    const coarse = roundTrip(100);
    const fine = roundTrip(1000);
    // Inversion is first order in the step (ε̂ is evaluated at the start of each step both ways).
    expect(fine.latentErr).toBeLessThan(0.03);
    expect(fine.dataErr).toBeLessThan(0.015);
    expect(fine.latentErr).toBeLessThan(coarse.latentErr / 5);
  });
});

describe('ProbabilityFlowScheduler', () => {
  it('with order 1 (Euler in σ) is exactly DDIM with η = 0', () => {
    const model = gaussianEps(schedule, 0.7);
    const pf = new ProbabilityFlowScheduler(schedule, { order: 1 });
    const ddim = new DDIMScheduler(schedule);
    pf.setTimesteps(20);
    ddim.setTimesteps(20);
    const noise = randn([16, 2], { generator: new Generator(5), dtype: 'float64' });
    expectClose(sample(model, pf, [16, 2], { initialNoise: noise }).sample, sample(model, ddim, [16, 2], { initialNoise: noise }).sample, { rtol: 1e-9, atol: 1e-12 });
  });

  it('Heun with few steps maps N(0, I) onto N(0, s²) better than Euler', () => {
    const std = 0.5;
    const model = gaussianEps(schedule, std);
    const noise = randn([4000, 1], { generator: new Generator(6), dtype: 'float64' });
    const errs = ([1, 2] as const).map((order) => {
      const pf = new ProbabilityFlowScheduler(schedule, { order });
      pf.setTimesteps(20);
      if (order === 2) expect(pf.timesteps.length).toBe(39);
      const x = sample(model, pf, [4000, 1], { initialNoise: noise }).sample;
      return Math.abs(Math.sqrt(x.var().item()) - std);
    });
    // Measured: Euler −0.066, Heun +0.009 at 20 steps (Heun's error falls 4× per doubling).
    expect(errs[1]!).toBeLessThan(0.015);
    expect(errs[1]!).toBeLessThan(errs[0]! / 5);
  });

  it('insists on its evaluation order', () => {
    const pf = new ProbabilityFlowScheduler(schedule);
    pf.setTimesteps(5);
    expect(() => pf.step(zeros([1, 1]), 600, zeros([1, 1]))).toThrow(/expected timestep 800 \(evaluation 0\), found 600/);
  });
});
