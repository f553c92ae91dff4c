// Property-based tests (fast-check) for broadcasting and shape ops.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as c from '../index.js';
import { broadcastShapes, type Tensor } from '../index.js';

const dim = fc.integer({ min: 1, max: 4 });
const shapeArb = fc.array(dim, { minLength: 0, maxLength: 4 });
const filled = (shape: number[], seed: number): Tensor => c.arange(0, shape.reduce((a, b) => a * b, 1)).add(seed).reshape(shape);

/** Reference broadcasting: align right, each pair equal or one of them 1. */
function refBroadcast(a: number[], b: number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
}

/** A shape that broadcasts to `s`: some dims set to 1, some leading dims dropped. */
const broadcastableTo = (s: number[]) =>
  fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })).map(([drop, ones]) =>
    s.map((d, i) => (ones[i] ? 1 : d)).slice(drop),
  );

describe('broadcasting (property-based)', () => {
  it('broadcastShapes agrees with the reference rule, and throws exactly when it says no', () => {
    fc.assert(
      fc.property(shapeArb, shapeArb, (a, b) => {
        const ref = refBroadcast(a, b);
        if (ref === null) expect(() => broadcastShapes('test', a, b)).toThrow(c.ShapeError);
        else expect(broadcastShapes('test', a, b)).toEqual(ref);
      }),
    );
  });
  it('a + b with broadcasting equals expand(a) + expand(b)', () => {
    fc.assert(
      fc.property(shapeArb.chain((s) => fc.tuple(fc.constant(s), broadcastableTo(s), broadcastableTo(s))), ([, sa, sb]) => {
        const a = filled(sa, 1);
        const b = filled(sb, 100);
        const out = broadcastShapes('t', sa, sb);
        expect(c.add(a, b).toArray()).toEqual(c.add(a.expand(out), b.expand(out)).toArray());
      }),
    );
  });
  it('sumToShape is the adjoint of expand: <expand(x), y> = <x, sumToShape(y)>', () => {
    fc.assert(
      fc.property(shapeArb.chain((s) => fc.tuple(fc.constant(s), broadcastableTo(s))), ([s, sx]) => {
        const x = filled(sx, 0.5).to('float64');
        const y = filled(s, -3).to('float64').mul(0.25);
        const lhs = c.sum(x.expand(s).mul(y)).item();
        const rhs = c.sum(x.mul(c.sumToShape(y, sx))).item();
        expect(lhs).toBeCloseTo(rhs, 8);
      }),
    );
  });
});

describe('shape ops (property-based)', () => {
  const tensorArb = fc.array(dim, { minLength: 1, maxLength: 4 }).map((s) => filled(s, 0));
  it('permute by p then by p⁻¹ is the identity', () => {
    fc.assert(
      fc.property(tensorArb.chain((t) => fc.tuple(fc.constant(t), fc.shuffledSubarray([...Array(t.ndim).keys()], { minLength: t.ndim, maxLength: t.ndim }))), ([t, p]) => {
        const inv = new Array<number>(p.length);
        p.forEach((v, i) => (inv[v] = i));
        expect(t.permute(p).permute(inv).toArray()).toEqual(t.toArray());
      }),
    );
  });
  it('cat(split(x)) = x along any dim and split sizes', () => {
    fc.assert(
      fc.property(tensorArb.chain((t) => fc.tuple(fc.constant(t), fc.integer({ min: 0, max: t.ndim - 1 }), fc.integer({ min: 1, max: 4 }))), ([t, d, size]) => {
        expect(c.cat(c.split(t, size, d), d).toArray()).toEqual(t.toArray());
      }),
    );
  });
  it('flip twice, transpose twice, squeeze∘unsqueeze and reshape round trips are identities', () => {
    fc.assert(
      fc.property(tensorArb.chain((t) => fc.tuple(fc.constant(t), fc.integer({ min: 0, max: t.ndim - 1 }), fc.integer({ min: 0, max: t.ndim - 1 }))), ([t, d0, d1]) => {
        expect(c.flip(c.flip(t, d0), d0).toArray()).toEqual(t.toArray());
        expect(t.transpose(d0, d1).transpose(d0, d1).toArray()).toEqual(t.toArray());
        expect(c.squeeze(c.unsqueeze(t, d0), d0).toArray()).toEqual(t.toArray());
        expect(t.reshape([-1]).reshape([...t.shape]).toArray()).toEqual(t.toArray());
      }),
    );
  });
  it('roll by k then by −k is the identity; narrow pieces cat back', () => {
    fc.assert(
      fc.property(tensorArb.chain((t) => fc.tuple(fc.constant(t), fc.integer({ min: 0, max: t.ndim - 1 }), fc.integer({ min: -7, max: 7 }))), ([t, d, k]) => {
        expect(c.roll(c.roll(t, k, d), -k, d).toArray()).toEqual(t.toArray());
        const n = t.shape[d]!;
        const cut = Math.floor(n / 2);
        expect(c.cat([c.narrow(t, d, 0, cut), c.narrow(t, d, cut, n - cut)].filter((p) => p.shape[d]! > 0), d).toArray()).toEqual(t.toArray());
      }),
    );
  });
  it('pad then negative pad (crop) is the identity', () => {
    fc.assert(
      fc.property(tensorArb.chain((t) => fc.tuple(fc.constant(t), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 2 }))), ([t, p]) => {
        expect(c.pad(c.pad(t, p), p.map((v) => -v)).toArray()).toEqual(t.toArray());
      }),
    );
  });
});

