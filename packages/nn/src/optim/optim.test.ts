import { ArgumentError, type Tensor, cat, tensor } from '@likelihood/core';
import { loadFixture, maxAbsDiff } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { StateDictError } from '../errors.js';
import { Adam, AdamW } from './adam.js';
import { LBFGS } from './lbfgs.js';
import type { Optimizer, OptimizerStateDict } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

interface OptimCase {
  kind: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'LBFGS';
  problem: 'linreg' | 'rosen';
  defaults: Record<string, unknown>;
  groups: { params: string[]; options?: Record<string, unknown> }[];
  note: string;
  losses: number[];
  trajectory: Record<string, number[] | number[][]>[];
}
interface Fixture {
  problems: { linreg: { X: number[][]; Y: number[][]; init: Record<string, number[][] | number[]> }; rosen: { init: Record<string, number[]> } };
  optimizers: OptimCase[];
}

const fixture = loadFixture<Fixture>(new URL('../../fixtures/optim.json', import.meta.url));
const f64 = (v: number[] | number[][]) => tensor(v, { dtype: 'float64' });
const X = f64(fixture.problems.linreg.X);
const Y = f64(fixture.problems.linreg.Y);

function makeParams(problem: 'linreg' | 'rosen'): Record<string, Tensor> {
  const init = fixture.problems[problem].init as Record<string, number[] | number[][]>;
  return Object.fromEntries(Object.entries(init).map(([k, v]) => [k, f64(v).requiresGrad_()]));
}

function loss(problem: 'linreg' | 'rosen', p: Record<string, Tensor>): Tensor {
  if (problem === 'linreg') return X.matmul(p.W!).add(p.b!).sub(Y).square().mean();
  const x = cat([p.a!, p.b!]);
  const head = x.slice(0, 0, 3);
  const tail = x.slice(0, 1, 4);
  return tail.sub(head.square()).square().mul(100).add(head.neg().add(1).square()).sum();
}

const CTORS = { SGD, Adam, AdamW, RMSprop, LBFGS } as unknown as Record<string, new (params: unknown, opts: unknown) => Optimizer<{ lr: number }>>;

function build(c: OptimCase, p: Record<string, Tensor>): Optimizer<{ lr: number }> {
  const groups = c.groups.map((g) => ({ params: g.params.map((n) => p[n]!), ...(g.options ?? {}) }));
  return new CTORS[c.kind]!(groups, c.defaults);
}

function runSteps(c: OptimCase, opt: Optimizer<{ lr: number }>, p: Record<string, Tensor>, n: number, onStep?: (i: number, l: number) => void): void {
  const closure = () => {
    opt.zeroGrad();
    const l = loss(c.problem, p);
    l.backward();
    return l;
  };
  for (let i = 0; i < n; i++) {
    let l: number;
    if (c.kind === 'LBFGS') l = (opt.step(closure) as Tensor).item();
    else {
      l = closure().item();
      opt.step();
    }
    onStep?.(i, l);
  }
}

describe('optimizers follow torch.optim trajectories (float64, 20 steps)', () => {
  for (const c of fixture.optimizers) {
    it(`${c.kind} ${c.problem} ${c.note} ${JSON.stringify(c.defaults)}`, () => {
      const p = makeParams(c.problem);
      const opt = build(c, p);
      let worst = 0;
      runSteps(c, opt, p, c.trajectory.length, (i, l) => {
        worst = Math.max(worst, Math.abs(l - c.losses[i]!));
        for (const [k, v] of Object.entries(c.trajectory[i]!)) worst = Math.max(worst, maxAbsDiff(p[k]!, v));
      });
      if (process.env.OPTIM_REPORT) console.log(`MAXERR ${c.kind} ${c.note}: ${worst}`);
      expect(worst).toBeLessThan(1e-10);
    });
  }
});

describe('optimizer stateDict round trip', () => {
  for (const c of fixture.optimizers) {
    it(`${c.kind} ${c.note}: 10 steps, save, load into a fresh optimizer, 10 more = 20 uninterrupted (bit-identical)`, () => {
      const p1 = makeParams(c.problem);
      const o1 = build(c, p1);
      runSteps(c, o1, p1, 20);

      const p2 = makeParams(c.problem);
      const o2 = build(c, p2);
      runSteps(c, o2, p2, 10);
      const sd = JSON.parse(JSON.stringify(o2.stateDict())) as OptimizerStateDict;
      const p3 = makeParams(c.problem);
      for (const k of Object.keys(p3)) p3[k]!.assign_(p2[k]!.detach());
      const o3 = build(c, p3);
      o3.loadStateDict(sd);
      expect(o3.stateDict()).toEqual(sd);
      runSteps(c, o3, p3, 10);
      for (const k of Object.keys(p1)) expect(Array.from(p3[k]!.storage)).toEqual(Array.from(p1[k]!.storage));
    });
  }
});

