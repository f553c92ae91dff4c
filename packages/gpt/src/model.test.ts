import { DTypeError, Generator, ShapeError, logSoftmax, tensor } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { GPT } from './model.js';

const cfg = { nLayer: 1, nHead: 2, nEmbd: 8, blockSize: 6, vocabSize: 7 };

describe('GPT.forward', () => {
  it('loss is the mean −log p of the non-ignored targets (ignoreIndex for padding)', () => {
    const model = new GPT(cfg, { generator: new Generator(0) });
    const idx = tensor([[1, 2, 3, 4], [5, 6, 0, 1]], { dtype: 'int32' });
    const targets = tensor([[2, 3, -100, 5], [6, -100, 1, -100]], { dtype: 'int32' });
    const { logits, loss } = model.forward(idx, { targets });
    const logp = logSoftmax(logits, -1).toArray() as number[][][];
    const T = targets.toArray() as number[][];
    const picked: number[] = [];
    T.forEach((row, b) => row.forEach((t, i) => t !== -100 && picked.push(-logp[b]![i]![t]!)));
    expect(picked.length).toBe(5);
    expect(loss!.item()).toBeCloseTo(picked.reduce((a, c) => a + c) / picked.length, 5);
    const pad = model.forward(idx, { targets: tensor([[2, 3, 0, 5], [6, 0, 1, 0]], { dtype: 'int32' }), ignoreIndex: 0 }).loss!;
    expect(pad.item()).toBeCloseTo(loss!.item(), 5);
  });

  it('the tied embedding gets gradient from both the input lookup and the head', () => {
    const model = new GPT(cfg, { generator: new Generator(1) });
    // Token 6 never appears as input, so its embedding row's gradient comes from the head alone.
    const { loss } = model.forward(tensor([[1, 2, 3]], { dtype: 'int32' }), { targets: tensor([[2, 3, 4]], { dtype: 'int32' }) });
    loss!.backward();
    const g = model.transformer.wte.weight.grad!.toArray() as number[][];
    expect(g[6]!.some((v) => v !== 0)).toBe(true);
    expect(model.lm_head.weight.grad).toBe(model.transformer.wte.weight.grad);
  });

  it('names bad inputs', () => {
    const model = new GPT(cfg);
    expect(() => model.forward(tensor([[1, 2, 3, 4, 5, 6, 0]], { dtype: 'int32' }))).toThrow(ShapeError);
    expect(() => model.forward(tensor([[1, 2, 3, 4, 5, 6, 0]], { dtype: 'int32' }))).toThrow(/7 positions exceed blockSize 6/);
    expect(() => model.forward(tensor([[1, 2]]))).toThrow(DTypeError);
    expect(() => model.forward(tensor([1, 2], { dtype: 'int32' }))).toThrow(/idx must be \[B, T\], found \[2\]/);
    expect(() => model.forward(tensor([[1, 2]], { dtype: 'int32' }), { targets: tensor([[1]], { dtype: 'int32' }) })).toThrow(/targets must be int32 \[1, 2\]/);
    expect(() => new GPT({ ...cfg, nEmbd: 9 })).toThrow(/nEmbd \(9\) must be a multiple of nHead \(2\)/);
  });
});
