import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Generator, type Tensor, autogradGrad, cast, getKernelPreference, groupNorm, layerNorm, randn, setKernelPreference } from '../../index.js';

const saved = getKernelPreference();
afterEach(() => setKernelPreference(saved));

/** Output, gradients for (x, w, b) given output gradient g, and (optionally) d/dx of Σ dx². */
function evaluate(pref: 'ts' | 'wasm', xs: Tensor[], g: Tensor, k: number, second: boolean) {
  setKernelPreference(pref);
  const ins = xs.map((t) => {
    const c = t.detach();
    c.requiresGrad = true;
    return c;
  });
  const [x, w, b] = ins;
  const ns = x!.shape.slice(x!.ndim - k);
  const y = layerNorm(x!, ns, w ?? null, b ?? null, 1e-5);
  const grads = autogradGrad([y], ins, { gradOutputs: [g], createGraph: second });
  const dd = second ? autogradGrad([grads[0]!.mul(grads[0]!).sum()], [ins[0]!])[0]!.storage : null;
  return { y: y.storage, grads: grads.map((t) => t!.storage), dd };
}

function expectNear(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number, what: string) {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - b[i]!);
    if (!(err <= atol + rtol * Math.abs(b[i]!))) throw new Error(`${what}[${i}]: ${a[i]} vs reference ${b[i]}`);
  }
}

/** Largest 1/√(var + eps) over rows of D values (float64). */
function maxRstd(x: Tensor, D: number): number {
  const s = x.storage;
  let worst = 0;
  for (let r = 0; r < s.length / D; r++) {
    let m = 0;
    for (let j = 0; j < D; j++) m += s[r * D + j]! / D;
    let v = 0;
    for (let j = 0; j < D; j++) v += (s[r * D + j]! - m) ** 2 / D;
    worst = Math.max(worst, 1 / Math.sqrt(v + 1e-5));
  }
  return worst;
}

// Reference: the composite in float64. Tolerance for the float32 kernel (sums over rows of up to
// ~100 values in float32): 1e-5 absolute + 1e-4 relative, the absolute part of dx scaled by the
// row's rstd (rows of nearly equal values are ill-conditioned: the float32 composite errs as much);
// second derivatives 1e-4 (× rstd²) + 1e-3.
describe('fused wasm layerNorm equals the composite', () => {
  it('values and gradients for x, weight, bias on random shapes (odd widths, 1 or 2 normalized dims)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.integer({ min: 0, max: 1e6 }),
        (a, c, d, k, affine, second, seed) => {
          const gen = new Generator(seed);
          const x = randn([a, c, d], { generator: gen }).mul(2).add(0.5);
          const ns = x.shape.slice(3 - k);
          const xs = [x];
          if (affine >= 1) xs.push(randn(ns, { generator: gen }));
          if (affine >= 2) xs.push(randn(ns, { generator: gen }));
          const g = randn(x.shape, { generator: gen });
          const ref = evaluate('ts', xs.map((t) => cast(t, 'float64')), cast(g, 'float64'), k, second);
          const got = evaluate('wasm', xs, g, k, second);
          expectNear(got.y, ref.y, 1e-5, 1e-4, 'value');
          // dx is rstd·(a bracket of cancelling terms of size |g|): its float32 error grows with rstd.
          const r = maxRstd(x, ns.reduce((p, q) => p * q, 1));
          got.grads.forEach((gr, i) => expectNear(gr, ref.grads[i]!, 1e-5 * (i === 0 ? Math.max(1, r) : 1), 1e-4, `grad ${i}`));
          if (second) expectNear(got.dd!, ref.dd!, 1e-4 * Math.max(1, r * r), 1e-3, 'second-order grad');
        },
      ),
      { numRuns: 60 },
    );
  });
  it('a constant row normalizes to 0 (the bias), with finite gradients', () => {
    const x = randn([3, 37], { generator: new Generator(1) }).mul(0).add(4);
    const g = randn([3, 37], { generator: new Generator(2) });
    const w = randn([37], { generator: new Generator(3) });
    const b = randn([37], { generator: new Generator(4) });
    const ref = evaluate('ts', [x, w, b], g, 1, false);
    const got = evaluate('wasm', [x, w, b], g, 1, false);
    expectNear(got.y, ref.y, 1e-6, 1e-6, 'value');
    got.grads.forEach((gr, i) => expectNear(gr, ref.grads[i]!, 1e-3, 1e-4, `grad ${i}`));
  });
});

describe('groupNorm through the fused layerNorm kernel', () => {
  it('float32 (N, C, H, W) with affine: wasm equals the TypeScript composite in value and gradients to 1e-5', () => {
    const run = (pref: 'ts' | 'wasm') => {
      setKernelPreference(pref);
      const g = new Generator(12);
      const x = randn([3, 6, 7, 5], { generator: g }).mul(3).add(1).requiresGrad_();
      const w = randn([6], { generator: g }).requiresGrad_();
      const b = randn([6], { generator: g }).requiresGrad_();
      const r = randn([3, 6, 7, 5], { generator: g });
      const y = groupNorm(x, 3, w, b);
      const grads = autogradGrad([y.mul(r).sum()], [x, w, b]);
      return [y.storage, ...grads.map((t) => t!.storage)];
    };
    const got = run('wasm');
    const want = run('ts');
    got.forEach((a, k) => a.forEach((v, i) => expect(Math.abs(v - want[k]![i]!), `tensor ${k} [${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[k]![i]!)))));
  });
});
