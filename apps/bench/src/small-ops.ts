/**
 * Small-op latency (µs per call, wall time, median over rounds): the "no slowdown for small ops"
 * check of issue 7. Run it on two checkouts alternately and compare.
 *
 *   cd apps/bench && npx tsx --conditions=source src/small-ops.ts
 */
import { Generator, matmul, randn, add, mul, sum, softmax } from '@likelihood/core';
const g = new Generator(0);
const a = randn([64, 64], { generator: g }), b = randn([64, 64], { generator: g }), r = randn([64], { generator: g });
const x3 = randn([8, 16, 32], { generator: g }), c3 = randn([8, 16, 1], { generator: g });
const cases: [string, () => unknown][] = [
  ['matmul 64³', () => matmul(a, b)],
  ['add 64×64 same shape', () => add(a, b)],
  ['add 64×64 + row [64]', () => add(a, r)],
  ['mul 64×64 · scalar', () => mul(a, 0.5)],
  ['sub [8,16,32] − [8,16,1]', () => x3.sub(c3)],
  ['sum 64×64 dim 0', () => sum(a, 0)],
  ['sum 64×64 dim 1', () => sum(a, 1)],
  ['softmax 64×64', () => softmax(a, -1)],
  ['add 1M', (() => { const u = randn([1 << 20], { generator: g }), v = randn([1 << 20], { generator: g }); return () => add(u, v); })()],
];
const rounds = 31;
const res: Record<string, number[]> = {};
for (let rd = 0; rd < rounds; rd++) {
  for (const [name, f] of cases) {
    const reps = name.includes('1M') ? 5 : 2000;
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) f();
    (res[name] ??= []).push(((performance.now() - t0) / reps) * 1000);
  }
}
for (const [name] of cases) { const s = res[name]!.sort((p, q) => p - q); console.log(`${name}: ${s[Math.floor(s.length / 2)]!.toFixed(2)} µs (min ${s[0]!.toFixed(2)})`); }