/** Row-major multi-index of flat index i in `shape`. */
function unravel(i: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/** Row-major flat index of a multi-index. */
const ravel = (idx: number[], shape: number[]) => idx.reduce((acc, v, d) => acc * shape[d]! + v, 0);

// Dims up to 40 and 6 axes, so the kernels' block paths (runs of ≥ 32 copied with set, short
// alternating reduced/kept dims as in an upsample's backward) are all reached.
describe('reduce and expand kernels against index-by-index references (property-based)', () => {
  const bigDim = fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 30, max: 40 }));
  const bigShape = fc.array(bigDim, { minLength: 1, maxLength: 6 }).filter((s) => s.reduce((a, b) => a * b, 1) <= 20_000);
  it('sum over any subset of axes equals the element-by-element sum into output slots', () => {
    fc.assert(
      fc.property(bigShape.chain((s) => fc.tuple(fc.constant(s), fc.subarray([...s.keys()]), fc.boolean())), ([s, axes, keepdims]) => {
        const x = filled(s, 0).mul(0.5).sub(7);
        const X = x.data() as Float32Array;
        const kept = s.map((d, i) => (axes.includes(i) ? 1 : d));
        const ref = new Float64Array(kept.reduce((a, b) => a * b, 1));
        for (let i = 0; i < X.length; i++) {
          const idx = unravel(i, s).map((v, d) => (axes.includes(d) ? 0 : v));
          ref[ravel(idx, kept)]! += X[i]!;
        }
        const got = c.sum(x, axes, keepdims);
        expect(got.shape).toEqual(keepdims ? kept : s.filter((_, i) => !axes.includes(i)));
        expect(Array.from(got.data())).toEqual(Array.from(Float32Array.from(ref)));
      }),
      { numRuns: 60 },
    );
  });
  it('sum over interleaved axes, [.., H, p, W, q] over p and q (an upsample\'s backward), equals the element-by-element sum', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 2, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 2, max: 3 })),
        ([n, h, p, w, q]) => {
          const s = [n, h, p, w, q];
          const x = filled(s, 0).mul(0.37).sin();
          const X = x.data() as Float32Array;
          const ref = new Float64Array(n * h * w);
          for (let i = 0; i < X.length; i++) {
            const [a, b, , d] = unravel(i, s) as [number, number, number, number, number];
            ref[(a * h + b) * w + d]! += X[i]!;
          }
          const got = c.sum(x, [2, 4]);
          expect(got.shape).toEqual([n, h, w]);
          const G = got.data() as Float32Array;
          for (let i = 0; i < ref.length; i++) expect(Math.abs(G[i]! - ref[i]!)).toBeLessThanOrEqual(1e-6);
        },
      ),
      { numRuns: 40 },
    );
  });
  it('expand reads each output element from its broadcast input element', () => {
    fc.assert(
      fc.property(
        bigShape.chain((s) => fc.tuple(fc.constant(s), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))),
        ([s, ones]) => {
          const sx = s.map((d, i) => (ones[i] ? 1 : d));
          const x = filled(sx, 3);
          const X = x.data() as Float32Array;
          const got = x.expand(s).data() as Float32Array;
          for (let i = 0; i < got.length; i++) {
            const idx = unravel(i, s).map((v, d) => (sx[d] === 1 ? 0 : v));
            if (got[i] !== X[ravel(idx, sx)]) expect([i, got[i]]).toEqual([i, X[ravel(idx, sx)]]);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
