import { ArgumentError, type Tensor, tensor } from '@likelihood/core';
import { loadFixture, maxAbsDiff } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { clipGradNorm_, clipGradValue_ } from './clip.js';

interface ClipCase {
  fn: 'norm' | 'value';
  arg: number;
  normType: number | string | null;
  withNone: boolean;
  total: number | string | null;
  grads: number[][] | number[][][];
  clipped: (number[] | number[][] | null)[];
}
const fixture = loadFixture<{ clip: ClipCase[] }>(new URL('../../fixtures/optim.json', import.meta.url));
const dec = (v: number | string) => (v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));

describe('gradient clipping matches torch.nn.utils', () => {
  for (const c of fixture.clip) {
    it(`${c.fn} ${c.arg} normType ${c.normType}${c.withNone ? ' (one grad is null)' : ''}`, () => {
      const ps: Tensor[] = c.grads.map((g, i) => {
        const p = tensor(g as number[], { dtype: 'float64' });
        p.grad = c.withNone && i === 1 ? null : tensor(g as number[], { dtype: 'float64' });
        return p;
      });
      let worst = 0;
      if (c.fn === 'norm') {
        const total = clipGradNorm_(ps, c.arg, dec(c.normType!));
        worst = Math.abs(total - dec(c.total!));
      } else {
        clipGradValue_(ps, c.arg);
      }
      ps.forEach((p, i) => {
        const e = c.clipped[i];
        if (e === null) expect(p.grad).toBeNull();
        else worst = Math.max(worst, maxAbsDiff(p.grad!, e as number[]));
      });
      if (process.env.OPTIM_REPORT) console.log(`MAXERR clip ${c.fn} ${c.normType}: ${worst}`);
      expect(worst).toBeLessThan(1e-14);
    });
  }

  it('returns 0 with no grads, rejects bad arguments, and can refuse a non-finite norm', () => {
    const p = tensor([1, 2], { dtype: 'float64' });
    expect(clipGradNorm_([p], 1)).toBe(0);
    expect(() => clipGradNorm_([p], 1, -1)).toThrow(ArgumentError);
    expect(() => clipGradValue_(p, -1)).toThrow(/clipValue: expected a number >= 0, found -1/);
    p.grad = tensor([Infinity, 1], { dtype: 'float64' });
    expect(() => clipGradNorm_(p, 1, 2, { errorIfNonfinite: true })).toThrow(/errorIfNonfinite/);
    p.grad = tensor([3, 4], { dtype: 'float32' });
    expect(clipGradNorm_(p, 1)).toBe(5);
    expect(p.grad!.dtype).toBe('float32');
  });
});
