/**
 * Matmul GFLOP/s of ours (ts kernels; wasm kernels on 1 thread and on 2) and tfjs-wasm (one
 * thread), interleaved: each round times one call of every contender, so a busy machine's load
 * hits all of them alike. Prints medians.
 *
 *   cd apps/bench && npx tsx --conditions=source src/interleaved.ts [--rounds 30]
 */
import { Generator, matmul, randn, setKernelPreference, setNumThreads } from '@likelihood/core';
import { loadTfjs } from './peers.js';

const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 30;
const shapes: Array<[string, number, number, number, number]> = [
  ['matmul 64³', 1, 64, 64, 64],
  ['matmul 512³', 1, 512, 512, 512],
  ['matmul 768×128·128×384', 1, 768, 128, 384],
  ['matmul 768×512·512×128', 1, 768, 512, 128],
  ['bmm 48×(64×32·32×64)', 48, 64, 32, 64],
];

const tf = await loadTfjs('wasm');
if (!tf) throw new Error('tfjs-wasm unavailable');
const g = new Generator(0);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  '| case | ours-ts | ours-wasm 1 thread | ours-wasm 2 threads | tfjs-wasm | ours-wasm 1t / tfjs-wasm | 2 threads / 1 thread |\n|---|---|---|---|---|---|---|',
);
// Start the worker now, so it is ready before the first timed call.
setNumThreads(2);
matmul(randn([512, 512]), randn([512, 512]));
await new Promise((r) => setTimeout(r, 500));
for (const [name, b, m, k, n] of shapes) {
  const a = randn(b > 1 ? [b, m, k] : [m, k], { generator: g });
  const w = randn(b > 1 ? [b, k, n] : [k, n], { generator: g });
  const runs: Record<string, () => void> = {
    'ours-ts': () => {
      setKernelPreference('ts');
      matmul(a, w);
    },
    'ours-wasm': () => {
      setKernelPreference('auto');
      setNumThreads(1);
      matmul(a, w);
    },
    'ours-wasm-2t': () => {
      setKernelPreference('auto');
      setNumThreads(2);
      matmul(a, w);
    },
    'tfjs-wasm': tf.matmul(b, m, k, n),
  };
  const times: Record<string, number[]> = { 'ours-ts': [], 'ours-wasm': [], 'ours-wasm-2t': [], 'tfjs-wasm': [] };
  const reps = m * n * k * b > 1e7 ? 1 : 20; // calls per timing, so small cases are not all timer noise
  for (const f of Object.values(runs)) for (let i = 0; i < 2; i++) f();
  for (let r = 0; r < rounds; r++) {
    for (const [key, f] of Object.entries(runs)) {
      if (key === 'ours-ts' && r % 3 !== 0) continue; // the slow reference: a third of the rounds
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) f();
      times[key]!.push((performance.now() - t0) / reps);
    }
  }
  const gf = (key: string) => (2 * b * m * n * k) / median(times[key]!) / 1e6;
  const cells = ['ours-ts', 'ours-wasm', 'ours-wasm-2t', 'tfjs-wasm'].map((key) => gf(key).toFixed(2));
  console.log(`| ${name} | ${cells.join(' | ')} | ${(gf('ours-wasm') / gf('tfjs-wasm')).toFixed(2)}× | ${(gf('ours-wasm-2t') / gf('ours-wasm')).toFixed(2)}× |`);
}
setKernelPreference('auto');
tf.dispose();
