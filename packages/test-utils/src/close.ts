import type { NestedArray, Tensor } from '@likelihood/core';

function flatten(v: Tensor | NestedArray | ArrayLike<number>): { values: number[]; shape: number[] } {
  if (v && typeof v === 'object' && 'storage' in v && 'shape' in v) {
    return { values: Array.from((v as Tensor).storage as ArrayLike<number>), shape: [...(v as Tensor).shape] };
  }
  if (ArrayBuffer.isView(v)) return { values: Array.from(v as unknown as ArrayLike<number>), shape: [(v as unknown as ArrayLike<number>).length] };
  const shape: number[] = [];
  let p: unknown = v;
  while (Array.isArray(p)) {
    shape.push(p.length);
    p = p[0];
  }
  const values: number[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(walk);
    else values.push(decode(x));
  };
  walk(v);
  return { values, shape };
}

/** Fixtures store NaN/Infinity as strings, since JSON has no literals for them. */
function decode(x: unknown): number {
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (x === 'nan' || x === 'NaN') return NaN;
  if (x === 'inf' || x === 'Infinity') return Infinity;
  if (x === '-inf' || x === '-Infinity') return -Infinity;
  return x as number;
}

export function maxAbsDiff(a: Tensor | NestedArray, b: Tensor | NestedArray): number {
  const fa = flatten(a).values;
  const fb = flatten(b).values;
  let m = 0;
  for (let i = 0; i < fa.length; i++) m = Math.max(m, Math.abs(fa[i]! - fb[i]!));
  return m;
}

/**
 * Asserts `actual` ≈ `expected` elementwise: |a − e| <= atol + rtol·|e| (numpy.allclose),
 * with equal shapes and NaN/Inf in the same places. The error lists the worst element.
 */
export function expectClose(
  actual: Tensor | NestedArray | ArrayLike<number>,
  expected: Tensor | NestedArray | ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-6, what = 'value' }: { rtol?: number; atol?: number; what?: string } = {},
): void {
  const a = flatten(actual);
  const e = flatten(expected);
  if (a.values.length !== e.values.length || (a.shape.length > 0 && e.shape.length > 0 && a.shape.join() !== e.shape.join() && a.values.length !== 1)) {
    throw new Error(`${what}: shape [${a.shape}] (${a.values.length} values) differs from expected [${e.shape}] (${e.values.length} values)`);
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.values.length; i++) {
    const x = a.values[i]!;
    const y = e.values[i]!;
    if (Number.isNaN(y) || Number.isNaN(x)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) { worst = i; worstExcess = Infinity; break; }
      continue;
    }
    if (!Number.isFinite(y) || !Number.isFinite(x)) {
      if (x !== y) { worst = i; worstExcess = Infinity; break; }
      continue;
    }
    const excess = Math.abs(x - y) - (atol + rtol * Math.abs(y));
    if (excess > worstExcess) { worstExcess = excess; worst = i; }
  }
  if (worst >= 0) {
    throw new Error(
      `${what}: element ${worst} is ${a.values[worst]}, expected ${e.values[worst]} (|diff| ${Math.abs(a.values[worst]! - e.values[worst]!)} > atol ${atol} + rtol ${rtol}·|expected|)`,
    );
  }
}
