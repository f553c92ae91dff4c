import type { DType } from './dtype.js';

/**
 * The closed set of primitive ops. Every entry maps one-to-one onto an ONNX operator
 * (named in the comment where the names differ); everything else in core is a composite
 * written with these, so it gets gradients, capture and every backend for free.
 *
 * Each key's value type is that op's attributes. Kernels live in `kernels/<backend>/`,
 * backward rules in `autograd/rules/`.
 */
export interface PrimitiveAttrs {
  // Elementwise unary (ONNX: same names)
  Neg: Record<string, never>;
  Abs: Record<string, never>;
  Sign: Record<string, never>;
  Exp: Record<string, never>;
  Log: Record<string, never>;
  Sqrt: Record<string, never>;
  Reciprocal: Record<string, never>;
  Sin: Record<string, never>;
  Cos: Record<string, never>;
  Tanh: Record<string, never>;
  Erf: Record<string, never>;
  Floor: Record<string, never>;
  Ceil: Record<string, never>;
  /** Round half to even, like torch.round and ONNX Round. */
  Round: Record<string, never>;
  Not: Record<string, never>;
  IsNaN: Record<string, never>;
  IsInf: Record<string, never>;

  // Elementwise binary with broadcasting (ONNX Max/Min for maximum/minimum)
  Add: Record<string, never>;
  Sub: Record<string, never>;
  Mul: Record<string, never>;
  Div: Record<string, never>;
  Pow: Record<string, never>;
  Max: Record<string, never>;
  Min: Record<string, never>;
  /** Floating remainder with the sign of the dividend (ONNX Mod fmod=1, torch.fmod). */
  Mod: Record<string, never>;
  Equal: Record<string, never>;
  Less: Record<string, never>;
  LessOrEqual: Record<string, never>;
  Greater: Record<string, never>;
  GreaterOrEqual: Record<string, never>;
  And: Record<string, never>;
  Or: Record<string, never>;
  Xor: Record<string, never>;

  /** Where(cond, a, b) with broadcasting. */
  Where: Record<string, never>;
  Cast: { to: DType };

  // Reductions
  ReduceSum: { axes: number[]; keepdims: boolean };
  ReduceMax: { axes: number[]; keepdims: boolean };
  ReduceMin: { axes: number[]; keepdims: boolean };
  ReduceProd: { axes: number[]; keepdims: boolean };
  ArgMax: { axis: number; keepdims: boolean };
  ArgMin: { axis: number; keepdims: boolean };
  CumSum: { axis: number; exclusive: boolean; reverse: boolean };

  // Movement
  Reshape: { shape: number[] };
  Transpose: { perm: number[] };
  Expand: { shape: number[] };
  Concat: { axis: number };
  /** Normalised: one entry per axis, non-negative starts/ends already clamped; steps may be negative. */
  Slice: { starts: number[]; ends: number[]; axes: number[]; steps: number[] };
  /** pads in ONNX layout: [begin_0, ..., begin_{n-1}, end_0, ..., end_{n-1}]; may be negative (crop). */
  Pad: { pads: number[]; mode: 'constant' | 'reflect' | 'edge'; value: number };
  /** Gather(data, indices) along axis: torch.index_select / embedding. */
  Gather: { axis: number };
  /** GatherElements(data, indices): torch.gather. */
  GatherElements: { axis: number };
  /** ScatterElements(data, indices, updates) with reduction='add': torch.scatter_add. */
  ScatterAdd: { axis: number };
  Tile: { repeats: number[] };
  /** ONNX Trilu on the last two dims. */
  Trilu: { upper: boolean; k: number };

  // Linear algebra
  MatMul: Record<string, never>;
  // Small-matrix linalg, batched over leading dims. No single standard ONNX operator exists
  // for these, so ONNX export needs a decomposition: Cholesky and TriangularSolve unrolled
  // into MatMul/Div/Sqrt/Slice for the static n; SlogDet as Sign(Det(A)) / Log(Abs(Det(A)))
  // (ONNX Det); Inverse as com.microsoft.Inverse (onnxruntime contrib op).
  /** Cholesky factor (torch.linalg.cholesky): reads the lower triangle (upper: the upper one). */
  Cholesky: { upper: boolean };
  /** torch.linalg.solve_triangular(A, B, upper, left, unitriangular); batch dims broadcast. */
  TriangularSolve: { upper: boolean; left: boolean; unitriangular: boolean };
  /** One output of torch.linalg.slogdet (LU with partial pivoting). */
  SlogDet: { output: 'sign' | 'logabsdet' };
  /** Matrix inverse (torch.linalg.inv). */
  Inverse: Record<string, never>;

  // Neural (NC + spatial layout, ONNX semantics). pads: [begin..., end...].
  Conv: { strides: number[]; pads: number[]; dilations: number[]; group: number };
  ConvTranspose: { strides: number[]; pads: number[]; dilations: number[]; group: number; outputPadding: number[] };
  MaxPool: { kernelShape: number[]; strides: number[]; pads: number[]; dilations: number[] };
  /** The second output of ONNX MaxPool: flat index (over the whole input) of each max, as int32. */
  MaxPoolIndices: { kernelShape: number[]; strides: number[]; pads: number[]; dilations: number[] };
}

export type PrimitiveName = keyof PrimitiveAttrs;

/** Ops whose outputs never carry gradients (integer/bool results or piecewise-constant functions). */
export const NON_DIFFERENTIABLE: ReadonlySet<string> = new Set([
  'Sign',
  'Floor',
  'Ceil',
  'Round',
  'Not',
  'IsNaN',
  'IsInf',
  'Equal',
  'Less',
  'LessOrEqual',
  'Greater',
  'GreaterOrEqual',
  'And',
  'Or',
  'Xor',
  'ArgMax',
  'ArgMin',
  'MaxPoolIndices',
]);
