import { allocate, type DType, type TypedArray } from '../../dtype.js';
import { registerKernel, type TensorData } from '../../registry.js';
import { broadcastShapes, sizeOf, shapesEqual } from '../../shape.js';
import type { PrimitiveName } from '../../primitives.js';
import { broadcastStrides, forEachRun } from './broadcast.js';

type Unary = (x: number) => number;
type Binary = (a: number, b: number) => number;

function unary(op: PrimitiveName, f: Unary, outDtype?: DType): void {
  registerKernel(op, 'cpu', ([x]) => {
    const dtype = outDtype ?? x!.dtype;
    const src = x!.storage;
    const out = allocate(dtype, src.length);
    for (let i = 0; i < src.length; i++) out[i] = f(src[i]!);
    return { storage: out, shape: x!.shape, dtype };
  });
}

/** Generic broadcasting binary loop; inputs already share a dtype (ops promote first). */
export function binaryLoop(a: TensorData, b: TensorData, dtype: DType, f: Binary): TensorData {
  const A = a.storage;
  const B = b.storage;
  if (shapesEqual(a.shape, b.shape)) {
    const out = allocate(dtype, A.length);
    for (let i = 0; i < A.length; i++) out[i] = f(A[i]!, B[i]!);
    return { storage: out, shape: a.shape, dtype };
  }
  const shape = broadcastShapes('binary', a.shape, b.shape);
  const out = allocate(dtype, sizeOf(shape));
  forEachRun(shape, [broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape)], (off, o0, n, st) => {
    let ia = off[0]!;
    let ib = off[1]!;
    const sa = st[0]!;
    const sb = st[1]!;
    for (let j = 0; j < n; j++, ia += sa, ib += sb) out[o0 + j] = f(A[ia]!, B[ib]!);
  });
  return { storage: out, shape, dtype };
}

/**
 * One run of a binary op: out[o + j] = A[ia + j·sa] op B[ib + j·sb] for j < n, where the
 * strides are 1 (walks the input) or 0 (broadcasts one value).
 */
type Run = (A: TypedArray, ia: number, sa: number, B: TypedArray, ib: number, sb: number, out: TypedArray, o: number, n: number) => void;

/**
 * The four hottest ops are written out, one function each with a loop per stride pattern, so
 * V8 compiles tight monomorphic loops with no closure call per element (bias adds, residuals,
 * scalar scaling, softmax's row-broadcast subtract); everything else goes through `binaryLoop`.
 */
function arith(op: PrimitiveName, run: Run): void {
  registerKernel(op, 'cpu', ([a, b]) => {
    const A = a!.storage;
    const B = b!.storage;
    if (shapesEqual(a!.shape, b!.shape)) {
      const out = allocate(a!.dtype, A.length);
      run(A, 0, 1, B, 0, 1, out, 0, A.length);
      return { storage: out, shape: a!.shape, dtype: a!.dtype };
    }
    const shape = broadcastShapes('binary', a!.shape, b!.shape);
    const out = allocate(a!.dtype, sizeOf(shape));
    forEachRun(shape, [broadcastStrides(a!.shape, shape), broadcastStrides(b!.shape, shape)], (off, o0, n, st) =>
      run(A, off[0]!, st[0]!, B, off[1]!, st[1]!, out, o0, n),
    );
    return { storage: out, shape, dtype: a!.dtype };
  });
}

arith('Add', (A, ia, sa, B, ib, sb, O, o, n) => {
  if (sa === 1 && sb === 1) for (let j = 0; j < n; j++) O[o + j] = A[ia + j]! + B[ib + j]!;
  else if (sb === 0) {
    const v = B[ib]!;
    for (let j = 0; j < n; j++) O[o + j] = A[ia + j * sa]! + v;
  } else if (sa === 0) {
    const v = A[ia]!;
    for (let j = 0; j < n; j++) O[o + j] = v + B[ib + j * sb]!;
  } else for (let j = 0; j < n; j++) O[o + j] = A[ia + j * sa]! + B[ib + j * sb]!;
});
arith('Sub', (A, ia, sa, B, ib, sb, O, o, n) => {
  if (sa === 1 && sb === 1) for (let j = 0; j < n; j++) O[o + j] = A[ia + j]! - B[ib + j]!;
  else if (sb === 0) {
    const v = B[ib]!;
    for (let j = 0; j < n; j++) O[o + j] = A[ia + j * sa]! - v;
  } else if (sa === 0) {
    const v = A[ia]!;
    for (let j = 0; j < n; j++) O[o + j] = v - B[ib + j * sb]!;
  } else for (let j = 0; j < n; j++) O[o + j] = A[ia + j * sa]! - B[ib + j * sb]!;
});
arith('Mul', (A, ia, sa, B, ib, sb, O, o, n) => {
  if (sa === 1 && sb === 1) for (let j = 0; j < n; j++) O[o + j] = A[ia + j]! * B[ib + j]!;
  else if (sb === 0) {
    const v = B[ib]!;
    for (let j = 0; j < n; j++) O[o + j] = A[ia + j * sa]! * v;
  } else if (sa === 0) {
    const v = A[ia]!;
    for (let j = 0; j < n; j++) O[o + j] = v * B[ib + j * sb]!;
  } else for (let j = 0; j < n; j++) O[o + j] = A[ia + j * sa]! * B[ib + j * sb]!;
});
arith('Div', (A, ia, sa, B, ib, sb, O, o, n) => {
  if (sa === 1 && sb === 1) for (let j = 0; j < n; j++) O[o + j] = A[ia + j]! / B[ib + j]!;
  else if (sb === 0) {
    const v = B[ib]!;
    for (let j = 0; j < n; j++) O[o + j] = A[ia + j * sa]! / v;
  } else if (sa === 0) {
    const v = A[ia]!;
    for (let j = 0; j < n; j++) O[o + j] = v / B[ib + j * sb]!;
  } else for (let j = 0; j < n; j++) O[o + j] = A[ia + j * sa]! / B[ib + j * sb]!;
});

