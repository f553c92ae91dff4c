// The CPU kernels' fast paths (merged broadcast runs, written-out arithmetic, row/column sums)
// against plain per-element references on random shapes, including odd and size-1 dims.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Generator, getKernel, randn } from '../../index.js';
import type { TensorData } from '../../registry.js';
import { broadcastShapes, sizeOf, stridesOf } from '../../shape.js';

const dim = fc.integer({ min: 1, max: 7 });
const shapeArb = fc.array(dim, { minLength: 0, maxLength: 4 });
/** A shape that broadcasts to `s`: some dims set to 1, some leading dims dropped. */
const broadcastableTo = (s: number[]) =>
  fc.tuple(fc.integer({ min: 0, max: s.length }), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length })).map(([drop, ones]) =>
    s.map((d, i) => (ones[i] ? 1 : d)).slice(drop),
  );
const pairArb = shapeArb.chain((s) => fc.tuple(broadcastableTo(s), broadcastableTo(s)));

let seed = 1;
const data = (shape: number[], dtype: 'float32' | 'float64' = 'float32'): TensorData => randn(shape, { generator: new Generator(seed++), dtype });

/** Element of `x` at the output multi-index `idx` under broadcasting. */
function at(x: TensorData, idx: number[]): number {
  const st = stridesOf(x.shape);
  const lead = idx.length - x.shape.length;
  let off = 0;
  x.shape.forEach((d, i) => (off += (d === 1 ? 0 : idx[lead + i]!) * st[i]!));
  return x.storage[off]!;
}

function multiIndex(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

const OPS: [string, (a: number, b: number) => number][] = [
  ['Add', (a, b) => a + b],
  ['Sub', (a, b) => a - b],
  ['Mul', (a, b) => a * b],
  ['Div', (a, b) => a / b],
  ['Max', (a, b) => Math.max(a, b)],
];

describe('CPU kernel fast paths vs per-element references (property-based)', () => {
  for (const [op, f] of OPS) {
    it(`${op} with broadcasting, float32 and float64`, () => {
      fc.assert(
        fc.property(pairArb, fc.boolean(), ([sa, sb], f64) => {
          const dtype = f64 ? 'float64' : 'float32';
          const a = data(sa, dtype);
          const b = data(sb, dtype);
          const out = getKernel(op as 'Add')([a, b], {});
          const shape = broadcastShapes('t', sa, sb);
          expect(out.shape).toEqual(shape);
          const want = new (f64 ? Float64Array : Float32Array)(sizeOf(shape));
          for (let i = 0; i < want.length; i++) {
            const idx = multiIndex(i, shape);
            want[i] = f(at(a, idx), at(b, idx));
          }
          expect(out.storage).toEqual(want);
        }),
      );
    });
  }
  it('Where with a broadcast mask, value and scalar', () => {
    fc.assert(
      fc.property(shapeArb.chain((s) => fc.tuple(broadcastableTo(s), broadcastableTo(s), broadcastableTo(s))), ([sc, sa, sb]) => {
        const cond = data(sc);
        const c: TensorData = { shape: sc, dtype: 'bool', storage: Uint8Array.from(cond.storage, (v) => (v > 0 ? 1 : 0)) };
        const a = data(sa);
        const b = data(sb);
        const out = getKernel('Where')([c, a, b], {});
        const shape = broadcastShapes('t', sc, sa, sb);
        const want = Float32Array.from({ length: sizeOf(shape) }, (_, i) => {
          const idx = multiIndex(i, shape);
          return at(c, idx) ? at(a, idx) : at(b, idx);
        });
        expect(out.storage).toEqual(want);
      }),
    );
  });
  it('Transpose by any permutation', () => {
    fc.assert(
      fc.property(
        fc.array(dim, { minLength: 1, maxLength: 4 }).chain((s) => fc.tuple(fc.constant(s), fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length }))),
        ([s, perm]) => {
          const x = data(s);
          const out = getKernel('Transpose')([x], { perm });
          const shape = perm.map((p) => s[p]!);
          const want = Float32Array.from({ length: sizeOf(shape) }, (_, i) => {
            const idx = multiIndex(i, shape);
            const src = new Array<number>(s.length);
            perm.forEach((p, d) => (src[p] = idx[d]!));
            return at(x, src);
          });
          expect(out.shape).toEqual(shape);
          expect(out.storage).toEqual(want);
        },
      ),
    );
  });
  it('ReduceSum over any set of axes (float64 accumulation), keepdims or not', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) => fc.tuple(fc.constant(s), fc.subarray([...s.keys()]), fc.boolean())),
        ([s, axes, keepdims]) => {
          const x = data(s, 'float64');
          const out = getKernel('ReduceSum')([x], { axes, keepdims });
          const kept = s.map((d, i) => (axes.includes(i) ? 1 : d));
          const want = new Float64Array(sizeOf(kept));
          for (let i = 0; i < x.storage.length; i++) {
            const idx = multiIndex(i, s);
            let o = 0;
            kept.forEach((d, k) => (o = o * d + (axes.includes(k) ? 0 : idx[k]!)));
            want[o]! += x.storage[i]!;
          }
          expect(out.shape).toEqual(keepdims ? kept : s.filter((_, i) => !axes.includes(i)));
          for (let i = 0; i < want.length; i++) expect(out.storage[i]).toBeCloseTo(want[i]!, 12);
        },
      ),
    );
  });
  it('Pad (constant, negative amounts crop) including trailing size-1 dims', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) => fc.tuple(fc.constant(s), fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 2 * s.length, maxLength: 2 * s.length }))),
        ([s, raw]) => {
          const nd = s.length;
          // keep every output dim >= 0: a crop never exceeds the dim
          const pads = raw.map((p, i) => Math.max(p, -Math.floor(s[i % nd]! / 2)));
          const x = data(s);
          const out = getKernel('Pad')([x], { pads, mode: 'constant', value: 0.5 });
          const shape = s.map((d, i) => d + pads[i]! + pads[i + nd]!);
          expect(out.shape).toEqual(shape);
          const want = Float32Array.from({ length: sizeOf(shape) }, (_, i) => {
            const idx = multiIndex(i, shape).map((v, d) => v - pads[d]!);
            return idx.every((v, d) => v >= 0 && v < s[d]!) ? at(x, idx) : 0.5;
          });
          expect(out.storage).toEqual(want);
        },
      ),
    );
  });
  it('Slice with any start, end and step per axis', () => {
    fc.assert(
      fc.property(
        fc.array(dim, { minLength: 1, maxLength: 4 }).chain((s) =>
          fc.tuple(fc.constant(s), fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 3 })),
        ),
        ([s, axis, a, b, step]) => {
          const start = Math.min(a, s[axis]! - 1);
          const end = Math.min(Math.max(b, start), s[axis]!);
          const x = data(s);
          const out = getKernel('Slice')([x], { starts: [start], ends: [end], axes: [axis], steps: [step] });
          const shape = [...s];
          shape[axis] = Math.ceil((end - start) / step);
          expect(out.shape).toEqual(shape);
          const want = Float32Array.from({ length: sizeOf(shape) }, (_, i) => {
            const idx = multiIndex(i, shape);
            idx[axis] = start + idx[axis]! * step;
            return at(x, idx);
          });
          expect(out.storage).toEqual(want);
        },
      ),
    );
  });
});
