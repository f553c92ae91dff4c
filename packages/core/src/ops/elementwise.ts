import { runPrimitive } from '../dispatch.js';
import { type DType, isFloating, promoteTypes, toFloat } from '../dtype.js';
import { DTypeError } from '../errors.js';
import type { PrimitiveName } from '../primitives.js';
import { broadcastShapes } from '../shape.js';
import { Tensor, full, type TensorLike } from '../tensor.js';

/** A JS number as a 0-d tensor that adopts `like`'s dtype where PyTorch would (weak scalar typing). */
export function scalarLike(v: number, like: Tensor): Tensor {
  const dtype: DType = isFloating(like.dtype) ? like.dtype : Number.isInteger(v) ? 'int32' : 'float32';
  return full([], v, { dtype });
}

/** Turns `a` and `b` into tensors of one promoted dtype. */
export function promotePair(a: TensorLike, b: TensorLike, op: string): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') return [full([], a), full([], b)];
  let ta = typeof a === 'number' ? scalarLike(a, b as Tensor) : a;
  let tb = typeof b === 'number' ? scalarLike(b, ta) : b;
  if (!(ta instanceof Tensor) || !(tb instanceof Tensor)) {
    throw new DTypeError(`${op}: expected tensors or numbers, found ${typeof a} and ${typeof b}`);
  }
  const dtype = promoteTypes(ta.dtype, tb.dtype);
  ta = cast(ta, dtype);
  tb = cast(tb, dtype);
  return [ta, tb];
}

function binary(op: PrimitiveName, name: string, a: TensorLike, b: TensorLike, float = false): Tensor {
  let [ta, tb] = promotePair(a, b, name);
  broadcastShapes(name, ta.shape, tb.shape); // throws a ShapeError naming the op
  if (float && !isFloating(ta.dtype)) {
    ta = cast(ta, 'float32');
    tb = cast(tb, 'float32');
  }
  return runPrimitive(op, [ta, tb], {} as never);
}

function unaryFloat(op: PrimitiveName, x: TensorLike): Tensor {
  const t = asTensor(x);
  return runPrimitive(op, [isFloating(t.dtype) ? t : cast(t, toFloat(t.dtype))], {} as never);
}

function unarySame(op: PrimitiveName, x: TensorLike): Tensor {
  return runPrimitive(op, [asTensor(x)], {} as never);
}

export function asTensor(x: TensorLike): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return full([], x);
  throw new DTypeError(`expected a Tensor or a number, found ${typeof x}`);
}

/** Converts to `dtype` (identity when it already has it). Float→int truncates toward zero. */
export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  return runPrimitive('Cast', [x], { to: dtype });
}

export const add = (a: TensorLike, b: TensorLike): Tensor => binary('Add', 'add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('Sub', 'sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('Mul', 'mul', a, b);
/** True division: integer inputs give float32, as torch.div. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('Div', 'div', a, b, true);
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('Pow', 'pow', a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('Max', 'maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('Min', 'minimum', a, b);
/** Remainder with the sign of the dividend (torch.fmod). */
export const fmod = (a: TensorLike, b: TensorLike): Tensor => binary('Mod', 'fmod', a, b);
export const eq = (a: TensorLike, b: TensorLike): Tensor => binary('Equal', 'eq', a, b);
export const ne = (a: TensorLike, b: TensorLike): Tensor => logicalNot(eq(a, b));
export const lt = (a: TensorLike, b: TensorLike): Tensor => binary('Less', 'lt', a, b);
export const le = (a: TensorLike, b: TensorLike): Tensor => binary('LessOrEqual', 'le', a, b);
export const gt = (a: TensorLike, b: TensorLike): Tensor => binary('Greater', 'gt', a, b);
export const ge = (a: TensorLike, b: TensorLike): Tensor => binary('GreaterOrEqual', 'ge', a, b);

const asBool = (x: TensorLike) => cast(asTensor(x), 'bool');
export const logicalAnd = (a: TensorLike, b: TensorLike): Tensor => runPrimitive('And', [asBool(a), asBool(b)], {});
export const logicalOr = (a: TensorLike, b: TensorLike): Tensor => runPrimitive('Or', [asBool(a), asBool(b)], {});
export const logicalXor = (a: TensorLike, b: TensorLike): Tensor => runPrimitive('Xor', [asBool(a), asBool(b)], {});
export const logicalNot = (x: TensorLike): Tensor => runPrimitive('Not', [asBool(x)], {});

export const neg = (x: TensorLike): Tensor => unarySame('Neg', x);
export const abs = (x: TensorLike): Tensor => unarySame('Abs', x);
export const sign = (x: TensorLike): Tensor => unarySame('Sign', x);
export const exp = (x: TensorLike): Tensor => unaryFloat('Exp', x);
export const log = (x: TensorLike): Tensor => unaryFloat('Log', x);
export const sqrt = (x: TensorLike): Tensor => unaryFloat('Sqrt', x);
export const reciprocal = (x: TensorLike): Tensor => unaryFloat('Reciprocal', x);
export const sin = (x: TensorLike): Tensor => unaryFloat('Sin', x);
export const cos = (x: TensorLike): Tensor => unaryFloat('Cos', x);
export const tanh = (x: TensorLike): Tensor => unaryFloat('Tanh', x);
export const erf = (x: TensorLike): Tensor => unaryFloat('Erf', x);
export const floor = (x: TensorLike): Tensor => unarySame('Floor', x);
export const ceil = (x: TensorLike): Tensor => unarySame('Ceil', x);
/** Rounds half to even, as torch.round. */
export const round = (x: TensorLike): Tensor => unarySame('Round', x);
export const isnan = (x: TensorLike): Tensor => unarySame('IsNaN', x);
export const isinf = (x: TensorLike): Tensor => unarySame('IsInf', x);
export const isfinite = (x: TensorLike): Tensor => logicalNot(logicalOr(isnan(x), isinf(x)));

/** Elementwise select: `cond ? a : b`, broadcasting all three (torch.where). */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [ta, tb] = promotePair(a, b, 'where');
  broadcastShapes('where', cond.shape, ta.shape, tb.shape);
  return runPrimitive('Where', [cast(cond, 'bool'), ta, tb], {});
}
