import { Generator, ShapeError, randn, zeros } from '@likelihood/core';
import { describe, expect, it } from 'vitest';
import { bruteJacobian, checkBijectorInvariants, randomizeParameters } from '../invariants.test-util.js';
import { MADE } from './made.js';
import { IAF, MAF } from './maskedAffine.js';

const f64 = { dtype: 'float64' as const };

describe('MADE', () => {
  it('is autoregressive: the Jacobian of every output block is strictly lower triangular in the order', () => {
    for (const order of [undefined, [2, 0, 4, 1, 3]]) {
      const made = new MADE(5, { hidden: [16, 16], outputMultiplier: 2, order, zeroInit: false, dtype: 'float64', generator: new Generator(1) });
      const x = randn([2, 5], { generator: new Generator(2), ...f64 });
      const pos = order ? (i: number) => order.indexOf(i) : (i: number) => i;
      for (let k = 0; k < 2; k++) {
        const j = bruteJacobian((v) => made.forward(v).narrow(2, k, 1).squeeze(2), x); // [N, out, in]
        const s = j.storage;
        let nonzero = 0;
        for (let n = 0; n < 2; n++)
          for (let o = 0; o < 5; o++)
            for (let i = 0; i < 5; i++) {
              const v = s[(n * 5 + o) * 5 + i]!;
              if (pos(i) >= pos(o)) expect(v).toBe(0);
              else if (v !== 0) nonzero++;
            }
        // the allowed connections are really used (not a trivially zero network)
        expect(nonzero).toBeGreaterThan(10);
      }
    }
  });
  it('with a context: outputs depend on the context but stay autoregressive in x', () => {
    const made = new MADE(3, { hidden: [8], contextFeatures: 2, zeroInit: false, dtype: 'float64', generator: new Generator(3) });
    const x = randn([2, 3], { generator: new Generator(4), ...f64 });
    const c = randn([2, 2], { generator: new Generator(5), ...f64 });
    const j = bruteJacobian((v) => made.forward(v, c).squeeze(2), x);
    for (let n = 0; n < 2; n++) for (let o = 0; o < 3; o++) for (let i = o; i < 3; i++) expect(j.storage[(n * 3 + o) * 3 + i]).toBe(0);
    const jc = bruteJacobian((v) => made.forward(x, v).squeeze(2), c);
    expect(Math.max(...Array.from(jc.storage as Float64Array, Math.abs))).toBeGreaterThan(1e-3);
  });
  it('rejects an order that is not a permutation', () => {
    expect(() => new MADE(3, { order: [0, 0, 1] })).toThrow(/order must be a permutation of 0..2/);
  });
});

describe('MAF and IAF: shared bijector invariants (float64)', () => {
  for (const [name, make] of [
    ['MAF', (c: number) => new MAF(4, { hidden: [12, 12], contextFeatures: c, dtype: 'float64' })],
    ['IAF', (c: number) => new IAF(4, { hidden: [12, 12], contextFeatures: c, dtype: 'float64' })],
  ] as const) {
    it(`${name}`, () => {
      const b = make(0);
      randomizeParameters(b, 6);
      checkBijectorInvariants(b, randn([3, 4], { generator: new Generator(7), ...f64 }));
    });
    it(`${name} with a context`, () => {
      const b = make(3);
      randomizeParameters(b, 8);
      const g = new Generator(9);
      checkBijectorInvariants(b, randn([3, 4], { generator: g, ...f64 }), { context: randn([3, 3], { generator: g, ...f64 }) });
    });
  }
  it('MAF data → noise and IAF noise → data are one pass each: the Jacobian is triangular', () => {
    const b = new MAF(4, { hidden: [12], dtype: 'float64' });
    randomizeParameters(b, 10);
    const y = randn([1, 4], { generator: new Generator(11), ...f64 });
    const j = bruteJacobian((v) => b.inverse(v).x, y).storage;
    for (let o = 0; o < 4; o++) for (let i = o + 1; i < 4; i++) expect(j[o * 4 + i]).toBe(0);
  });
  it('wrong event size is a ShapeError', () => {
    expect(() => new MAF(4).inverse(zeros([2, 3]))).toThrow(ShapeError);
  });
});
