/**
 * GPT training step at nanoGPT's shakespeare_char CPU config (n_layer 4, n_head 4, n_embd 128,
 * block_size 64, batch 12, vocab 65, dropout 0), eager, with the TypeScript kernels and with the
 * automatic (WebAssembly) selection, in one process. Prints median ms/iter and the first losses
 * of each run (same seed, so they agree within float32 tolerance).
 *
 *   cd apps/bench && npx tsx --conditions=source src/gpt-step.ts [--iters 20] [--only ts|auto] [--resident-mb 256]
 *
 * With --resident-mb, wasm kernel outputs stay in wasm memory (core's setResidentBytes) and the
 * loop awaits releaseResidentOutputs() after each step, outside the timed part.
 */
import { Generator, type KernelPreference, randint, releaseResidentOutputs, residentStats, setKernelPreference, setResidentBytes } from '@likelihood/core';
import { GPT, configureOptimizer } from '@likelihood/gpt';

const iters = Number(process.argv[process.argv.indexOf('--iters') + 1]) || 20;
const residentMB = process.argv.includes('--resident-mb') ? Number(process.argv[process.argv.indexOf('--resident-mb') + 1]) : 0;
if (residentMB > 0) setResidentBytes(residentMB * 2 ** 20);
const config = { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: 65, dropout: 0, bias: true };
const B = 12;
const T = 64;

async function run(kernels: KernelPreference): Promise<{ median: number; cpuMedian: number; losses: number[] }> {
  setKernelPreference(kernels);
  const g = new Generator(1337);
  const model = new GPT(config, { generator: g });
  const opt = configureOptimizer(model, { lr: 1e-3 });
  const x = randint(0, 65, [B, T], { generator: g });
  const y = randint(0, 65, [B, T], { generator: g });
  const times: number[] = [];
  const cpu: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < iters + 2; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const { loss } = model.forward(x, { targets: y });
    loss!.backward();
    opt.step();
    opt.zeroGrad();
    if (i >= 2) {
      // two warm-up steps; CPU time (user + system) is less distorted by other processes' load
      times.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    losses.push(loss!.item());
    if (residentMB > 0) await releaseResidentOutputs();
  }
  return { median: median(times), cpuMedian: median(cpu), losses: losses.slice(0, 5) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
for (const k of ['ts', 'auto'] as const) {
  if (only && only !== k) continue;
  const r = await run(k);
  const res = residentMB > 0 ? `; resident ${JSON.stringify(residentStats())}, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB` : '';
  console.log(`kernels=${k.padEnd(4)} median ${r.median.toFixed(1)} ms/iter (CPU ${r.cpuMedian.toFixed(1)} ms) over ${iters} iters; losses ${r.losses.map((l) => l.toFixed(6)).join(', ')}${res}`);
}
