import { describe, expect, it } from 'vitest';
import { tensor, grad, matmul } from './index.js';

describe('smoke', () => {
  it('adds and backprops', () => {
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const w = tensor([[0.5], [-1]], { requiresGrad: true });
    const y = matmul(x, w).mul(x.sum(1, true)).sum();
    y.backward();
    expect(y.item()).toBeCloseTo(-1.5 * 3 - 2.5 * 7);
    expect(w.grad!.toArray()).toEqual([[1 * 3 + 3 * 7], [2 * 3 + 4 * 7]]);
    const f = (t: any) => t.mul(t).mul(t).sum();
    const hv = grad((t: any) => grad(f)(t).sum())(tensor([2, 3]));
    expect((hv as any).toArray()).toEqual([12, 18]);
  });
});
