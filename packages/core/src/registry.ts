import type { DType, TypedArray } from './dtype.js';
import { LikelihoodError } from './errors.js';
import type { Shape } from './shape.js';
import type { PrimitiveAttrs, PrimitiveName } from './primitives.js';

/** What a kernel reads and returns: contiguous row-major storage plus shape and dtype. */
export interface TensorData {
  readonly shape: Shape;
  readonly dtype: DType;
  readonly storage: TypedArray;
}

export type Kernel<K extends PrimitiveName = PrimitiveName> = (
  inputs: readonly TensorData[],
  attrs: PrimitiveAttrs[K],
) => TensorData;

export type BackendName = 'cpu' | (string & {});

interface RegistryState {
  kernels: Map<string, Kernel<any>>;
  backend: BackendName;
}

// Kept on globalThis so two copies of @likelihood/core in one process share kernels (as tfjs does).
const KEY = Symbol.for('likelihood.kernelRegistry.v1');
const g = globalThis as unknown as Record<symbol, RegistryState | undefined>;
const state: RegistryState = (g[KEY] ??= { kernels: new Map(), backend: 'cpu' });

const keyOf = (op: string, backend: string) => `${backend}/${op}`;

/** Registers the kernel for (op, backend); a later registration replaces an earlier one. */
export function registerKernel<K extends PrimitiveName>(op: K, backend: BackendName, kernel: Kernel<K>): void {
  state.kernels.set(keyOf(op, backend), kernel as Kernel<any>);
}

export function getKernel<K extends PrimitiveName>(op: K, backend: BackendName = state.backend): Kernel<K> {
  const k = state.kernels.get(keyOf(op, backend));
  if (!k) throw new LikelihoodError(`no kernel registered for op '${op}' on backend '${backend}'`);
  return k as Kernel<K>;
}

export function hasKernel(op: PrimitiveName, backend: BackendName = state.backend): boolean {
  return state.kernels.has(keyOf(op, backend));
}

export function setBackend(name: BackendName): void {
  state.backend = name;
}

export function getBackend(): BackendName {
  return state.backend;
}
