import { allocate } from '../../dtype.js';
import { ArgumentError } from '../../errors.js';
import { registerKernel } from '../../registry.js';
import { broadcastShapes, sizeOf } from '../../shape.js';

/**
 * Small-matrix linear algebra, batched over leading dims: plain loops in float64, one
 * matrix at a time (these are for the n ≲ 100 matrices of flows, GPs and Gaussians).
 */

/** For each index of the broadcast batch `out`, the matrix index into an operand of batch `shape`. */
function batchIndex(shape: readonly number[], out: readonly number[]): Int32Array {
  const n = sizeOf(out);
  const res = new Int32Array(n);
  const nd = out.length;
  for (let i = 0; i < n; i++) {
    let rem = i;
    let idx = 0;
    let mul = 1;
    for (let d = nd - 1; d >= 0; d--) {
      const od = out[d]!;
      const c = rem % od;
      rem = (rem - c) / od;
      const sd = d - (nd - shape.length);
      if (sd >= 0) {
        const s = shape[sd]!;
        idx += (s === 1 ? 0 : c) * mul;
        mul *= s;
      }
    }
    res[i] = idx;
  }
  return res;
}

registerKernel('Cholesky', 'cpu', ([a], { upper }) => {
  const n = a!.shape[a!.shape.length - 1]!;
  const nb = a!.storage.length / (n * n) || 0;
  const A = a!.storage;
  const out = allocate(a!.dtype, A.length);
  const L = new Float64Array(n * n);
  for (let b = 0; b < nb; b++) {
    const off = b * n * n;
    L.fill(0);
    // Reads the lower triangle (upper=false) or the upper one (upper=true), like LAPACK potrf.
    const at = (i: number, j: number) => (upper ? A[off + j * n + i]! : A[off + i * n + j]!);
    for (let j = 0; j < n; j++) {
      let d = at(j, j);
      for (let k = 0; k < j; k++) d -= L[j * n + k]! * L[j * n + k]!;
      if (!(d > 0)) {
        throw new ArgumentError(
          `cholesky: the input is not positive-definite (the leading minor of order ${j + 1} is not positive-definite${nb > 1 ? `, batch element ${b}` : ''})`,
        );
      }
      const ljj = Math.sqrt(d);
      L[j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = at(i, j);
        for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
        L[i * n + j] = s / ljj;
      }
    }
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[off + i * n + j] = upper ? L[j * n + i]! : L[i * n + j]!;
  }
  return { storage: out, shape: a!.shape, dtype: a!.dtype };
});

registerKernel('TriangularSolve', 'cpu', ([a, b], { upper, left, unitriangular }) => {
  const ra = a!.shape.length;
  const rb = b!.shape.length;
  const n = a!.shape[ra - 1]!;
  const rows = b!.shape[rb - 2]!;
  const cols = b!.shape[rb - 1]!;
  const batchA = a!.shape.slice(0, -2);
  const batchB = b!.shape.slice(0, -2);
  const batch = broadcastShapes('solveTriangular', batchA, batchB);
  const nb = sizeOf(batch);
  const ia = batchIndex(batchA, batch);
  const ib = batchIndex(batchB, batch);
  const A = a!.storage;
  const B = b!.storage;
  const out = allocate(a!.dtype, nb * rows * cols);
  // Right solves X·A = B become left solves Aᵀ·Xᵀ = Bᵀ (Aᵀ has the other triangle).
  const k = left ? cols : rows;
  const up = left ? upper : !upper;
  const T = new Float64Array(n * n);
  const X = new Float64Array(n * k);
  for (let bi = 0; bi < nb; bi++) {
    const ao = ia[bi]! * n * n;
    const bo = ib[bi]! * rows * cols;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) T[i * n + j] = left ? A[ao + i * n + j]! : A[ao + j * n + i]!;
    // X is n × k in "left" orientation.
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) X[i * k + j] = left ? B[bo + i * cols + j]! : B[bo + j * cols + i]!;
    for (let step = 0; step < n; step++) {
      const i = up ? n - 1 - step : step;
      const lo = up ? i + 1 : 0;
      const hi = up ? n : i;
      const d = unitriangular ? 1 : T[i * n + i]!;
      for (let j = 0; j < k; j++) {
        let s = X[i * k + j]!;
        for (let m = lo; m < hi; m++) s -= T[i * n + m]! * X[m * k + j]!;
        X[i * k + j] = s / d;
      }
    }
    const oo = bi * rows * cols;
    for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) out[left ? oo + i * cols + j : oo + j * cols + i] = X[i * k + j]!;
  }
  return { storage: out, shape: [...batch, rows, cols], dtype: a!.dtype };
});

