// erfinv near ±1 and linspace with one step, against values printed by torch 2.13 (float64).
import { describe, expect, it } from 'vitest';
import { erfinv, linspace, tensor } from '../index.js';

describe('erfinv tails', () => {
  it('keeps full precision as |y| -> 1 (torch.erfinv)', () => {
    const y = tensor([1 - 2e-12, -0.999999, 0.3, 0.9, 1 - 1e-15], { dtype: 'float64' });
    const want = [4.974133396262827, -3.458910737275499, 0.2724627147267543, 1.1630871536766743, 5.675915739744713];
    (erfinv(y).toArray() as number[]).forEach((v, i) => expect(Math.abs(v - want[i]!) / Math.abs(want[i]!)).toBeLessThan(1e-14));
  });
});

describe('linspace', () => {
  it('a single step is start, as torch.linspace(0.5, 1.5, 1)', () => {
    expect(linspace(0.5, 1.5, 1).toArray()).toEqual([0.5]);
  });
});
