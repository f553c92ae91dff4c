import { runPrimitive } from '../dispatch.js';
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError, fmtShape } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { promotePair } from './elementwise.js';
import { reshape } from './movement.js';

/**
 * Matrix product with torch.matmul's rules: 1-D operands are promoted to matrices and the
 * added dim removed afterwards; leading (batch) dims broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(`matmul: both arguments need at least one dim, found shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  [a, b] = promotePair(a, b, 'matmul');
  const a2 = a.ndim === 1 ? reshape(a, [1, a.shape[0]!]) : a; // (1, K)
  const b2 = b.ndim === 1 ? reshape(b, [b.shape[0]!, 1]) : b; // (K, 1)
  const K = a2.shape[a2.ndim - 1]!;
  if (b2.shape[b2.ndim - 2] !== K) {
    throw new ShapeError(`matmul: shapes ${fmtShape(a.shape)} and ${fmtShape(b.shape)} cannot be multiplied (${K} vs ${b2.shape[b2.ndim - 2]})`);
  }
  broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  let out = runPrimitive('MatMul', [a2, b2], {});
  if (a.ndim === 1) out = reshape(out, [...out.shape.slice(0, -2), out.shape[out.ndim - 1]!]);
  if (b.ndim === 1) out = reshape(out, out.shape.slice(0, -1));
  return out;
}

// Small-matrix linear algebra. Cholesky, TriangularSolve, SlogDet and Inverse are primitives
// with plain-loop kernels (kernels/cpu/linalg.ts) and backward rules written with tensor ops
// (autograd/rules/linalg.ts), so gradients of gradients work. They have no single ONNX
// operator: export needs a decomposition (see primitives.ts). Composites written with
// slices would trace O(n²) ops per matrix and be slow in eager mode, hence primitives.

function checkSquare(op: string, a: Tensor, arg = 'A'): void {
  if (!isFloating(a.dtype)) throw new DTypeError(`${op}: ${arg} must be a float tensor, found dtype ${a.dtype}`);
  if (a.ndim < 2 || a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) {
    throw new ShapeError(`${op}: ${arg} must be a batch of square matrices (*, n, n), found shape ${fmtShape(a.shape)}`);
  }
}

/**
 * Cholesky factor of symmetric positive-definite matrices (torch.linalg.cholesky): lower L with
 * A = L·Lᵀ, or upper U = Lᵀ with {upper: true}. Reads only that triangle of A; throws an
 * ArgumentError when A is not positive-definite.
 */
export function cholesky(a: Tensor, opts: { upper?: boolean } = {}): Tensor {
  checkSquare('cholesky', a);
  return runPrimitive('Cholesky', [a], { upper: opts.upper ?? false });
}

export interface SolveTriangularOptions {
  /** Whether A is upper (true) or lower (false) triangular; required, as in torch. */
  upper: boolean;
  /** Solve A·X = B (true, default) or X·A = B (false). */
  left?: boolean;
  /** Assume a unit diagonal (the diagonal of A is not read). */
  unitriangular?: boolean;
}

/**
 * Solves A·X = B (or X·A = B with left=false) for triangular A, like
 * torch.linalg.solve_triangular. Batch dims of A and B broadcast.
 */
export function solveTriangular(a: Tensor, b: Tensor, opts: SolveTriangularOptions): Tensor {
  const op = 'solveTriangular';
  if (typeof opts?.upper !== 'boolean') throw new ArgumentError(`${op}: the option 'upper' must be given as a boolean, found ${JSON.stringify(opts?.upper)}`);
  const left = opts.left ?? true;
  checkSquare(op, a);
  if (b.ndim < 2) throw new ShapeError(`${op}: B must have at least 2 dims, found shape ${fmtShape(b.shape)}`);
  const n = a.shape[a.ndim - 1]!;
  const bn = left ? b.shape[b.ndim - 2] : b.shape[b.ndim - 1];
  if (bn !== n) {
    throw new ShapeError(
      `${op}: A of shape ${fmtShape(a.shape)} and B of shape ${fmtShape(b.shape)} do not fit: B needs ${n} ${left ? 'rows' : 'columns'} (left=${left}), found ${bn}`,
    );
  }
  broadcastShapes(op, a.shape.slice(0, -2), b.shape.slice(0, -2));
  [a, b] = promotePair(a, b, op);
  return runPrimitive('TriangularSolve', [a, b], { upper: opts.upper, left, unitriangular: opts.unitriangular ?? false });
}

/**
 * Sign and log of the absolute value of the determinant (torch.linalg.slogdet), batched,
 * via LU with partial pivoting. A singular matrix gives sign 0 and logabsdet -inf.
 */
export function slogdet(a: Tensor): { sign: Tensor; logabsdet: Tensor } {
  checkSquare('slogdet', a);
  return { sign: runPrimitive('SlogDet', [a], { output: 'sign' }), logabsdet: runPrimitive('SlogDet', [a], { output: 'logabsdet' }) };
}

/** Matrix inverse (torch.linalg.inv), batched; throws an ArgumentError for singular input. */
export function inv(a: Tensor): Tensor {
  checkSquare('inv', a);
  return runPrimitive('Inverse', [a], {});
}
