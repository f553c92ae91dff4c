import { ArgumentError, type Generator, Tensor, defaultGenerator, isFloating } from '@likelihood/core';

/** A 2-D toy distribution. `logProb` is present only where the density has a closed form. */
export interface Toy2D {
  readonly name: string;
  /** n i.i.d. draws, float32 [n, 2], from `generator` (default: the global one). */
  sample(n: number, generator?: Generator): Tensor;
  /** Exact log-density (natural log) of each row of x [n, 2] → [n], in x's float dtype. */
  logProb?(x: Tensor): Tensor;
}

export type Toy2DWithDensity = Toy2D & { logProb(x: Tensor): Tensor };

export function checkN(op: string, n: number, generator?: Generator): Generator {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`${op}: n must be a non-negative integer, found ${n}`);
  return generator ?? defaultGenerator();
}

export function checkX(op: string, x: Tensor): void {
  if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== 2 || !isFloating(x.dtype)) {
    throw new ArgumentError(
      `${op}: x must be a float tensor of shape [n, 2], found ${x instanceof Tensor ? `${x.dtype} [${x.shape.join(', ')}]` : typeof x}`,
    );
  }
}

/** Fills [n, 2] float32 from a per-row sampler writing into `out[0]`, `out[1]`. */
export function sampleRows(n: number, row: (out: [number, number]) => void): Tensor {
  const s = new Float32Array(2 * n);
  const p: [number, number] = [0, 0];
  for (let i = 0; i < n; i++) {
    row(p);
    s[2 * i] = p[0];
    s[2 * i + 1] = p[1];
  }
  return new Tensor(s, [n, 2], 'float32');
}

/** An elementwise map of the rows of x [n, 2] to a tensor [n] of x's dtype (computed in float64). */
export function mapRows(x: Tensor, f: (a: number, b: number) => number): Tensor {
  const n = x.shape[0]!;
  const s = x.storage;
  const out = x.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(s[2 * i]!, s[2 * i + 1]!);
  return new Tensor(out, [n], x.dtype);
}
