import { Generator, type Tensor, randn } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
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
function run(C: Ctor, opts: Partial<AdamOptions>, dtype: 'float32' | 'float64', steps: number): number[][] {
  const g = new Generator(7);
  // odd sizes, a scalar and a matrix
  const params = [randn([37], { generator: g, dtype }), randn([5, 3], { generator: g, dtype }), randn([], { generator: g, dtype })].map((p) => p.requiresGrad_());
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
