import * as o from '../../ops/index.js';
import { type Tensor, tensor } from '../../tensor.js';
import { matmulBackwardDirect } from '../../kernels/wasm/matmul.js';
import type { GradRuleTable } from './types.js';

const mT = (x: Tensor) => o.transpose(x, -1, -2);

/** Constant n×n 0/1 mask of the lower (or upper) triangle, without the diagonal when `strict`. */
function triMask(n: number, upper: boolean, strict: boolean, like: Tensor): Tensor {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m[i * n + j] = (upper ? j > i : j < i) || (!strict && i === j) ? 1 : 0;
  }
  return tensor(m, { dtype: like.dtype }).reshape([n, n]);
}

export const linalgRules: GradRuleTable = {
  // C = A·B  =>  dA = dC·Bᵀ, dB = Aᵀ·dC, then undo batch broadcasting. Straight from the GEMM
  // kernels with transpose flags when no graph of the backward is needed (matmulBackwardDirect).
  MatMul: (g, { inputs: [a, b] }) =>
    matmulBackwardDirect(g, a!, b!) ?? [
      o.sumToShape(o.matmul(g, o.transpose(b!, -1, -2)), a!.shape),
      o.sumToShape(o.matmul(o.transpose(a!, -1, -2), g), b!.shape),
    ],

  // torch's cholesky_backward (Murray 2016): Φ = tril(Lᵀ·gL), gA = L⁻ᵀ·½(Φ + tril(Φ,−1)ᵀ)·L⁻¹.
  // The result is symmetric: the gradient with respect to a symmetric A.
  Cholesky: (g, { output, attrs }) => {
    const L = attrs.upper ? mT(output) : output;
    const gL = attrs.upper ? mT(g) : g;
    const n = L.shape[L.ndim - 1]!;
    const phi = o.mul(o.matmul(mT(L), gL), triMask(n, false, false, L));
    let gA = o.mul(o.add(phi, mT(o.mul(phi, triMask(n, false, true, L)))), 0.5);
    gA = o.solveTriangular(mT(L), gA, { upper: true, left: true });
    gA = o.solveTriangular(L, gA, { upper: false, left: false });
    return [gA];
  },

  // X = A⁻¹B: gB = A⁻ᵀ·g, gA = −gB·Xᵀ; X = B·A⁻¹: gB = g·A⁻ᵀ, gA = −Xᵀ·gB. gA keeps only the triangle read.
  TriangularSolve: (g, { inputs: [a, b], output: x, attrs: { upper, left, unitriangular } }) => {
    const gB = o.solveTriangular(mT(a!), g, { upper: !upper, left, unitriangular });
    let gA: Tensor | null = null;
    if (a!.requiresGrad) {
      const full = left ? o.neg(o.matmul(gB, mT(x))) : o.neg(o.matmul(mT(x), gB));
      gA = o.sumToShape(o.mul(full, triMask(a!.shape[a!.ndim - 1]!, upper, unitriangular, full)), a!.shape);
    }
    return [gA, b!.requiresGrad ? o.sumToShape(gB, b!.shape) : null];
  },

  // d log|det A| = tr(A⁻¹ dA)  =>  gA = g · A⁻ᵀ. The sign is piecewise constant.
  SlogDet: (g, { inputs: [a], attrs }) => (attrs.output === 'sign' ? [null] : [o.mul(o.reshape(g, [...g.shape, 1, 1]), mT(o.inv(a!)))]),

  // Y = A⁻¹  =>  gA = −Yᵀ·g·Yᵀ.
  Inverse: (g, { output: y }) => [o.neg(o.matmul(o.matmul(mT(y), g), mT(y)))],
};
