import type { PrimitiveAttrs, PrimitiveName, ValueInfo } from '@likelihood/core';
import { type OnnxBuilder, onnxType } from './builder.js';
import { OnnxExportError } from './errors.js';
import { lowerCholesky, lowerTriangularSolve } from './linalg-lowering.js';

/** What a lowering sees of one graph node: ONNX names of its inputs and output, and their types. */
export interface LowerContext<K extends PrimitiveName> {
  b: OnnxBuilder;
  inputs: string[];
  inTypes: ValueInfo[];
  attrs: PrimitiveAttrs[K];
  out: string;
  outType: ValueInfo;
}

type Lowering<K extends PrimitiveName> = (c: LowerContext<K>) => void;
type Reduction = Lowering<'ReduceSum' | 'ReduceMax' | 'ReduceMin' | 'ReduceProd'>;
type ArgReduction = Lowering<'ArgMax' | 'ArgMin'>;
type Table = { [K in PrimitiveName]?: Lowering<K> };

/** Primitives whose ONNX operator has the same name, inputs and no attributes. */
const SAME_NAME = [
  'Neg', 'Abs', 'Sign', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Sin', 'Cos', 'Tanh', 'Erf', 'Floor', 'Ceil', 'Round', 'Not', 'IsNaN', 'IsInf',
  'Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor',
  'Where', 'MatMul',
] as const satisfies readonly PrimitiveName[];

/** ONNX Slice clamps ends, so "run past index 0 going backwards" is the most negative int64. */
const INT64_MIN = -(2n ** 63n);

const reduceWithAxesInput =
  (op: string): Reduction =>
  ({ b, inputs, attrs, out }) => {
    if (attrs.axes.length === 0) return b.node('Identity', inputs, [out]);
    b.node(op, [inputs[0]!, b.int64(attrs.axes)], [out], { keepdims: attrs.keepdims ? 1 : 0 });
  };

// Opset 17: ReduceSum takes axes as an input, ReduceMax/Min/Prod as an attribute (until opset 18).
const reduceWithAxesAttr =
  (op: string): Reduction =>
  ({ b, inputs, attrs, out }) => {
    if (attrs.axes.length === 0) return b.node('Identity', inputs, [out]);
    b.node(op, inputs, [out], { axes: attrs.axes, keepdims: attrs.keepdims ? 1 : 0 });
  };

// ONNX ArgMax/ArgMin/MaxPool indices are int64; likelihood's are int32.
const argReduce =
  (op: string): ArgReduction =>
  ({ b, inputs, attrs, out }) => {
    const i64 = b.op(op, inputs, { axis: attrs.axis, keepdims: attrs.keepdims ? 1 : 0, select_last_index: 0 });
    b.node('Cast', [i64], [out], { to: onnxType('int32') });
  };

const poolAttrs = (a: PrimitiveAttrs['MaxPool']) => ({ kernel_shape: a.kernelShape, strides: a.strides, pads: a.pads, dilations: a.dilations });

