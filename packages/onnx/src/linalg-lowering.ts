import type { LowerContext } from './ops.js';
import type { OnnxBuilder } from './builder.js';
import { OnnxExportError } from './errors.js';

/**
 * Cholesky and TriangularSolve have no ONNX operator, so they are unrolled for the traced static
 * size n into Slice/Mul/Sub/Div/Sqrt/Concat: O(n³) small nodes, meant for the small matrices
 * (covariances, flows' LU factors) the models use. Larger n is refused.
 */
const MAX_N = 32;

/** Swaps the last two axes. */
function transposeLast(b: OnnxBuilder, x: string, rank: number): string {
  return b.op('Transpose', [x], { perm: transposePerm(rank) });
}

/** x[..., i, j] as [..., 1, 1]. */
function entry(b: OnnxBuilder, x: string, i: number, j: number): string {
  return b.op('Slice', [x, b.int64([i, j]), b.int64([i + 1, j + 1]), b.int64([-2, -1])]);
}

/** x[..., i, :] as [..., 1, m]. */
function row(b: OnnxBuilder, x: string, i: number): string {
  return b.op('Slice', [x, b.int64([i]), b.int64([i + 1]), b.int64([-2])]);
}

function checkSize(op: string, n: number): void {
  if (n > MAX_N) throw new OnnxExportError(`exportOnnx: ${op} is unrolled for its static size, up to ${MAX_N}×${MAX_N}; found ${n}×${n}`);
}

/** Cholesky–Banachiewicz: L_jj = √(a_jj − Σ_k<j L_jk²), L_ij = (a_ij − Σ_k<j L_ik·L_jk) / L_jj. */
export function lowerCholesky({ b, inputs, inTypes, attrs, out, outType }: LowerContext<'Cholesky'>): void {
  const shape = inTypes[0]!.shape;
  const rank = shape.length;
  const n = shape[rank - 1]!;
  checkSize('Cholesky', n);
  // The upper factor reads the upper triangle: U = (chol of the lower view Aᵀ)ᵀ.
  const a = attrs.upper ? transposeLast(b, inputs[0]!, rank) : inputs[0]!;
  const zero = b.op('Expand', [b.scalar(0, outType.dtype), b.int64([...shape.slice(0, -2), 1, 1])]);
  const L: string[][] = Array.from({ length: n }, () => new Array<string>(n).fill(zero));
  for (let j = 0; j < n; j++) {
    for (let i = j; i < n; i++) {
      let s = entry(b, a, i, j);
      for (let k = 0; k < j; k++) s = b.op('Sub', [s, b.op('Mul', [L[i]![k]!, L[j]![k]!])]);
      L[i]![j] = i === j ? b.op('Sqrt', [s]) : b.op('Div', [s, L[j]![j]!]);
    }
  }
  const rows = L.map((r) => b.op('Concat', r, { axis: -1 }));
  if (!attrs.upper) b.node('Concat', rows, [out], { axis: -2 });
  else b.node('Transpose', [b.op('Concat', rows, { axis: -2 })], [out], { perm: transposePerm(rank) });
}

function transposePerm(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  return perm;
}

/**
 * Substitution row by row: A·X = B (left) with lower A runs forward, X_i = (B_i − Σ_k<i A_ik X_k) / A_ii;
 * upper A runs backward. X·A = B is Aᵀ·Xᵀ = Bᵀ with the triangle flipped.
 */
export function lowerTriangularSolve({ b, inputs, inTypes, attrs, out }: LowerContext<'TriangularSolve'>): void {
  const rankA = inTypes[0]!.shape.length;
  const rankB = inTypes[1]!.shape.length;
  const n = inTypes[0]!.shape[rankA - 1]!;
  checkSize('TriangularSolve', n);
  let A = inputs[0]!;
  let B = inputs[1]!;
  let upper = attrs.upper;
  if (!attrs.left) {
    A = transposeLast(b, A, rankA);
    B = transposeLast(b, B, rankB);
    upper = !upper;
  }
  const X: string[] = new Array(n);
  const order = Array.from({ length: n }, (_, i) => (upper ? n - 1 - i : i));
  for (const i of order) {
    let s = row(b, B, i);
    for (const k of order) {
      if (k === i) break;
      s = b.op('Sub', [s, b.op('Mul', [entry(b, A, i, k), X[k]!])]);
    }
    X[i] = attrs.unitriangular ? s : b.op('Div', [s, entry(b, A, i, i)]);
  }
  if (attrs.left) b.node('Concat', X, [out], { axis: -2 });
  else b.node('Transpose', [b.op('Concat', X, { axis: -2 })], [out], { perm: transposePerm(Math.max(rankA, rankB)) });
}
