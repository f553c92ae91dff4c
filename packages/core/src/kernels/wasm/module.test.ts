import { describe, expect, it } from 'vitest';
import { KERNELS_WASM_BASE64 } from './module.generated.js';

describe('embedded wasm module', () => {
  it('is what packages/core/asm/kernels.ts compiles to with the pinned AssemblyScript (run `npm run build:wasm` after editing it)', async () => {
    const script = new URL('../../../scripts/build-wasm.mjs', import.meta.url).href;
    const { compileKernels } = (await import(/* @vite-ignore */ script)) as { compileKernels: () => Promise<Uint8Array> };
    const bytes = await compileKernels();
    expect(Buffer.from(bytes).toString('base64')).toBe(KERNELS_WASM_BASE64);
  });
});

describe('initWasmKernels', () => {
  it('compiles the module asynchronously and reports that the kernels are available', async () => {
    const { initWasmKernels, wasmKernels, wasmLoadError } = await import('./runtime.js');
    expect(await initWasmKernels()).toBe(true);
    expect(wasmLoadError()).toBeUndefined();
    const k = wasmKernels()!;
    expect(typeof k.sgemm).toBe('function');
    expect(await initWasmKernels()).toBe(true); // idempotent
  });
});
