import { describe, expect, it } from 'vitest';
import { Generator, bernoulli, gamma, getKernelPreference, manualSeed, setKernelPreference, multinomial, philox4x32, poisson, rand, randint, randn, randperm, tensor } from '../index.js';

const hex = (a: Uint32Array) => Array.from(a, (x) => x.toString(16).padStart(8, '0'));

// Chi-square critical values at p = 0.001 (a correct sampler fails one check in a thousand runs;
// seeds are fixed, so each test is deterministic).
const CHI2_999: Record<number, number> = { 9: 27.877, 19: 43.82, 4: 18.467, 2: 13.816, 5: 20.515 };

function chiSquare(counts: number[], expected: number[]): number {
  return counts.reduce((s, c, i) => s + (c - expected[i]!) ** 2 / expected[i]!, 0);
}

describe('Philox4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    philox4x32(0, 0, 0, 0, 0, 0, out);
    expect(hex(out)).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    philox4x32(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, out);
    expect(hex(out)).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0, out);
    expect(hex(out)).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });
});

describe('Generator', () => {
  it('same seed, same stream; different seeds differ; state resumes exactly', () => {
    const a = new Generator(42);
    const b = new Generator(42);
    const xs = Array.from({ length: 10 }, () => a.nextUint32());
    expect(Array.from({ length: 10 }, () => b.nextUint32())).toEqual(xs);
    expect(new Generator(43).nextUint32()).not.toBe(xs[0]);
    const g = new Generator(7);
    g.random();
    g.nextUint32(); // mid-block
    const state = JSON.parse(JSON.stringify(g.getState()));
    const next = Array.from({ length: 9 }, () => g.nextUint32());
    expect(Array.from({ length: 9 }, () => new Generator(0).setState(state).nextUint32())).not.toEqual(next); // fresh each time
    const r = new Generator(0).setState(state);
    expect(Array.from({ length: 9 }, () => r.nextUint32())).toEqual(next);
  });
  it('fillUniform (whole Philox blocks, in JS or wasm) gives the per-draw stream from any offset, float32 and float64, and leaves the state where the draws would', () => {
    const saved = getKernelPreference();
    for (const pref of ['ts', 'wasm', 'auto'] as const) {
      setKernelPreference(pref);
      for (const skip of [0, 1, 2, 3, 4, 5, 6, 7]) {
        for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 2051, 4099]) {
          for (const f64 of [false, true]) {
            const a = new Generator(99);
            const b = new Generator(99);
            for (let k = 0; k < skip; k++) {
              a.nextUint32();
              b.nextUint32();
            }
            const filled = f64 ? new Float64Array(n) : new Float32Array(n);
            a.fillUniform(filled);
            const drawn = Array.from({ length: n }, () => (f64 ? b.random() : Math.fround(b.random24())));
            expect(Array.from(filled), `skip ${skip}, n ${n}, ${f64 ? 'float64' : 'float32'}`).toEqual(drawn);
            expect(a.getState()).toEqual(b.getState());
            expect(a.nextUint32()).toBe(b.nextUint32());
          }
        }
      }
    }
    setKernelPreference(saved);
  });
  it('fillNormal is Box–Muller on consecutive random() pairs, from any offset and for odd lengths', () => {
    for (const skip of [0, 1, 2, 3]) {
      for (const n of [1, 2, 5, 2048, 4099]) {
        const a = new Generator(5);
        const b = new Generator(5);
        for (let k = 0; k < skip; k++) {
          a.nextUint32();
          b.nextUint32();
        }
        const got = new Float64Array(n);
        a.fillNormal(got);
        const want: number[] = [];
        while (want.length < n) {
          const r = Math.sqrt(-2 * Math.log(1 - b.random()));
          const t = 2 * Math.PI * b.random();
          want.push(r * Math.cos(t), r * Math.sin(t));
        }
        expect(Array.from(got)).toEqual(want.slice(0, n));
        expect(a.getState()).toEqual(b.getState());
      }
    }
  });
  it('fillUniform across a 2³²-block counter boundary (wasm carries into the high word as the JS loop does)', () => {
    const saved = getKernelPreference();
    const state = { seed: '12345678901234', offset: 4 * (2 ** 32 - 300) }; // 300 blocks before the carry
    const got: number[][] = [];
    for (const pref of ['ts', 'wasm'] as const) {
      setKernelPreference(pref);
      const out = new Float32Array(4 * 1000);
      new Generator(0).setState(state).fillUniform(out);
      got.push(Array.from(out));
    }
    setKernelPreference(saved);
    expect(got[1]).toEqual(got[0]);
  });
  it('manualSeed makes default-generator draws reproducible; tensor draws are fixed by the seed', () => {
    manualSeed(3);
    const x = rand([5]).toArray();
    manualSeed(3);
    expect(rand([5]).toArray()).toEqual(x);
    expect(randn([3], { generator: new Generator(1), dtype: 'float64' }).toArray()).toEqual(randn([3], { generator: new Generator(1), dtype: 'float64' }).toArray());
    expect(() => new Generator(1.5)).toThrow(/safe integer/);
  });
});

