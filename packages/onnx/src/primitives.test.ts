// Every primitive, exported alone (and its backward through grad), runs in onnxruntime-node and
// gives the eager result.
import * as c from '@likelihood/core';
import { Generator, type Tensor } from '@likelihood/core';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from './export.js';
import { runExport } from './testing/run.js';

const g = new Generator(7);
const rn = (shape: number[]) => c.randn(shape, { generator: g });
const pos = (shape: number[]) => c.rand(shape, { generator: g }).add(0.5);
const ints = (hi: number, shape: number[]) => c.randint(0, hi, shape, { generator: g });
const bools = (shape: number[]) => c.rand(shape, { generator: g }).gt(0.5);

interface Case {
  /** Primitive(s) the case exercises. */
  ops: string[];
  fn: (...xs: Tensor[]) => Tensor;
  inputs: Tensor[];
  /** Inputs to differentiate with respect to (none: forward only). */
  grad?: number[];
}

const x34 = () => rn([3, 4]);
const cases: Case[] = [
  { ops: ['Neg'], fn: (x) => x.neg(), inputs: [x34()], grad: [0] },
  { ops: ['Abs'], fn: (x) => x.abs(), inputs: [x34()], grad: [0] },
  { ops: ['Sign'], fn: (x) => x.sign(), inputs: [x34()] },
  { ops: ['Exp'], fn: (x) => x.exp(), inputs: [x34()], grad: [0] },
  { ops: ['Log'], fn: (x) => x.log(), inputs: [pos([3, 4])], grad: [0] },
  { ops: ['Sqrt'], fn: (x) => x.sqrt(), inputs: [pos([3, 4])], grad: [0] },
  { ops: ['Reciprocal'], fn: (x) => c.reciprocal(x), inputs: [pos([3, 4])], grad: [0] },
  { ops: ['Sin'], fn: (x) => c.sin(x), inputs: [x34()], grad: [0] },
  { ops: ['Cos'], fn: (x) => c.cos(x), inputs: [x34()], grad: [0] },
  { ops: ['Tanh'], fn: (x) => x.tanh(), inputs: [x34()], grad: [0] },
  { ops: ['Erf'], fn: (x) => c.erf(x), inputs: [x34()], grad: [0] },
  { ops: ['Floor'], fn: (x) => c.floor(x.mul(3)), inputs: [x34()] },
  { ops: ['Ceil'], fn: (x) => c.ceil(x.mul(3)), inputs: [x34()] },
  { ops: ['Round'], fn: (x) => c.round(x), inputs: [c.tensor([[0.5, 1.5, 2.5, -0.5], [-1.5, 0.4, 2.6, -2.5]])] },
  { ops: ['Not'], fn: (b) => c.logicalNot(b), inputs: [bools([3, 4])] },
  { ops: ['IsNaN', 'IsInf'], fn: (x) => c.logicalOr(c.isnan(x), c.isinf(x)), inputs: [c.tensor([1, Number.NaN, Number.POSITIVE_INFINITY, -2, Number.NEGATIVE_INFINITY])] },
  { ops: ['Add'], fn: (a, b) => a.add(b), inputs: [x34(), rn([4])], grad: [0, 1] },
  { ops: ['Sub'], fn: (a, b) => a.sub(b), inputs: [x34(), rn([3, 1])], grad: [0, 1] },
  { ops: ['Mul'], fn: (a, b) => a.mul(b), inputs: [x34(), x34()], grad: [0, 1] },
  { ops: ['Div'], fn: (a, b) => a.div(b), inputs: [x34(), pos([3, 4])], grad: [0, 1] },
  { ops: ['Pow'], fn: (a, b) => a.pow(b), inputs: [pos([3, 4]), x34()], grad: [0, 1] },
  { ops: ['Max'], fn: (a, b) => c.maximum(a, b), inputs: [x34(), x34()], grad: [0, 1] },
  { ops: ['Min'], fn: (a, b) => c.minimum(a, b), inputs: [x34(), x34()], grad: [0, 1] },
  { ops: ['Mod'], fn: (a, b) => c.fmod(a.mul(5), b), inputs: [x34(), pos([3, 4])], grad: [0] },
  { ops: ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual'], fn: (a, b) => c.stack([c.eq(a, b), c.lt(a, b), c.le(a, b), c.gt(a, b), c.ge(a, b)]), inputs: [c.round(x34()), c.round(x34())] },
  { ops: ['And', 'Or', 'Xor'], fn: (a, b) => c.stack([c.logicalAnd(a, b), c.logicalOr(a, b), c.logicalXor(a, b)]), inputs: [bools([3, 4]), bools([3, 4])] },
  { ops: ['Where'], fn: (m, a, b) => c.where(m, a, b), inputs: [bools([3, 4]), x34(), rn([4])], grad: [1, 2] },
  { ops: ['Cast'], fn: (x) => c.cast(c.cast(x.mul(4), 'int32'), 'float64').mul(0.5), inputs: [x34()] },
  { ops: ['Cast'], fn: (x) => c.cast(x, 'float64').mul(x.dtype === 'float32' ? 2 : 1), inputs: [x34()], grad: [0] },
  { ops: ['ReduceSum'], fn: (x) => x.sum([0, 2]), inputs: [rn([2, 3, 4])], grad: [0] },
  { ops: ['ReduceMax'], fn: (x) => c.amax(x, 1, true), inputs: [rn([2, 3, 4])], grad: [0] },
  { ops: ['ReduceMin'], fn: (x) => c.amin(x, [0, 2]), inputs: [rn([2, 3, 4])], grad: [0] },
  { ops: ['ReduceProd'], fn: (x) => c.prod(x, 1), inputs: [pos([3, 4])], grad: [0] },
  { ops: ['ArgMax'], fn: (x) => c.argmax(x, 1), inputs: [x34()] },
  { ops: ['ArgMin'], fn: (x) => c.argmin(x, 0, true), inputs: [x34()] },
  { ops: ['CumSum'], fn: (x) => c.cumsum(x, 1), inputs: [x34()], grad: [0] },
  { ops: ['Reshape', 'Transpose'], fn: (x) => x.reshape([4, 3]).permute([1, 0]), inputs: [x34()], grad: [0] },
  { ops: ['Expand'], fn: (x) => x.expand([2, 3, 4]), inputs: [rn([3, 1])], grad: [0] },
  { ops: ['Concat'], fn: (a, b) => c.cat([a, b], 1), inputs: [x34(), rn([3, 2])], grad: [0, 1] },
  { ops: ['Slice'], fn: (x) => c.slice(x, 1, 1, 4, 2), inputs: [rn([3, 5])], grad: [0] },
  { ops: ['Slice'], fn: (x) => c.flip(x, [0, 1]), inputs: [x34()], grad: [0] },
  { ops: ['Pad'], fn: (x) => c.pad(x, [1, 2, 0, 1], 'constant', 0.5), inputs: [x34()], grad: [0] },
  { ops: ['Pad'], fn: (x) => c.pad(x, [-1, 1]), inputs: [x34()], grad: [0] },
  { ops: ['Gather'], fn: (w, i) => c.indexSelect(w, 0, i), inputs: [rn([5, 3]), c.tensor([4, 0, 4, 2], { dtype: 'int32' })], grad: [0] },
  { ops: ['GatherElements'], fn: (x, i) => c.gather(x, 1, i), inputs: [x34(), ints(4, [3, 2])], grad: [0] },
  { ops: ['ScatterAdd'], fn: (x, i, u) => c.scatterAdd(x, 1, i, u), inputs: [x34(), ints(4, [3, 3]), rn([3, 3])], grad: [0, 2] },
  { ops: ['Tile'], fn: (x) => x.repeat([2, 3]), inputs: [rn([2, 3])], grad: [0] },
  { ops: ['Trilu'], fn: (x) => c.triu(x, 1).add(c.tril(x, -1).mul(2)), inputs: [rn([2, 4, 4])], grad: [0] },
  { ops: ['MatMul'], fn: (a, b) => a.matmul(b), inputs: [rn([2, 3, 4]), rn([4, 5])], grad: [0, 1] },
  { ops: ['Conv'], fn: (x, w, b) => c.conv2d(x, w, b, { stride: 2, padding: 1 }), inputs: [rn([2, 3, 7, 6]), rn([4, 3, 3, 3]), rn([4])], grad: [0, 1, 2] },
  { ops: ['Conv'], fn: (x, w) => c.conv2d(x, w, undefined, { groups: 2, dilation: 2 }), inputs: [rn([1, 4, 7, 7]), rn([4, 2, 2, 2])], grad: [0, 1] },
  { ops: ['ConvTranspose'], fn: (x, w) => c.convTranspose2d(x, w, undefined, { stride: 2, padding: 1, outputPadding: 1 }), inputs: [rn([1, 3, 4, 4]), rn([3, 2, 3, 3])], grad: [0, 1] },
  { ops: ['MaxPool', 'MaxPoolIndices'], fn: (x) => c.maxPool2d(x, 2, { stride: 2 }), inputs: [rn([2, 3, 6, 6])], grad: [0] },
  { ops: ['Cholesky'], fn: (a) => c.cholesky(a.matmul(a.transpose(-1, -2)).add(c.eye(4))), inputs: [rn([2, 4, 4])], grad: [0] },
  { ops: ['Cholesky'], fn: (a) => c.cholesky(a.matmul(a.transpose(-1, -2)).add(c.eye(3)), { upper: true }), inputs: [rn([3, 3])], grad: [0] },
  { ops: ['TriangularSolve'], fn: (a, b) => c.solveTriangular(c.tril(a).add(c.eye(4).mul(3)), b, { upper: false }), inputs: [rn([2, 4, 4]), rn([2, 4, 3])], grad: [0, 1] },
  { ops: ['TriangularSolve'], fn: (a, b) => c.solveTriangular(c.triu(a).add(c.eye(3).mul(3)), b, { upper: true, left: false }), inputs: [rn([3, 3]), rn([2, 5, 3])], grad: [0, 1] },
  { ops: ['TriangularSolve'], fn: (a, b) => c.solveTriangular(c.triu(a), b, { upper: true, unitriangular: true }), inputs: [rn([3, 3]), rn([3, 2])], grad: [1] },
  { ops: ['Inverse'], fn: (a) => c.inv(a), inputs: [rn([2, 3, 3]).add(c.eye(3).mul(3))], grad: [0] },
  { ops: ['SlogDet'], fn: (a) => c.slogdet(a).logabsdet.mul(c.slogdet(a).sign), inputs: [rn([2, 3, 3])], grad: [0] },
];

/** The traced function for a case: its forward, or its gradients with respect to `grad`. */
function gradFn(cs: Case): (...xs: Tensor[]) => Tensor[] {
  const weights = c.randn(cs.fn(...cs.inputs).shape as number[], { generator: new Generator(3), dtype: 'float32' });
  const scalar = (...xs: Tensor[]) => cs.fn(...xs).mul(weights).sum();
  return (...xs: Tensor[]) => c.grad(scalar, { argnums: cs.grad! })(...xs);
}

async function expectRoundTrip(fn: (...xs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[], what: string) {
  const ex = exportOnnx(fn, inputs);
  const eager = fn(...inputs);
  const want = Array.isArray(eager) ? eager : [eager];
  const got = await runExport(ex, inputs);
  want.forEach((w, i) => {
    const o = got[ex.outputNames[i]!]!;
    expect(o.dims, `${what} output ${i} shape`).toEqual(w.shape);
    const wd = Array.from(w.data() as ArrayLike<number>, Number);
    expectClose(o.data, wd, { rtol: 1e-4, atol: 1e-5, what: `${what} output ${i}` });
  });
  return ex;
}

describe('each primitive round-trips through ONNX and onnxruntime-node', () => {
  for (const cs of cases) {
    it(`${cs.ops.join(', ')}: forward${cs.grad ? ' and backward' : ''} (${cs.fn.toString().slice(0, 60)})`, async () => {
      const ex = await expectRoundTrip(cs.fn, cs.inputs, `${cs.ops.join('/')} forward`);
      const counts = ex.graph.opCounts();
      if (cs.grad) {
        const back = await expectRoundTrip(gradFn(cs), cs.inputs, `${cs.ops.join('/')} backward`);
        for (const [op, n] of Object.entries(back.graph.opCounts())) counts[op] = (counts[op] ?? 0) + n;
      }
      for (const op of cs.ops) expect(counts[op], `${op} is in the traced graphs`).toBeGreaterThan(0);
    });
  }

  it('covers every primitive', async () => {
    const covered = new Set(cases.flatMap((cs) => cs.ops));
    const { hasLowering } = await import('./ops.js');
    const all = ['Neg', 'Abs', 'Sign', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Sin', 'Cos', 'Tanh', 'Erf', 'Floor', 'Ceil', 'Round', 'Not', 'IsNaN', 'IsInf', 'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Mod', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Where', 'Cast', 'ReduceSum', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ArgMax', 'ArgMin', 'CumSum', 'Reshape', 'Transpose', 'Expand', 'Concat', 'Slice', 'Pad', 'Gather', 'GatherElements', 'ScatterAdd', 'Tile', 'Trilu', 'MatMul', 'Conv', 'ConvTranspose', 'MaxPool', 'MaxPoolIndices', 'Inverse', 'SlogDet', 'Cholesky', 'TriangularSolve'];
    for (const op of all) {
      expect(hasLowering(op), op).toBe(true);
      expect(covered.has(op), `${op} has a round-trip case`).toBe(true);
    }

  });
});