/** LU with partial pivoting of one n×n matrix in `M` (overwritten); returns the row-swap parity sign and zero flag. */
function luInPlace(M: Float64Array, n: number, perm: Int32Array): number {
  let sign = 1;
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let c = 0; c < n; c++) {
    let p = c;
    let best = Math.abs(M[c * n + c]!);
    for (let r = c + 1; r < n; r++) {
      const v = Math.abs(M[r * n + c]!);
      if (v > best) {
        best = v;
        p = r;
      }
    }
    if (p !== c) {
      for (let j = 0; j < n; j++) {
        const t = M[c * n + j]!;
        M[c * n + j] = M[p * n + j]!;
        M[p * n + j] = t;
      }
      const t = perm[c]!;
      perm[c] = perm[p]!;
      perm[p] = t;
      sign = -sign;
    }
    const piv = M[c * n + c]!;
    if (piv === 0) continue;
    for (let r = c + 1; r < n; r++) {
      const f = (M[r * n + c]! /= piv);
      if (f !== 0) for (let j = c + 1; j < n; j++) M[r * n + j]! -= f * M[c * n + j]!;
    }
  }
  return sign;
}

registerKernel('SlogDet', 'cpu', ([a], { output }) => {
  const n = a!.shape[a!.shape.length - 1]!;
  const batch = a!.shape.slice(0, -2);
  const nb = sizeOf(batch);
  const A = a!.storage;
  const out = allocate(a!.dtype, nb);
  const M = new Float64Array(n * n);
  const perm = new Int32Array(n);
  for (let b = 0; b < nb; b++) {
    for (let i = 0; i < n * n; i++) M[i] = A[b * n * n + i]!;
    let sign = luInPlace(M, n, perm);
    let logabs = 0;
    for (let i = 0; i < n; i++) {
      const d = M[i * n + i]!;
      if (d < 0) sign = -sign;
      logabs += Math.log(Math.abs(d));
    }
    if (logabs === -Infinity) sign = 0;
    if (Number.isNaN(logabs)) sign = NaN;
    out[b] = output === 'sign' ? sign : logabs;
  }
  return { storage: out, shape: batch, dtype: a!.dtype };
});

registerKernel('Inverse', 'cpu', ([a]) => {
  const n = a!.shape[a!.shape.length - 1]!;
  const nb = a!.storage.length / (n * n) || 0;
  const A = a!.storage;
  const out = allocate(a!.dtype, A.length);
  const M = new Float64Array(n * n);
  const perm = new Int32Array(n);
  const col = new Float64Array(n);
  for (let b = 0; b < nb; b++) {
    const off = b * n * n;
    for (let i = 0; i < n * n; i++) M[i] = A[off + i]!;
    luInPlace(M, n, perm);
    for (let i = 0; i < n; i++) {
      if (M[i * n + i] === 0) {
        throw new ArgumentError(`inv: the input is singular (U[${i}, ${i}] is zero in its LU factorisation${nb > 1 ? `, batch element ${b}` : ''})`);
      }
    }
    // Solve A·x = e_j for each column j: P·A = L·U, so L·U·x = P·e_j.
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < n; i++) col[i] = perm[i] === j ? 1 : 0;
      for (let i = 0; i < n; i++) {
        let s = col[i]!;
        for (let m = 0; m < i; m++) s -= M[i * n + m]! * col[m]!;
        col[i] = s;
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = col[i]!;
        for (let m = i + 1; m < n; m++) s -= M[i * n + m]! * col[m]!;
        col[i] = s / M[i * n + i]!;
      }
      for (let i = 0; i < n; i++) out[off + i * n + j] = col[i]!;
    }
  }
  return { storage: out, shape: a!.shape, dtype: a!.dtype };
});
