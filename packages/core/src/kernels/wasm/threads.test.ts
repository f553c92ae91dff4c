// The kernels split over worker threads give the single-thread results, and a process that used
// the workers exits by itself.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator, autogradGrad, causalAttentionPacked, conv2d, convTranspose2d, gelu, groupNormSilu, layerNorm, linear, randn, setKernelPreference } from '../../index.js';
import type { Tensor } from '../../tensor.js';
import { gemmReference } from '../cpu/gemm.js';
import { gemmBatchedWasm } from './gemm.js';
import { threadsSupported } from './runtime.js';
import { getNumThreads, setNumThreads, splitEveryKernelForTests, startWorkers } from './threads.js';

const supported = threadsSupported();

/** Runs f on one thread, then split over two: returns both results. */
function oneAndTwo<T>(f: () => T): [T, T] {
  setNumThreads(1);
  const one = f();
  setNumThreads(2);
  return [one, f()];
}

describe.skipIf(!supported)('wasm kernels on worker threads', () => {
  const savedThreads = getNumThreads();
  beforeAll(async () => {
    setKernelPreference('wasm');
    setNumThreads(2);
    expect(await startWorkers()).toBe(1);
    splitEveryKernelForTests(true);
  });
  afterAll(() => {
    splitEveryKernelForTests(false);
    setNumThreads(savedThreads);
    setKernelPreference('auto');
  });

  it('setNumThreads validates its argument', () => {
    expect(() => setNumThreads(0)).toThrow(/setNumThreads: expected an integer n in \[1, 64\], found 0/);
    expect(() => setNumThreads(1.5)).toThrow(/found 1.5/);
  });

  it('GEMM split by rows or by columns equals the reference and the one-thread result bit for bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 300 }),
        fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 1000 }),
        (M, N, K, ta, tb, seed) => {
          const g = new Generator(seed);
          const A = Float32Array.from({ length: M * K }, () => g.random() * 2 - 1);
          const B = Float32Array.from({ length: K * N }, () => g.random() * 2 - 1);
          const [one, two] = oneAndTwo(() => {
            const C = new Float32Array(M * N);
            expect(gemmBatchedWasm(A, 0, 1, B, 0, 1, C, 0, [0], [0], M, N, K, ta, tb)).toBe(true);
            return C;
          });
          expect(two).toEqual(one);
          const ref = new Float64Array(M * N);
          gemmReference(A, 0, B, 0, ref, 0, M, N, K, ta, tb);
          for (let i = 0; i < ref.length; i++) expect(Math.abs(two[i]! - ref[i]!)).toBeLessThanOrEqual((K + 2) * 2 ** -24 * K);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('batched GEMM with broadcast B (packed once per distinct matrix) equals one thread', () => {
    const g = new Generator(2);
    const [M, N, K] = [37, 21, 50];
    const A = Float32Array.from({ length: 4 * M * K }, () => g.random() - 0.5);
    const B = Float32Array.from({ length: 2 * K * N }, () => g.random() - 0.5);
    const [one, two] = oneAndTwo(() => {
      const C = new Float32Array(4 * M * N);
      gemmBatchedWasm(A, 0, 4, B, 0, 2, C, 0, [0, 1, 2, 3], [0, 0, 1, 1], M, N, K);
      return C;
    });
    expect(two).toEqual(one);
  });

  it('exp, softmax, GELU and its gradient split by elements or rows equal one thread bit for bit', () => {
    const x = randn([37, 53], { generator: new Generator(3) }).requiresGrad_();
    const [one, two] = oneAndTwo(() => {
      const y = gelu(x, 'tanh');
      const [dx] = autogradGrad([y.mul(y).sum()], [x]);
      return [x.exp().storage, x.softmax(-1).storage, x.logSoftmax(-1).storage, y.storage, dx!.storage];
    });
    for (let i = 0; i < one.length; i++) expect(two[i]).toEqual(one[i]);
  });

  it('layerNorm forward equals one thread; its weight and bias gradients (summed per thread) agree to 1e-6', () => {
    const g = new Generator(4);
    const x = randn([45, 24], { generator: g }).requiresGrad_();
    const w = randn([24], { generator: g }).requiresGrad_();
    const b = randn([24], { generator: g }).requiresGrad_();
    const gy = randn([45, 24], { generator: g });
    const [one, two] = oneAndTwo(() => {
      const y = layerNorm(x, [24], w, b);
      const grads = autogradGrad([y.mul(gy).sum()], [x, w, b]) as Tensor[];
      return [y.storage, ...grads.map((t) => t.storage)];
    });
    expect(two[0]).toEqual(one[0]);
    expect(two[1]).toEqual(one[1]);
    for (const i of [2, 3]) {
      for (let j = 0; j < 24; j++) expect(Math.abs(two[i]![j]! - one[i]![j]!)).toBeLessThan(1e-6 * (1 + Math.abs(one[i]![j]!)));
    }
  });

  it('linear (GEMM, bias add by rows, bias gradient by columns) equals one thread bit for bit', () => {
    const g = new Generator(6);
    const x = randn([29, 37], { generator: g }).requiresGrad_();
    const w = randn([23, 37], { generator: g }).requiresGrad_();
    const b = randn([23], { generator: g }).requiresGrad_();
    const gy = randn([29, 23], { generator: g });
    const [one, two] = oneAndTwo(() => {
      const y = linear(x, w, b);
      const grads = autogradGrad([y.mul(gy).sum()], [x, w, b]) as Tensor[];
      return [y.storage, ...grads.map((t) => t.storage)];
    });
    for (let i = 0; i < 4; i++) expect(two[i]).toEqual(one[i]);
  });

  it('conv2d and convTranspose2d split by images equal one thread bit for bit; weight gradients (summed per thread) agree to 1e-6', () => {
    const g = new Generator(7);
    const x = randn([3, 10, 62, 60], { generator: g }).requiresGrad_();
    const w = randn([4, 5, 3, 3], { generator: g }).requiresGrad_(); // 2 groups
    const wt = randn([4, 3, 3, 3], { generator: g }).requiresGrad_(); // convTranspose: (C, O/groups, k, k)
    const xt = randn([2, 4, 9, 7], { generator: g }).requiresGrad_();
    const [one, two] = oneAndTwo(() => {
      const y = conv2d(x, w, null, { padding: 1, groups: 2 });
      const yt = convTranspose2d(xt, wt, null, { stride: 2, padding: 1, outputPadding: 1 });
      const grads = autogradGrad([y.square().sum().add(yt.square().sum())], [x, xt, w, wt]) as Tensor[];
      return [y.storage, yt.storage, ...grads.map((t) => t.storage)];
    });
    for (let i = 0; i < 4; i++) expect(two[i]).toEqual(one[i]);
    for (let i = 4; i < 6; i++) {
      const scale = Math.max(...Array.from(one[i]!, Math.abs));
      for (let j = 0; j < one[i]!.length; j++) expect(Math.abs(two[i]![j]! - one[i]![j]!)).toBeLessThanOrEqual(1e-6 * scale);
    }
  });

  it('the direct and Winograd convolutions (and their flipped-kernel ConvTranspose) split by images equal one thread bit for bit', () => {
    const g = new Generator(9);
    const x = randn([3, 12, 15, 13], { generator: g }).requiresGrad_();
    const w3 = randn([8, 12, 3, 3], { generator: g }).requiresGrad_(); // Winograd (3×3, C ≥ 8)
    const w5 = randn([4, 12, 5, 5], { generator: g }).requiresGrad_(); // direct
    const [one, two] = oneAndTwo(() => {
      const y3 = conv2d(x, w3, null, { padding: 1 });
      const y5 = conv2d(x, w5, null, { padding: 2 });
      const gx = autogradGrad([y3.square().sum().add(y5.square().sum())], [x])[0]!;
      return [y3.storage, y5.storage, gx.storage];
    });
    for (let i = 0; i < 3; i++) expect(two[i]).toEqual(one[i]);
  });

  it('groupNormSilu split by rows equals one thread bit for bit; its weight and bias gradients (summed per thread) agree to 1e-6', () => {
    const g = new Generator(8);
    const x = randn([3, 8, 9, 7], { generator: g }).requiresGrad_();
    const w = randn([8], { generator: g }).requiresGrad_();
    const b = randn([8], { generator: g }).requiresGrad_();
    const gy = randn([3, 8, 9, 7], { generator: g });
    const [one, two] = oneAndTwo(() => {
      const y = groupNormSilu(x, 4, w, b);
      return [y.storage, ...(autogradGrad([y.mul(gy).sum()], [x, w, b]) as Tensor[]).map((t) => t.storage)];
    });
    expect(two[0]).toEqual(one[0]);
    expect(two[1]).toEqual(one[1]);
    for (let i = 2; i < 4; i++) {
      const scale = Math.max(...Array.from(one[i]!, Math.abs));
      for (let j = 0; j < one[i]!.length; j++) expect(Math.abs(two[i]![j]! - one[i]![j]!)).toBeLessThanOrEqual(1e-6 * scale);
    }
  });

  it('causal attention split by batch entries equals one thread bit for bit, value and gradient', () => {
    const g = new Generator(5);
    const qkv = randn([5, 11, 3 * 2 * 6], { generator: g }).requiresGrad_();
    const gy = randn([5, 11, 12], { generator: g });
    const [one, two] = oneAndTwo(() => {
      const y = causalAttentionPacked(qkv, 2);
      const [d] = autogradGrad([y.mul(gy).sum()], [qkv]);
      return [y.storage, d!.storage];
    });
    expect(two[0]).toEqual(one[0]);
    expect(two[1]).toEqual(one[1]);
  });

  it('a process that ran kernels on worker threads exits by itself', () => {
    const root = fileURLToPath(new URL('../../../../../', import.meta.url));
    const script = [
      "import { randn, Generator, setNumThreads } from './packages/core/src/index.ts';",
      "import { startWorkers, readyWorkers } from './packages/core/src/kernels/wasm/threads.ts';",
      'setNumThreads(2);',
      'await startWorkers();',
      'const a = randn([300, 300], { generator: new Generator(1) });',
      'for (let i = 0; i < 5; i++) a.matmul(a);',
      "console.log('workers', readyWorkers());",
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.error, String(r.error)).toBeUndefined(); // a timeout would be an error here
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('workers 1');
    expect(r.status).toBe(0);
  }, 40_000);
});
