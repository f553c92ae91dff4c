import { describe, expect, it } from 'vitest';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './module.generated.js';

describe('embedded wasm modules', () => {
  it('are what packages/core/asm/kernels.ts compiles to with the pinned AssemblyScript (run `npm run build:wasm` after editing it)', async () => {
    const script = new URL('../../../scripts/build-wasm.mjs', import.meta.url).href;
    const { compileKernels } = (await import(/* @vite-ignore */ script)) as {
      compileKernels: (o?: { shared: boolean }) => Promise<Uint8Array>;
    };
    expect(Buffer.from(await compileKernels()).toString('base64')).toBe(KERNELS_WASM_BASE64);
    expect(Buffer.from(await compileKernels({ shared: true })).toString('base64')).toBe(KERNELS_SHARED_WASM_BASE64);
  });
});

describe('initWasmKernels', () => {
  it('compiles the module asynchronously and reports that the kernels are available', async () => {
    const { initWasmKernels, wasmKernels, wasmLoadError } = await import('./runtime.js');
    expect(await initWasmKernels()).toBe(true);
    expect(wasmLoadError()).toBeUndefined();
    const k = wasmKernels()!;
    expect(typeof k.sgemmPacked).toBe('function');
    expect(await initWasmKernels()).toBe(true); // idempotent
  });
});