describe('distributions of draws (fixed seeds)', () => {
  const n = 200_000;
  it('uniform: mean 1/2, variance 1/12 (5 standard errors), chi-square over 10 bins', () => {
    const u = rand([n], { generator: new Generator(1), dtype: 'float64' }).storage as Float64Array;
    let m = 0;
    for (const v of u) m += v;
    m /= n;
    let v2 = 0;
    for (const v of u) v2 += (v - m) ** 2;
    v2 /= n;
    expect(Math.abs(m - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(v2 - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n)); // Var of (U−½)² is 1/180
    const counts = new Array(10).fill(0);
    for (const v of u) counts[Math.floor(v * 10)]++;
    expect(chiSquare(counts, new Array(10).fill(n / 10))).toBeLessThan(CHI2_999[9]!);
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
  });
  it('normal: mean 0, variance 1, and the N(0,1) cdf on 6 bins by chi-square', () => {
    const z = randn([n], { generator: new Generator(2), dtype: 'float64' }).storage as Float64Array;
    let m = 0;
    let s = 0;
    for (const v of z) {
      m += v;
      s += v * v;
    }
    m /= n;
    s = s / n - m * m;
    expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    // bins split at 0, ±1, ±2 with probabilities from Φ
    const edges = [-2, -1, 0, 1, 2];
    const p = [0.0227501319, 0.1359051220, 0.3413447461, 0.3413447461, 0.1359051220, 0.0227501319];
    const counts = new Array(6).fill(0);
    for (const v of z) counts[edges.filter((e) => v >= e).length]++;
    expect(chiSquare(counts, p.map((q) => q * n))).toBeLessThan(CHI2_999[5]!);
  });
  it('randint: uniform over [low, high) by chi-square', () => {
    const r = randint(-3, 7, [n], { generator: new Generator(3) }).storage as Int32Array;
    const counts = new Array(10).fill(0);
    for (const v of r) counts[v + 3]++;
    expect(chiSquare(counts, new Array(10).fill(n / 10))).toBeLessThan(CHI2_999[9]!);
  });
  it('randperm: a permutation, every value equally likely in position 0', () => {
    const g = new Generator(4);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 20000; i++) {
      const p = Array.from(randperm(5, { generator: g }).storage as Int32Array);
      expect([...p].sort()).toEqual([0, 1, 2, 3, 4]);
      counts[p[0]!]++;
    }
    expect(chiSquare(counts, new Array(5).fill(4000))).toBeLessThan(CHI2_999[4]!);
  });
  it('bernoulli: frequency within 5 standard errors of p', () => {
    const p = tensor([0.1, 0.5, 0.93], { dtype: 'float64' });
    const draws = bernoulli(p.reshape([1, 3]).expand([50000, 3]), { generator: new Generator(5) }).mean(0).toArray() as number[];
    [0.1, 0.5, 0.93].forEach((q, i) => expect(Math.abs(draws[i]! - q)).toBeLessThan(5 * Math.sqrt((q * (1 - q)) / 50000)));
  });
  it('gamma: mean α and variance α for α in {0.3, 1, 4.5, 50}', () => {
    for (const a of [0.3, 1, 4.5, 50]) {
      const x = gamma(tensor(new Float64Array(100000).fill(a)), { generator: new Generator(6) }).storage as Float64Array;
      let m = 0;
      let s = 0;
      for (const v of x) {
        m += v;
        s += v * v;
      }
      m /= x.length;
      s = s / x.length - m * m;
      expect(Math.abs(m - a)).toBeLessThan(5 * Math.sqrt(a / x.length));
      expect(Math.abs(s - a) / a).toBeLessThan(0.05); // variance within 5%
    }
  });
  it('poisson: mean and variance λ for small and large λ (inversion and PTRS), pmf by chi-square at λ = 3', () => {
    for (const lam of [0.7, 3, 12, 250]) {
      const x = poisson(tensor(new Float64Array(100000).fill(lam)), { generator: new Generator(7) }).storage as Float64Array;
      let m = 0;
      let s = 0;
      for (const v of x) {
        m += v;
        s += v * v;
      }
      m /= x.length;
      s = s / x.length - m * m;
      expect(Math.abs(m - lam)).toBeLessThan(5 * Math.sqrt(lam / x.length));
      expect(Math.abs(s - lam) / lam).toBeLessThan(0.05);
      if (lam === 3) {
        const counts = new Array(10).fill(0);
        for (const v of x) counts[Math.min(v, 9)]++;
        let pk = Math.exp(-3);
        const expected: number[] = [];
        let cum = 0;
        for (let k = 0; k < 9; k++) {
          expected.push(pk * x.length);
          cum += pk;
          pk *= 3 / (k + 1);
        }
        expected.push((1 - cum) * x.length);
        expect(chiSquare(counts, expected)).toBeLessThan(CHI2_999[9]!);
      }
    }
  });
  it('multinomial with replacement follows the probabilities; without replacement has the exact inclusion law', () => {
    const probs = tensor([[1, 2, 3, 4]], { dtype: 'float64' });
    const draws = multinomial(probs, 100000, { replacement: true, generator: new Generator(8) }).storage as Int32Array;
    const counts = new Array(4).fill(0);
    for (const v of draws) counts[v]++;
    expect(chiSquare(counts, [0.1, 0.2, 0.3, 0.4].map((q) => q * 100000))).toBeLessThan(13.816 + 2.45); // 3 dof: 16.266
    // Two draws without replacement from weights (1, 1, 2): P(category 2 first) = 1/2; it is included
    // with probability 1/2 + 2·(1/4)(2/3) = 5/6.
    const g = new Generator(9);
    let included = 0;
    const m = 30000;
    const w = tensor([[1, 1, 2]], { dtype: 'float64' });
    for (let i = 0; i < m; i++) {
      const d = multinomial(w, 2, { generator: g }).storage as Int32Array;
      expect(d[0]).not.toBe(d[1]);
      if (d[0] === 2 || d[1] === 2) included++;
    }
    expect(Math.abs(included / m - 5 / 6)).toBeLessThan(5 * Math.sqrt((5 / 6) * (1 / 6) / m));
    expect(() => multinomial(w, 4)).toThrow(/without replacement from 3 categories/);
  });
});
