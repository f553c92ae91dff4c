import { ArgumentError, tensor } from '@likelihood/core';
import { loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { StateDictError } from '../errors.js';
import { SGD } from './sgd.js';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LambdaLR,
  LinearLR,
  type LRScheduler,
  SequentialLR,
  StepLR,
  type SchedulerStateDict,
  warmupCosine,
} from './schedules.js';

interface Spec {
  kind: string;
  options: Record<string, unknown>;
}
const fixture = loadFixture<{ schedulers: (Spec & { lrs: number[][] })[] }>(new URL('../../fixtures/optim.json', import.meta.url));

const LAMBDAS: Record<string, (e: number) => number> = { pow095: (e) => 0.95 ** e, warmup5: (e) => Math.min(1, (e + 1) / 5) };

function makeOpt(): SGD {
  const p = tensor([0, 0], { dtype: 'float64' }).requiresGrad_();
  const q = tensor([0, 0], { dtype: 'float64' }).requiresGrad_();
  return new SGD([{ params: [p] }, { params: [q], lr: 0.05 }], { lr: 0.1 });
}

function make(opt: SGD, spec: Spec): LRScheduler {
  const o = spec.options as any;
  switch (spec.kind) {
    case 'StepLR':
      return new StepLR(opt, o);
    case 'ExponentialLR':
      return new ExponentialLR(opt, o);
    case 'LinearLR':
      return new LinearLR(opt, o);
    case 'CosineAnnealingLR':
      return new CosineAnnealingLR(opt, o);
    case 'LambdaLR':
      return new LambdaLR(opt, LAMBDAS[o.lambda]!);
    case 'SequentialLR':
      return new SequentialLR(opt, { milestones: o.milestones, schedulers: (o.schedulers as Spec[]).map((s) => make(opt, s)) });
    case 'warmupCosine':
      return warmupCosine(opt, o);
    default:
      throw new Error(spec.kind);
  }
}

describe('LR schedulers match torch.optim.lr_scheduler (30 steps, 2 param groups)', () => {
  for (const c of fixture.schedulers) {
    it(`${c.kind} ${JSON.stringify(c.options)}`, () => {
      const opt = makeOpt();
      const s = make(opt, c);
      const got = [s.getLastLr()];
      for (let i = 0; i < c.lrs.length - 1; i++) {
        opt.step();
        s.step();
        got.push(s.getLastLr());
        expect(opt.paramGroups.map((g) => g.lr)).toEqual(s.getLastLr());
      }
      let worst = 0;
      got.forEach((lrs, i) => lrs.forEach((lr, j) => (worst = Math.max(worst, Math.abs(lr - c.lrs[i]![j]!)))));
      if (process.env.OPTIM_REPORT) console.log(`MAXERR sched ${c.kind}: ${worst}`);
      expect(worst).toBeLessThan(1e-15);
    });
  }
});

describe('scheduler state', () => {
  it('stateDict round trip: resume after 12 steps gives the same lrs as an uninterrupted run', () => {
    const spec = fixture.schedulers.find((c) => c.kind === 'warmupCosine')!;
    const optA = makeOpt();
    const a = make(optA, spec);
    const lrsA: number[][] = [];
    for (let i = 0; i < 25; i++) {
      a.step();
      lrsA.push(a.getLastLr());
    }
    const optB = makeOpt();
    const b = make(optB, spec);
    for (let i = 0; i < 12; i++) b.step();
    const sd = JSON.parse(JSON.stringify(b.stateDict())) as SchedulerStateDict;
    const optSd = JSON.parse(JSON.stringify(optB.stateDict()));
    const optC = makeOpt();
    const c = make(optC, spec);
    optC.loadStateDict(optSd);
    c.loadStateDict(sd);
    expect(c.stateDict()).toEqual(sd);
    const lrsC: number[][] = [];
    for (let i = 12; i < 25; i++) {
      c.step();
      lrsC.push(c.getLastLr());
    }
    expect(lrsC).toEqual(lrsA.slice(12));
  });

  it('initialLr is recorded in the optimizer groups (torch setdefault) and survives its stateDict', () => {
    const opt = makeOpt();
    new ExponentialLR(opt, { gamma: 0.5 }).step();
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
    expect(opt.stateDict().paramGroups[1]!.initialLr).toBe(0.05);
  });

  it('rejects bad arguments and mismatched state dicts', () => {
    const opt = makeOpt();
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(ArgumentError);
    expect(() => new StepLR(opt, { stepSize: 0 })).toThrow(/stepSize: expected an integer >= 1, found 0/);
    expect(() => new LinearLR(opt, { startFactor: 0 })).toThrow(/startFactor/);
    expect(() => new LinearLR(opt, { endFactor: 1.5 })).toThrow(/endFactor/);
    expect(() => new CosineAnnealingLR(opt, { tMax: -3 })).toThrow(/tMax/);
    expect(() => new LambdaLR(opt, [(e) => e])).toThrow(/expected 2 functions/);
    const s1 = new LinearLR(opt);
    expect(() => new SequentialLR(opt, { schedulers: [s1], milestones: [3] })).toThrow(/milestones/);
    expect(() => new SequentialLR(opt, { schedulers: [new LinearLR(makeOpt())], milestones: [] })).toThrow(/same optimizer/);
    expect(() => warmupCosine(opt, { warmupSteps: 10, totalSteps: 10 })).toThrow(/totalSteps/);
    const step = new StepLR(opt, { stepSize: 3 });
    const sd = step.stateDict();
    expect(() => new ExponentialLR(opt, { gamma: 0.9 }).loadStateDict(sd)).toThrow(StateDictError);
    expect(() => step.loadStateDict({ ...sd, baseLrs: [0.1] })).toThrow(/baseLrs: expected 2 numbers/);
    const seq = warmupCosine(opt, { warmupSteps: 2, totalSteps: 10 });
    const seqSd = seq.stateDict();
    expect(() => seq.loadStateDict({ ...seqSd, schedulers: seqSd.schedulers!.slice(0, 1) })).toThrow(/expected 2 scheduler states/);
  });

  it('warmupCosine with no warmup is cosine annealing', () => {
    const opt = makeOpt();
    const s = warmupCosine(opt, { warmupSteps: 0, totalSteps: 10, minLr: 0.01 });
    for (let i = 0; i < 10; i++) s.step();
    expect(s.getLastLr()[0]).toBeCloseTo(0.01, 15);
  });
});
