import { describe, expect, it } from 'vitest';
import * as generated from './module.generated.js';

describe('embedded wasm modules', () => {
  it('are what packages/core/asm/kernels.ts compiles to with the pinned AssemblyScript (run `npm run build:wasm` after editing it)', async () => {
    const script = new URL('../../../scripts/build-wasm.mjs', import.meta.url).href;
    const { compileKernels, BUILDS } = (await import(/* @vite-ignore */ script)) as {
      compileKernels: (o?: { shared: boolean; relaxed: boolean }) => Promise<Uint8Array>;
      BUILDS: Record<string, { shared: boolean; relaxed: boolean }>;
    };
    expect(Object.keys(BUILDS).sort()).toEqual(Object.keys(generated).sort());
    for (const [name, options] of Object.entries(BUILDS)) {
      expect(Buffer.from(await compileKernels(options)).toString('base64'), name).toBe((generated as Record<string, string>)[name]);
    }
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
