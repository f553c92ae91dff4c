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
