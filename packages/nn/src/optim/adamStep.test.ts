import { Generator, type KernelPreference, type Tensor, getKernelPreference, randn, setKernelPreference } from '@likelihood/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Adam, type AdamOptions, AdamW } from './adam.js';

// The tensor-op form of the same optimizers: the reference the fused kernel must reproduce.
class AdamTensorOps extends Adam {
  protected override readonly fusedStep = false;
}
class AdamWTensorOps extends AdamW {
  protected override readonly fusedStep = false;
}

type Ctor = new (p: Tensor[], o: Partial<AdamOptions>) => Adam;

/** Runs `steps` updates with random gradients (same seed for both) and returns the parameters' and states' values. */
function run(C: Ctor, opts: Partial<AdamOptions>, dtype: 'float32' | 'float64', steps: number, big = false): number[][] {
  const g = new Generator(7);
  // odd sizes, a scalar and a matrix (big: also one large enough for core's wasm kernel under 'auto')
  const shapes = big ? [[37], [5, 3], [], [101, 97]] : [[37], [5, 3], []];
  const params = shapes.map((s) => randn(s, { generator: g, dtype }).requiresGrad_());
  const opt = new C(params, opts);
  for (let s = 0; s < steps; s++) {
    for (const p of params) p.grad = randn(p.shape, { generator: g, dtype }).mul(s % 3 === 0 ? 1e-4 : 3);
    opt.step();
  }
  const out: number[][] = params.map((p) => Array.from(p.storage));
  for (const p of params) for (const v of Object.values(opt.state.get(p)!)) if (typeof v === 'object' && v && 'storage' in v) out.push(Array.from((v as Tensor).storage));
  return out;
}

describe('fused Adam/AdamW step', () => {
  const cases: [string, Ctor, Ctor, Partial<AdamOptions>][] = [
    ['Adam', Adam, AdamTensorOps, {}],
    ['Adam with L2 weight decay, betas with 1 − β₁ ≥ 0.5', Adam, AdamTensorOps, { weightDecay: 0.3, betas: [0.4, 0.9], lr: 0.01 }],
    ['Adam amsgrad maximize', Adam, AdamTensorOps, { amsgrad: true, maximize: true, lr: 0.05 }],
    ['AdamW (decoupled decay 0.1, β₂ 0.99 as nanoGPT)', AdamW, AdamWTensorOps, { weightDecay: 0.1, betas: [0.9, 0.99], lr: 1e-3 }],
    ['AdamW amsgrad, eps 0', AdamW, AdamWTensorOps, { amsgrad: true, eps: 0, lr: 0.1 }],
  ];
  for (const [name, Fused, Ops, opts] of cases) {
    for (const dtype of ['float32', 'float64'] as const) {
      const what = dtype === 'float64' ? 'bit for bit' : 'to float32 rounding (rel. 1e-5 of each tensor\'s largest value)';
      it(`${name} (${dtype}): the same values as the tensor-op form over 12 steps, ${what}`, () => {
        const fused = run(Fused, opts, dtype, 12);
        const ops = run(Ops, opts, dtype, 12);
        expect(fused.length).toBe(ops.length);
        fused.forEach((v, i) => {
          const want = ops[i]!;
          if (dtype === 'float64') expect(v).toEqual(want);
          else {
            const scale = Math.max(...want.map(Math.abs));
            v.forEach((x, j) => expect(Math.abs(x - want[j]!)).toBeLessThanOrEqual(1e-5 * scale));
          }
        });
      });
    }
  }
});

describe('the float32 step in core\'s wasm kernel (fusedAdamUpdate)', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));
  const withKernels = (k: KernelPreference, f: () => number[][]) => {
    setKernelPreference(k);
    return f();
  };
  const cases: [string, Ctor, Partial<AdamOptions>][] = [
    ['Adam', Adam, {}],
    ['Adam with L2 weight decay, 1 − β₁ ≥ 0.5, maximize', Adam, { weightDecay: 0.3, betas: [0.4, 0.9], lr: 0.01, maximize: true }],
    ['AdamW (decoupled decay 0.1, β₂ 0.99)', AdamW, { weightDecay: 0.1, betas: [0.9, 0.99], lr: 1e-3 }],
  ];
  for (const [name, C, opts] of cases) {
    it(`${name}: identical parameters and state to the JS loop over 12 steps, bit for bit`, () => {
      const wasm = withKernels('wasm', () => run(C, opts, 'float32', 12, true));
      const js = withKernels('ts', () => run(C, opts, 'float32', 12, true));
      expect(wasm).toEqual(js);
    });
  }
});
