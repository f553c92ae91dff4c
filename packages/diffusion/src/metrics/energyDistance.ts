import { ArgumentError, type Generator, ShapeError, Tensor, fmtShape } from '@likelihood/core';

export interface EnergyDistanceOptions {
  /**
   * U-statistic (default true): the within-sample means skip i = i′, so the estimate of D² is
   * unbiased and can be slightly negative. False gives the V-statistic (scipy's, squared).
   */
  unbiased?: boolean;
}

function rowsOf(op: string, name: string, x: Tensor): { v: Float64Array; n: number; d: number } {
  if (!(x instanceof Tensor) || x.ndim !== 2) throw new ShapeError(`${op}: ${name} must be a tensor [n, d], found ${x instanceof Tensor ? fmtShape(x.shape) : typeof x}`);
  const [n, d] = x.shape as [number, number];
  if (n < 2) throw new ArgumentError(`${op}: ${name} needs at least 2 rows, found ${n}`);
  return { v: Float64Array.from(x.data() as ArrayLike<number>), n, d };
}

/** Mean Euclidean distance between the rows of a and b; `skipDiagonal` when a is b. */
function meanDistance(a: Float64Array, n: number, b: Float64Array, m: number, d: number, skipDiagonal: boolean): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let k = 0; k < d; k++) {
        const diff = a[i * d + k]! - b[j * d + k]!;
        s += diff * diff;
      }
      sum += Math.sqrt(s);
    }
  }
  return sum / (skipDiagonal ? n * (m - 1) : n * m);
}

/**
 * The squared energy distance between two samples (Székely & Rizzo 2013),
 * D² = 2E‖X − Y‖ − E‖X − X′‖ − E‖Y − Y′‖, estimated from the rows of x [n, d] and y [m, d].
 * It is zero exactly when the distributions agree, and (as a two-sample statistic) needs no
 * bandwidth, which makes it a fair yardstick for samples against data. O(n·m·d), in float64.
 */
export function energyDistance(x: Tensor, y: Tensor, opts: EnergyDistanceOptions = {}): number {
  const unbiased = opts.unbiased ?? true;
  const a = rowsOf('energyDistance', 'x', x);
  const b = rowsOf('energyDistance', 'y', y);
  if (a.d !== b.d) throw new ShapeError(`energyDistance: x and y must have the same number of columns, found ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`);
  const xy = meanDistance(a.v, a.n, b.v, b.n, a.d, false);
  const xx = meanDistance(a.v, a.n, a.v, a.n, a.d, unbiased);
  const yy = meanDistance(b.v, b.n, b.v, b.n, b.d, unbiased);
  return 2 * xy - xx - yy;
}

export interface EnergyDistanceNullOptions {
  /** Pairs of independent draws (default 100). */
  repeats?: number;
  generator?: Generator;
}

/**
 * The energy distance between two independent n-draws of the same distribution, repeated:
 * its spread says how close a model's n samples can be expected to come to n data points.
 * Returns the values sorted ascending (`quantile` reads a threshold off them).
 */
export function energyDistanceNull(draw: (n: number, gen?: Generator) => Tensor, n: number, opts: EnergyDistanceNullOptions = {}): Float64Array {
  const repeats = opts.repeats ?? 100;
  if (!Number.isInteger(repeats) || repeats < 1) throw new ArgumentError(`energyDistanceNull: repeats must be a positive integer, found ${repeats}`);
  const out = new Float64Array(repeats);
  for (let r = 0; r < repeats; r++) out[r] = energyDistance(draw(n, opts.generator), draw(n, opts.generator));
  return out.sort();
}

/** The q-quantile of sorted values, linearly interpolated (numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new ArgumentError(`quantile: q must be in [0, 1], found ${q}`);
  if (sorted.length === 0) throw new ArgumentError('quantile: no values');
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - f) + sorted[i + 1]! * f : sorted[i]!;
}
