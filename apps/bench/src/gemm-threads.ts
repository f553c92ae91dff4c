/**
 * Thread scaling of the wasm GEMM itself: a 512³ float32 product already in shared wasm memory
 * (no copies, no allocation), packed B + sgemm on 1 and on 2 threads, interleaved; median GFLOP/s.
 * The end-to-end `matmul` figure (src/interleaved.ts) adds the serial copies in and out and the
 * output's allocation, which bound its 2-thread speedup (Amdahl).
 *
 *   cd apps/bench && npx tsx --conditions=source src/gemm-threads.ts [--size 512]
 */
import { packBOnThreads, reserveGemmWorkspace, sgemmPackedOnThreads } from '../../../packages/core/src/kernels/wasm/gemm.js';
import { freshArena, sharedKernels } from '../../../packages/core/src/kernels/wasm/runtime.js';
import { setNumThreads, startWorkers } from '../../../packages/core/src/kernels/wasm/threads.js';

const S = Number(process.argv[process.argv.indexOf('--size') + 1]) || 512;
setNumThreads(2);
if ((await startWorkers()) < 1) throw new Error('no worker thread started');
const k = sharedKernels()!.exports;
const arena = freshArena(k);
const pa = arena.alloc(S * S * 4);
const pb = arena.alloc(S * S * 4);
const pc = arena.alloc(S * S * 4);
const one = reserveGemmWorkspace(k, arena, S, S, 1);
const two = reserveGemmWorkspace(k, arena, S, S, 2);
arena.commit();
arena.f32(pa, S * S).fill(0.5);
arena.f32(pb, S * S).fill(0.25);
const run = (w: typeof one) => {
  packBOnThreads(k, pb, S, S, 0, w);
  sgemmPackedOnThreads(k, pa, pc, S, S, S, 0, w);
};
for (let i = 0; i < 20; i++) {
  run(one);
  run(two);
}
const times: number[][] = [[], []];
for (let i = 0; i < 31; i++) {
  for (const [j, w] of [one, two].entries()) {
    const t0 = performance.now();
    run(w);
    times[j]!.push(performance.now() - t0);
  }
}
const gflops = times.map((t) => (2 * S ** 3) / [...t].sort((a, b) => a - b)[15]! / 1e6);
console.log(`${S}³ in wasm memory: 1 thread ${gflops[0]!.toFixed(1)} GFLOP/s, 2 threads ${gflops[1]!.toFixed(1)} GFLOP/s (${(gflops[1]! / gflops[0]!).toFixed(2)}×)`);
