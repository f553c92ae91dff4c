// Issue 7's end-to-end check: GPT training steps give the same losses and weights with core's
// fast kernels (fused linear, attention, layerNorm, GELU, softmax, wasm GEMM at every size) and
// with the plain TypeScript reference kernels and composites.
import { Generator, type KernelPreference, getKernelPreference, randint, setKernelPreference } from '@likelihood/core';
import { afterEach, describe, expect, it } from 'vitest';
import { GPT } from './model.js';
import { configureOptimizer } from './optimizer.js';

function train(kernels: KernelPreference): { losses: number[]; weights: Float32Array } {
  setKernelPreference(kernels);
  const g = new Generator(11);
  const model = new GPT({ nLayer: 2, nHead: 2, nEmbd: 16, blockSize: 12, vocabSize: 13, dropout: 0 }, { generator: g });
  const opt = configureOptimizer(model, { lr: 3e-3 });
  const x = randint(0, 13, [3, 12], { generator: g });
  const y = randint(0, 13, [3, 12], { generator: g });
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const { loss } = model.forward(x, { targets: y });
    loss!.backward();
    opt.step();
    opt.zeroGrad();
    losses.push(loss!.item());
  }
  return { losses, weights: model.transformer.h.at(1).mlp.c_fc.weight.storage as Float32Array };
}

describe('GPT training with fast kernels on and off', () => {
  const saved = getKernelPreference();
  afterEach(() => setKernelPreference(saved));
  it('gives the same losses (1e-5) and weights (1e-5) after 4 AdamW steps', () => {
    const fast = train('wasm');
    const ref = train('ts');
    fast.losses.forEach((l, i) => expect(Math.abs(l - ref.losses[i]!)).toBeLessThan(1e-5));
    expect(fast.losses[3]).toBeLessThan(fast.losses[0]!);
    let worst = 0;
    fast.weights.forEach((w, i) => (worst = Math.max(worst, Math.abs(w - ref.weights[i]!))));
    expect(worst).toBeLessThan(1e-5);
  });
});