describe('optimizer errors', () => {
  const w = () => tensor([1, 2], { dtype: 'float64' }).requiresGrad_();
  it('rejects bad hyperparameters with an ArgumentError naming the argument', () => {
    expect(() => new SGD([w()], { lr: -0.1 })).toThrow(ArgumentError);
    expect(() => new SGD([w()], { lr: -0.1 })).toThrow(/lr: expected a number >= 0, found -0.1/);
    expect(() => new SGD([w()], { lr: 0.1, nesterov: true })).toThrow(/nesterov/);
    expect(() => new Adam([w()], { betas: [0.9, 1.5] })).toThrow(/betas\[1\]: expected a number in \[0, 1\), found 1.5/);
    expect(() => new Adam([{ params: [w()], eps: -1 }])).toThrow(/paramGroups\[0\].*eps/);
    expect(() => new RMSprop([w()], { alpha: -1 })).toThrow(/alpha/);
    expect(() => new LBFGS([w()], { lineSearchFn: 'armijo' as never })).toThrow(/lineSearchFn/);
    expect(() => new LBFGS([{ params: [w()] }, { params: [w()] }])).toThrow(/one param group/);
    expect(() => new SGD([], { lr: 0.1 })).toThrow(/empty/);
    const shared = w();
    expect(() => new SGD([{ params: [shared] }, { params: [shared] }], { lr: 0.1 })).toThrow(/twice/);
    expect(() => new LBFGS([w()]).step()).toThrow(/closure/);
  });

  it('loadStateDict rejects mismatched state dicts before changing anything', () => {
    const a = w();
    const b = w();
    const opt = new Adam([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    a.grad = tensor([0.5, -1], { dtype: 'float64' });
    b.grad = tensor([0.25, 2], { dtype: 'float64' });
    opt.step();
    const good = opt.stateDict();
    const before = JSON.stringify(good);
    const clone = () => JSON.parse(before) as OptimizerStateDict;

    const fewer = clone();
    fewer.paramGroups.pop();
    expect(() => opt.loadStateDict(fewer)).toThrow(StateDictError);
    expect(() => opt.loadStateDict(fewer)).toThrow(/1 param groups, the optimizer has 2/);

    const moreParams = clone();
    moreParams.paramGroups[1]!.params.push(7);
    expect(() => opt.loadStateDict(moreParams)).toThrow(/paramGroups\[1\] has 2 params in the state dict, 1 in the optimizer/);

    const badShape = clone();
    (badShape.state['1']!.expAvg as { shape: number[]; data: number[] }) = { shape: [3], dtype: 'float64', data: [1, 2, 3] } as never;
    expect(() => opt.loadStateDict(badShape)).toThrow(/state\[1\]\.expAvg: shape \[3\] in the state dict, \[2\] for the parameter/);

    const badData = clone();
    (badData.state['0']!.expAvgSq as { data: number[] }).data.pop();
    expect(() => opt.loadStateDict(badData)).toThrow(/state\[0\]\.expAvgSq: shape \[2\] needs 2 values, found 1/);

    const badIndex = clone();
    badIndex.state['5'] = badIndex.state['0']!;
    expect(() => opt.loadStateDict(badIndex)).toThrow(/no parameter has index 5/);

    const badLr = clone();
    badLr.paramGroups[0]!.lr = -1;
    badLr.paramGroups[1]!.lr = 0.01;
    expect(() => opt.loadStateDict(badLr)).toThrow(ArgumentError);

    // nothing changed
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    expect(opt.paramGroups[1]!.lr).toBe(0.5);
  });

  it('skips parameters whose grad is null and zeroGrad clears grads', () => {
    const a = w();
    const b = w();
    const opt = new SGD([a, b], { lr: 0.1, momentum: 0.9 });
    a.grad = tensor([1, 1], { dtype: 'float64' });
    opt.step();
    expect(Array.from(a.storage)).toEqual([0.9, 1.9]);
    expect(Array.from(b.storage)).toEqual([1, 2]);
    expect(opt.state.has(b)).toBe(false);
    opt.zeroGrad();
    expect(a.grad).toBeNull();
  });

  it('does not disturb values saved for an earlier backward (storage is swapped, not written)', () => {
    const a = w();
    const saved = a.detach();
    a.grad = tensor([1, 1], { dtype: 'float64' });
    new SGD([a], { lr: 1 }).step();
    expect(Array.from(saved.storage)).toEqual([1, 2]);
    expect(Array.from(a.storage)).toEqual([0, 1]);
  });
});

describe('optimizers on float32 parameters', () => {
  it('keep the parameter dtype and state dtype and take the same first step as float64 (to float32 rounding)', () => {
    for (const Ctor of [SGD, Adam, AdamW, RMSprop] as unknown as (new (p: Tensor[], o: object) => Optimizer<{ lr: number }>)[]) {
      const p32 = tensor([1, -2, 3], { dtype: 'float32' }).requiresGrad_();
      const p64 = tensor([1, -2, 3], { dtype: 'float64' }).requiresGrad_();
      const o32 = new Ctor([p32], { lr: 0.1, momentum: 0.9 });
      const o64 = new Ctor([p64], { lr: 0.1, momentum: 0.9 });
      for (let i = 0; i < 3; i++) {
        p32.grad = tensor([0.5, -0.25, 1], { dtype: 'float32' });
        p64.grad = tensor([0.5, -0.25, 1], { dtype: 'float64' });
        o32.step();
        o64.step();
      }
      expect(p32.dtype).toBe('float32');
      for (const v of Object.values(o32.state.get(p32)!)) if (v instanceof Object && 'dtype' in v) expect((v as Tensor).dtype).toBe('float32');
      expect(maxAbsDiff(p32, p64)).toBeLessThan(1e-6);
    }
  });
});
