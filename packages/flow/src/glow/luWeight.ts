import { ArgumentError, type Generator, Tensor, eye, matmul, noGrad, solveTriangular, transpose, tril, triu, randn } from '@likelihood/core';
import { Module, Parameter } from '@likelihood/nn';

/** A random orthogonal D×D matrix (Gram–Schmidt on a Gaussian matrix), row-major. */
function randomOrthogonal(d: number, generator?: Generator): Float64Array {
  const a = randn([d, d], { generator, dtype: 'float64' }).storage as Float64Array;
  const q = Float64Array.from(a);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += q[i * d + k]! * q[j * d + k]!;
      for (let k = 0; k < d; k++) q[i * d + k]! -= dot * q[j * d + k]!;
    }
    let norm = 0;
    for (let k = 0; k < d; k++) norm += q[i * d + k]! ** 2;
    norm = Math.sqrt(norm);
    for (let k = 0; k < d; k++) q[i * d + k]! /= norm;
  }
  return q;
}

/** A = P L U with partial pivoting: returns the row permutation p (A[p[i]] = (LU)[i]), L (unit lower) and U. */
function plu(a: Float64Array, d: number): { p: number[]; l: Float64Array; u: Float64Array } {
  const u = Float64Array.from(a);
  const l = new Float64Array(d * d);
  const p = Array.from({ length: d }, (_, i) => i);
  for (let c = 0; c < d; c++) {
    let piv = c;
    for (let r = c + 1; r < d; r++) if (Math.abs(u[r * d + c]!) > Math.abs(u[piv * d + c]!)) piv = r;
    if (piv !== c) {
      for (let k = 0; k < d; k++) {
        [u[c * d + k], u[piv * d + k]] = [u[piv * d + k]!, u[c * d + k]!];
        [l[c * d + k], l[piv * d + k]] = [l[piv * d + k]!, l[c * d + k]!];
      }
      [p[c], p[piv]] = [p[piv]!, p[c]!];
    }
    for (let r = c + 1; r < d; r++) {
      const f = u[r * d + c]! / u[c * d + c]!;
      l[r * d + c] = f;
      for (let k = c; k < d; k++) u[r * d + k]! -= f * u[c * d + k]!;
    }
  }
  for (let i = 0; i < d; i++) l[i * d + i] = 1;
  return { p, l, u };
}

/**
 * Glow's LU-decomposed invertible weight W = P·L·(U + diag(d)): P a fixed permutation, L unit
 * lower triangular, U strictly upper, d the diagonal. log|det W| = Σ log|dᵢ| costs O(D) and
 * solving with W is two triangular solves. Initialised from a random rotation (log|det| = 0).
 * A zero in d makes W singular: `check` throws a clear error then.
 */
export class LUWeight extends Module {
  readonly features: number;
  lower: Parameter;
  upper: Parameter;
  diag: Parameter;
  declare permutation: Tensor;

  constructor(features: number, opts: { dtype?: 'float32' | 'float64'; generator?: Generator } = {}) {
    super();
    if (!Number.isInteger(features) || features < 1) throw new ArgumentError(`LUWeight: features must be a positive integer, found ${features}`);
    const d = features;
    const dtype = opts.dtype ?? 'float32';
    const { p, l, u } = plu(randomOrthogonal(d, opts.generator), d);
    const pm = new Float64Array(d * d);
    p.forEach((row, i) => (pm[row * d + i] = 1)); // A = Pm·L·U with A[p[i]] = (LU)[i]
    const diag = new Float64Array(d);
    for (let i = 0; i < d; i++) diag[i] = u[i * d + i]!;
    const t = (s: Float64Array, shape: number[]) => new Tensor(s, shape, 'float64').to(dtype);
    this.features = d;
    this.lower = new Parameter(tril(t(l, [d, d]), -1));
    this.upper = new Parameter(triu(t(u, [d, d]), 1));
    this.diag = new Parameter(t(diag, [d]));
    this.registerBuffer('permutation', t(pm, [d, d]));
  }

  /** Throws an ArgumentError when the diagonal has a zero (W singular) or a non-finite entry. */
  check(op: string): void {
    noGrad(() => {
      const s = this.diag.storage;
      for (let i = 0; i < s.length; i++) {
        if (!(Number.isFinite(s[i]!) && s[i] !== 0)) {
          throw new ArgumentError(`${op}: the LU diagonal has ${s[i]} at index ${i}, so the weight W = P·L·(U + diag) is singular (not invertible); every diagonal entry must be finite and non-zero`);
        }
      }
    });
  }

  private lowerMatrix(): Tensor {
    return tril(this.lower, -1).add(eye(this.features, this.features, { dtype: this.lower.dtype }));
  }
  private upperMatrix(): Tensor {
    return triu(this.upper, 1).add(eye(this.features, this.features, { dtype: this.diag.dtype }).mul(this.diag)); // eye·d broadcasts d along columns: diag(d)
  }

  /** W = P L (U + diag(d)), [D, D]. */
  forward(): Tensor {
    return this.weight();
  }

  weight(): Tensor {
    return matmul(this.permutation, matmul(this.lowerMatrix(), this.upperMatrix()));
  }

  /** log|det W| (a scalar). */
  logAbsDet(): Tensor {
    return this.diag.abs().log().sum();
  }

  /** Solves X Wᵀ = Y for X (one example per row) with two triangular solves. */
  solveRows(y: Tensor): Tensor {
    // X Uᵀ Lᵀ Pᵀ = Y  ⇒  (X Uᵀ) Lᵀ = Y P  ⇒  X Uᵀ = that
    const yp = matmul(y, this.permutation);
    const w = solveTriangular(transpose(this.lowerMatrix(), 0, 1), yp, { upper: true, left: false, unitriangular: true });
    return solveTriangular(transpose(this.upperMatrix(), 0, 1), w, { upper: false, left: false });
  }
}
