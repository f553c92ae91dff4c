import { ArgumentError } from '../../errors.js';
import { wasmKernels } from './runtime.js';

/**
 * Which CPU kernels run float32 ops:
 * - 'auto' (default): WebAssembly SIMD kernels where an op is large enough to gain, else TypeScript;
 * - 'ts': always the plain TypeScript kernels (the reference);
 * - 'wasm': WebAssembly for every float32 op it covers, whatever the size (for testing).
 * float64 and integer ops always run the TypeScript kernels.
 */
export type KernelPreference = 'auto' | 'ts' | 'wasm';

const PREFERENCES: readonly KernelPreference[] = ['auto', 'ts', 'wasm'];

function fromEnv(): KernelPreference {
  const v = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.LIKELIHOOD_KERNELS;
  return v && (PREFERENCES as readonly string[]).includes(v) ? (v as KernelPreference) : 'auto';
}

let preference: KernelPreference = fromEnv();

/** Selects the CPU kernels (see KernelPreference); the env variable LIKELIHOOD_KERNELS sets the initial value. */
export function setKernelPreference(p: KernelPreference): void {
  if (!(PREFERENCES as readonly string[]).includes(p)) {
    throw new ArgumentError(`setKernelPreference: expected one of ${PREFERENCES.map((x) => `'${x}'`).join(', ')}, found ${JSON.stringify(p)}`);
  }
  preference = p;
}

export function getKernelPreference(): KernelPreference {
  return preference;
}

/** True when a float32 op of `work` units (multiply-adds or elements) should run in wasm. */
export function useWasm(work: number, threshold: number): boolean {
  if (preference === 'ts') return false;
  if (preference === 'auto' && work < threshold) return false;
  return wasmKernels() !== null;
}
