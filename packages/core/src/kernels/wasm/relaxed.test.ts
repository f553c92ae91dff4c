// The relaxed-SIMD builds (fused multiply-add in the GEMM and the attention dots) load where the
// runtime supports relaxed SIMD, agree with the TypeScript reference, and agree with themselves
// across thread counts. Node 20 needs --experimental-wasm-relaxed-simd for them, so the checks
// run in a child process started with that flag when the runtime here lacks the feature, or
// with LIKELIHOOD_RELAXED_SIMD=1, which makes core set the flag itself.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KERNELS_RELAXED_WASM_BASE64 } from './module.generated.js';
import { relaxedSimdInUse } from './runtime.js';

const root = fileURLToPath(new URL('../../../../../', import.meta.url));
// core compiles without the DOM lib, which declares WebAssembly
declare const WebAssembly: { validate(bytes: Uint8Array): boolean };
const nativeSupport = WebAssembly.validate(Buffer.from(KERNELS_RELAXED_WASM_BASE64, 'base64'));

/**
 * Runs `script` (an ES module importing core) in a Node child, by default one started with relaxed
 * SIMD (the V8 flag where the runtime lacks it natively); returns its JSON output.
 */
function runWithRelaxedSimd(script: string, env: Record<string, string> = {}, flags = nativeSupport ? [] : ['--experimental-wasm-relaxed-simd']): unknown {
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  expect(r.error, String(r.error)).toBeUndefined();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

const CHECK = `
import { Generator, causalAttentionPacked, linear, randn, relaxedSimdInUse, setKernelPreference, setNumThreads } from './packages/core/src/index.ts';
const g = new Generator(7);
// odd sizes: edge tiles of the 4×8 register block, a K that is not a multiple of 4
const a = randn([67, 259], { generator: g });
const b = randn([259, 131], { generator: g });
const x = randn([3, 37, 45], { generator: g }).requiresGrad_();
const w = randn([29, 45], { generator: g }).requiresGrad_();
const bias = randn([29], { generator: g });
const qkv = randn([2, 19, 3 * 4 * 8], { generator: g });
function run(pref, threads) {
  setKernelPreference(pref);
  setNumThreads(threads);
  x.grad = null; w.grad = null;
  const y = linear(x, w, bias);
  y.square().sum().backward();
  return [a.matmul(b), y, x.grad, w.grad, causalAttentionPacked(qkv, 4)].map((t) => Array.from(t.storage));
}
const ref = run('ts', 1);
const one = run('wasm', 1);
const two = run('wasm', 2);
let maxRel = 0;
for (let i = 0; i < ref.length; i++) {
  for (let j = 0; j < ref[i].length; j++) maxRel = Math.max(maxRel, Math.abs(one[i][j] - ref[i][j]) / (1 + Math.abs(ref[i][j])));
}
const threadsAgree = one.every((r, i) => r.every((v, j) => Object.is(v, two[i][j])));
console.log(JSON.stringify({ relaxed: relaxedSimdInUse(), maxRel, threadsAgree }));
`;

describe('relaxed-SIMD kernels', () => {
  it('are used exactly when the runtime supports relaxed SIMD', () => {
    expect(relaxedSimdInUse()).toBe(nativeSupport && process.env.LIKELIHOOD_RELAXED_SIMD !== '0');
  });

  it('match the TypeScript kernels (GEMM, linear forward and backward, causal attention), on one thread and on two', () => {
    const r = runWithRelaxedSimd(CHECK) as { relaxed: boolean; maxRel: number; threadsAgree: boolean };
    expect(r.relaxed).toBe(true);
    expect(r.maxRel).toBeLessThan(1e-4); // float32 sums of up to 259 products (|values| up to ~100), fused or not
    expect(r.threadsAgree).toBe(true);
  }, 70_000);

  it('are switched off by LIKELIHOOD_RELAXED_SIMD=0', () => {
    const r = runWithRelaxedSimd(CHECK, { LIKELIHOOD_RELAXED_SIMD: '0' }) as { relaxed: boolean; maxRel: number };
    expect(r.relaxed).toBe(false);
    expect(r.maxRel).toBeLessThan(1e-4);
  }, 70_000);

  it('are turned on by LIKELIHOOD_RELAXED_SIMD=1 in a Node started without the V8 flag', () => {
    const r = runWithRelaxedSimd(CHECK, { LIKELIHOOD_RELAXED_SIMD: '1' }, []) as { relaxed: boolean; maxRel: number; threadsAgree: boolean };
    expect(r.relaxed).toBe(true);
    expect(r.maxRel).toBeLessThan(1e-4);
    expect(r.threadsAgree).toBe(true);
  }, 70_000);
});