const table: Table = {
  Mod: ({ b, inputs, out, outType }) => b.node('Mod', inputs, [out], { fmod: outType.dtype === 'float32' || outType.dtype === 'float64' ? 1 : 0 }),
  Cast: ({ b, inputs, attrs, out }) => b.node('Cast', inputs, [out], { to: onnxType(attrs.to) }),
  ReduceSum: reduceWithAxesInput('ReduceSum'),
  ReduceMax: reduceWithAxesAttr('ReduceMax'),
  ReduceMin: reduceWithAxesAttr('ReduceMin'),
  ReduceProd: reduceWithAxesAttr('ReduceProd'),
  ArgMax: argReduce('ArgMax'),
  ArgMin: argReduce('ArgMin'),
  CumSum: ({ b, inputs, attrs, out }) =>
    b.node('CumSum', [inputs[0]!, b.int64([attrs.axis], true)], [out], { exclusive: attrs.exclusive ? 1 : 0, reverse: attrs.reverse ? 1 : 0 }),
  Reshape: ({ b, inputs, attrs, out }) => b.node('Reshape', [inputs[0]!, b.int64(attrs.shape)], [out], { allowzero: 1 }),
  Transpose: ({ b, inputs, attrs, out }) => b.node('Transpose', inputs, [out], { perm: attrs.perm }),
  Expand: ({ b, inputs, attrs, out }) => b.node('Expand', [inputs[0]!, b.int64(attrs.shape)], [out]),
  Concat: ({ b, inputs, attrs, out }) => b.node('Concat', inputs, [out], { axis: attrs.axis }),
  Slice: ({ b, inputs, attrs, out }) => {
    const ends = attrs.ends.map((e, i) => (attrs.steps[i]! < 0 && e < 0 ? INT64_MIN : BigInt(e)));
    b.node('Slice', [inputs[0]!, b.int64(attrs.starts), b.int64(ends), b.int64(attrs.axes), b.int64(attrs.steps)], [out]);
  },
  Pad: ({ b, inputs, attrs, inTypes, out }) => {
    const mode = attrs.mode;
    const value = mode === 'constant' ? [b.scalar(attrs.value, inTypes[0]!.dtype)] : [];
    b.node('Pad', [inputs[0]!, b.int64(attrs.pads), ...value], [out], { mode });
  },
  Gather: ({ b, inputs, attrs, out }) => b.node('Gather', inputs, [out], { axis: attrs.axis }),
  GatherElements: ({ b, inputs, attrs, out }) => b.node('GatherElements', inputs, [out], { axis: attrs.axis }),
  ScatterAdd: ({ b, inputs, attrs, out }) => b.node('ScatterElements', inputs, [out], { axis: attrs.axis, reduction: 'add' }),
  Tile: ({ b, inputs, attrs, out }) => b.node('Tile', [inputs[0]!, b.int64(attrs.repeats)], [out]),
  Trilu: ({ b, inputs, attrs, out }) => b.node('Trilu', [inputs[0]!, b.int64([attrs.k], true)], [out], { upper: attrs.upper ? 1 : 0 }),
  Conv: ({ b, inputs, attrs, out }) =>
    b.node('Conv', inputs, [out], { strides: attrs.strides, pads: attrs.pads, dilations: attrs.dilations, group: attrs.group }),
  ConvTranspose: ({ b, inputs, attrs, out }) =>
    b.node('ConvTranspose', inputs, [out], {
      strides: attrs.strides,
      pads: attrs.pads,
      dilations: attrs.dilations,
      group: attrs.group,
      output_padding: attrs.outputPadding,
    }),
  MaxPool: ({ b, inputs, attrs, out }) => b.node('MaxPool', inputs, [out], poolAttrs(attrs)),
  MaxPoolIndices: ({ b, inputs, attrs, out }) => {
    const values = b.fresh('maxpool_values');
    const i64 = b.fresh('maxpool_indices');
    b.node('MaxPool', inputs, [values, i64], poolAttrs(attrs));
    b.node('Cast', [i64], [out], { to: onnxType('int32') });
  },
  Cholesky: lowerCholesky,
  TriangularSolve: lowerTriangularSolve,
  // No standard ONNX operator computes a matrix inverse; onnxruntime's contrib domain has one.
  Inverse: ({ b, inputs, out }) => b.node('Inverse', inputs, [out], {}, 'com.microsoft'),
  // slogdet from ONNX Det: sign(det) and log|det|. Exact for the small matrices this is used on.
  SlogDet: ({ b, inputs, attrs, out }) => {
    const det = b.op('Det', inputs);
    if (attrs.output === 'sign') b.node('Sign', [det], [out]);
    else b.node('Log', [b.op('Abs', [det])], [out]);
  },
};
for (const op of SAME_NAME) (table as Record<string, Lowering<PrimitiveName>>)[op] = ({ b, inputs, out }) => b.node(op, inputs, [out]);

/** Whether a primitive can be written as ONNX. */
export function hasLowering(op: string): boolean {
  return op in table;
}

/** Appends the ONNX node(s) computing one primitive. */
export function lowerNode<K extends PrimitiveName>(op: K, c: LowerContext<K>): void {
  const fn = table[op] as Lowering<K> | undefined;
  if (!fn) {
    throw new OnnxExportError(
      `exportOnnx: primitive ${op} has no ONNX lowering; ` +
        `ops with a lowering: ${Object.keys(table).sort().join(', ')}`,
    );
  }
  fn(c);
}
