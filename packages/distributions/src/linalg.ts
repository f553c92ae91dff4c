import { type Tensor, cholesky, eye, log, solveTriangular } from '@likelihood/core';

/** Diagonal of the last two dims: (..., n, n) -> (..., n). */
export function diagonal(m: Tensor): Tensor {
  const n = m.shape[m.ndim - 1]!;
  return m.mul(eye(n, n, { dtype: m.dtype })).sum(-1);
}

/** Σ log L_ii for lower-triangular L: half the log-determinant of L·Lᵀ. */
export const halfLogDet = (L: Tensor): Tensor => log(diagonal(L)).sum(-1);

/** Squared Mahalanobis distance ‖L⁻¹x‖² for x (..., n) and lower-triangular L (..., n, n). */
export function mahalanobis(L: Tensor, x: Tensor): Tensor {
  const n = x.shape[x.ndim - 1]!;
  const shape = broadcastBatch(L.shape.slice(0, -2), x.shape.slice(0, -1));
  const Lb = L.expand([...shape, n, n]);
  const xb = x.expand([...shape, n]).reshape([...shape, n, 1]); // column vectors
  const z = solveTriangular(Lb, xb, { upper: false }); // (..., n, 1)
  return z.square().sum([-2, -1]);
}

/** Lower Cholesky factor of the covariance from a precision matrix P: Σ = P⁻¹ (via two triangular solves). */
export function precisionToScaleTril(P: Tensor): Tensor {
  const n = P.shape[P.ndim - 1]!;
  const Lp = cholesky(P); // P = Lp Lpᵀ  =>  Σ = Lp⁻ᵀ Lp⁻¹
  const I = eye(n, n, { dtype: P.dtype }).expand([...P.shape]);
  const LpInv = solveTriangular(Lp, I, { upper: false });
  const cov = LpInv.transpose(-1, -2).matmul(LpInv);
  return cholesky(cov.add(cov.transpose(-1, -2)).mul(0.5));
}

export function broadcastBatch(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    return x === 1 ? y : x;
  });
}
