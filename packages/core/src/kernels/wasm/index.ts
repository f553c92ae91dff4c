// Registration entry point for the WebAssembly SIMD kernels: each wraps the TypeScript kernel
// of the same op and selects by dtype and size (see preference.ts). Imported after cpu/.
import '../cpu/index.js';
import './matmul.js';
import './elementwise.js';
import './conv.js';

export { setKernelPreference, getKernelPreference } from './preference.js';
export { initWasmKernels, relaxedSimdInUse, wasmKernels, wasmLoadError } from './runtime.js';
export { setNumThreads, getNumThreads } from './threads.js';
export { setResidentBytes, residentStats, releaseResidentOutputs } from './resident.js';
export { fusedAdamUpdate, type FusedAdamScalars } from './adam.js';
export type { KernelPreference } from './preference.js';