const binary = (op: PrimitiveName, f: Binary, outDtype?: DType) =>
  registerKernel(op, 'cpu', ([a, b]) => binaryLoop(a!, b!, outDtype ?? a!.dtype, f));

binary('Pow', (a, b) => a ** b);
// NaN propagates, as in torch.maximum/minimum.
binary('Max', (a, b) => (a !== a || b !== b ? NaN : Math.max(a, b)));
binary('Min', (a, b) => (a !== a || b !== b ? NaN : Math.min(a, b)));
binary('Mod', (a, b) => a % b);
binary('Equal', (a, b) => (a === b ? 1 : 0), 'bool');
binary('Less', (a, b) => (a < b ? 1 : 0), 'bool');
binary('LessOrEqual', (a, b) => (a <= b ? 1 : 0), 'bool');
binary('Greater', (a, b) => (a > b ? 1 : 0), 'bool');
binary('GreaterOrEqual', (a, b) => (a >= b ? 1 : 0), 'bool');
binary('And', (a, b) => (a && b ? 1 : 0), 'bool');
binary('Or', (a, b) => (a || b ? 1 : 0), 'bool');
binary('Xor', (a, b) => ((a !== 0) !== (b !== 0) ? 1 : 0), 'bool');

unary('Neg', (x) => -x);
unary('Abs', Math.abs);
unary('Sign', (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN));
unary('Exp', Math.exp);
unary('Log', Math.log);
unary('Sqrt', Math.sqrt);
unary('Reciprocal', (x) => 1 / x);
unary('Sin', Math.sin);
unary('Cos', Math.cos);
unary('Tanh', Math.tanh);
unary('Erf', erf);
unary('Floor', Math.floor);
unary('Ceil', Math.ceil);
unary('Round', roundHalfEven);
unary('Not', (x) => (x ? 0 : 1), 'bool');
unary('IsNaN', (x) => (x !== x ? 1 : 0), 'bool');
unary('IsInf', (x) => (x === Infinity || x === -Infinity ? 1 : 0), 'bool');

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds .5 up; torch.round rounds half to even.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * erf in double precision (W. J. Cody's rational Chebyshev approximations, as in most libms),
 * accurate to ~1e-16, well beyond float32.
 */
export function erf(x: number): number {
  if (x !== x) return NaN;
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const p = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const q = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return (x * p) / q;
  }
  if (ax >= 6) return x > 0 ? 1 : -1;
  return x > 0 ? 1 - erfcPositive(ax) : erfcPositive(ax) - 1;
}

/** erfc for x >= 0.5 (Cody). */
export function erfcPositive(x: number): number {
  let r: number;
  if (x < 4) {
    const p = ((((((( 2.15311535474403846e-8 * x + 0.564188496988670089) * x + 8.88314979438837594) * x + 66.1191906371416295) * x + 298.635138197400131) * x + 881.952221241769090) * x + 1712.04761263407058) * x + 2051.07837782607147) * x + 1230.33935479799725;
    const q = ((((((( x + 15.7449261107098347) * x + 117.693950891312499) * x + 537.181101862009858) * x + 1621.38957456669019) * x + 3290.79923573345963) * x + 4362.61909014324716) * x + 3439.36767414372164) * x + 1230.33935480374942;
    r = p / q;
  } else {
    const z = 1 / (x * x);
    const p = ((((0.0163153871373020978 * z + 0.305326634961232344) * z + 0.360344899949804439) * z + 0.125781726111229246) * z + 0.0160837851487422766) * z + 6.58749161529837803e-4;
    const q = ((((z + 2.56852019228982242) * z + 1.87295284992346725) * z + 0.527905102951428412) * z + 0.0605183413124413191) * z + 2.33520497626869185e-3;
    r = (0.564189583547756287 - z * (p / q)) / x;
  }
  // exp(-x^2) split to keep precision for large x
  const xs = Math.trunc(x * 16) / 16;
  const del = (x - xs) * (x + xs);
  return Math.exp(-xs * xs) * Math.exp(-del) * r;
}

registerKernel('Where', 'cpu', ([c, a, b]) => {
  const shape = broadcastShapes('where', c!.shape, a!.shape, b!.shape);
  const dtype = a!.dtype;
  const out = allocate(dtype, sizeOf(shape));
  const C = c!.storage;
  const A = a!.storage;
  const B = b!.storage;
  forEachRun(shape, [c!.shape, a!.shape, b!.shape].map((s) => broadcastStrides(s, shape)), (off, o0, n, st) => {
    let ic = off[0]!;
    let ia = off[1]!;
    let ib = off[2]!;
    const sc = st[0]!;
    const sa = st[1]!;
    const sb = st[2]!;
    for (let j = 0; j < n; j++, ic += sc, ia += sa, ib += sb) out[o0 + j] = C[ic] ? A[ia]! : B[ib]!;
  });
  return { storage: out, shape, dtype };
});

registerKernel('Cast', 'cpu', ([x], { to }) => {
  const src = x!.storage;
  const out = allocate(to, src.length);
  if (to === 'bool') for (let i = 0; i < src.length; i++) out[i] = src[i] !== 0 ? 1 : 0;
  else if (to === 'int32') for (let i = 0; i < src.length; i++) out[i] = Math.trunc(src[i]!); // toward zero, as torch
  else out.set(src);
  return { storage: out, shape: x!.shape, dtype: to };
});
