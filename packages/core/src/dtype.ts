import { pooledZeros } from './arrayPool.js';
import { DTypeError } from './errors.js';

export type DType = 'float32' | 'float64' | 'int32' | 'bool';
export type FloatDType = 'float32' | 'float64';
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ['bool', 'int32', 'float32', 'float64'];

/** Where large float32 storage comes from when set (core's resident outputs: wasm memory); null: fresh arrays. */
type Float32Source = (n: number) => Float32Array | null;
let float32Source: Float32Source | null = null;

/** Float32 storage from this many elements may come from `float32Source`; smaller stays in JS arrays. */
export const FLOAT32_SOURCE_MIN = 4096;

/** Sets (or with null clears) the source of large zeroed float32 storage; it may decline with null. */
export function setFloat32Source(source: Float32Source | null): void {
  float32Source = source;
}

/** Allocates zeroed storage for `n` elements of `dtype`. */
export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case 'float32':
      return (n >= FLOAT32_SOURCE_MIN && float32Source?.(n)) || pooledZeros(n) || new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
  }
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  return 'bool';
}

export function isFloating(d: DType): d is FloatDType {
  return d === 'float32' || d === 'float64';
}

export function assertDType(d: string, what: string): asserts d is DType {
  if (!(DTYPES as readonly string[]).includes(d)) {
    throw new DTypeError(`${what}: expected one of ${DTYPES.join(', ')}, found '${d}'`);
  }
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** PyTorch's promotion for two tensors: bool < int32 < float32 < float64. */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The float dtype an op that needs floats (exp, div, mean, ...) computes in. */
export function toFloat(d: DType): FloatDType {
  return d === 'float64' ? 'float64' : 'float32';
}
