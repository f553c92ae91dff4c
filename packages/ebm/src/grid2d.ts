// Exact normalisation of a 2-D energy model by numerical integration: Z = ∫ exp(−E(x)) dx by
// the midpoint rule on a rectangle, so −log p(x) = E(x) + log Z is an exact NLL (up to the
// quadrature error and the mass outside the box, both negligible for a box that holds the data
// and a grid that resolves the density).
import { ArgumentError, type FloatDType, Tensor, cat, logsumexp, noGrad } from '@likelihood/core';
import { checkPositiveInt } from './checks.js';
import type { EnergyFn } from './energyGrad.js';

export interface Grid2DOptions {
  /** Lower-left corner [x, y]. */
  low: readonly [number, number];
  /** Upper-right corner [x, y]. */
  high: readonly [number, number];
  /** Cells per axis (default 256). */
  size?: number;
  /** dtype of the grid points fed to the energy (default float64; use float32 for a float32 model). */
  dtype?: FloatDType;
  /** Points per energy call (default 16384). */
  chunkSize?: number;
}

export interface Grid2DResult {
  /** log Z = log Σ_cells exp(−E(centre)) · cell area. */
  logZ: number;
  /** The normalised log-density log p = −E − log Z at the cell centres, [size, size] with rows along y. */
  logDensity: Tensor;
  /** Cell centres along each axis. */
  xs: Float64Array;
  ys: Float64Array;
}

/** The centres of a size × size grid over the box, as points [size², 2] in row-major (y, x) order. */
export function gridPoints(opts: Grid2DOptions): { points: Tensor; xs: Float64Array; ys: Float64Array; cellArea: number } {
  const size = checkPositiveInt('gridLogZ2d', 'size', opts.size ?? 256, 2);
  const [x0, y0] = opts.low;
  const [x1, y1] = opts.high;
  if (!(x1 > x0 && y1 > y0)) throw new ArgumentError(`gridLogZ2d: high must exceed low on both axes, found low [${x0}, ${y0}], high [${x1}, ${y1}]`);
  const dx = (x1 - x0) / size;
  const dy = (y1 - y0) / size;
  const xs = Float64Array.from({ length: size }, (_, i) => x0 + (i + 0.5) * dx);
  const ys = Float64Array.from({ length: size }, (_, i) => y0 + (i + 0.5) * dy);
  const dtype = opts.dtype ?? 'float64';
  const p = dtype === 'float64' ? new Float64Array(2 * size * size) : new Float32Array(2 * size * size);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      p[2 * (r * size + c)] = xs[c]!;
      p[2 * (r * size + c) + 1] = ys[r]!;
    }
  }
  return { points: new Tensor(p, [size * size, 2], dtype), xs, ys, cellArea: dx * dy };
}

/** log Z of a 2-D energy by the midpoint rule, and the normalised log-density on the grid. */
export function gridLogZ2d(energy: EnergyFn, opts: Grid2DOptions): Grid2DResult {
  const { points, xs, ys, cellArea } = gridPoints(opts);
  const size = xs.length;
  const chunk = opts.chunkSize ?? 16384;
  return noGrad(() => {
    const parts: Tensor[] = [];
    for (let s = 0; s < size * size; s += chunk) {
      const e = energy(points.narrow(0, s, Math.min(chunk, size * size - s)));
      if (e.ndim !== 1) throw new ArgumentError(`gridLogZ2d: the energy must return one value per point, found shape [${e.shape.join(', ')}]`);
      parts.push(e.to('float64').neg());
    }
    const negE = parts.length === 1 ? parts[0]! : cat(parts, 0);
    const logZ = logsumexp(negE, 0).item() + Math.log(cellArea);
    return { logZ, logDensity: negE.sub(logZ).reshape([size, size]), xs, ys };
  });
}

/** Exact mean NLL in nats, mean E(x) + log Z, of 2-D data [N, 2] under the energy model. */
export function exactNll2d(energy: EnergyFn, data: Tensor, opts: Grid2DOptions): { nll: number; logZ: number } {
  if (data.ndim !== 2 || data.shape[1] !== 2) throw new ArgumentError(`exactNll2d: data must be [N, 2], found [${data.shape.join(', ')}]`);
  const { logZ } = gridLogZ2d(energy, opts);
  const meanEnergy = noGrad(() => energy(data.to(opts.dtype ?? 'float64')).to('float64').mean().item());
  return { nll: meanEnergy + logZ, logZ };
}
