/**
 * One process of the focused ONNX Runtime measurements (issue 6 targets), printing one JSON line:
 *  - the GPT training step as `gpt train --backend onnxruntime` runs it (compileTrainStep: forward,
 *    backward, clip 1.0, nn's two-group AdamW, LR as an input) at nanoGPT's CPU config, ORT with
 *    intraOpNumThreads 1 and 2, spinning off and on: median wall ms/step and CPU ms/step;
 *  - matmul 512³ through `compile` vs a hand-made one-node ORT MatMul model, 1 and 2 threads;
 *  - sampling tokens/s with the KV cache, eager `streamGenerate` vs ORT (`decoder`), same seed.
 * Run several processes, interleaved with `onnx-torch.py`, and take medians across them:
 *
 *   for i in 1 2 3; do npx tsx --conditions=source apps/bench/src/onnx-focus.ts; python3 apps/bench/src/onnx-torch.py '{"threads":1,...}'; ...; done
 */
import { cpus, loadavg } from 'node:os';
import * as c from '@likelihood/core';
import { Generator } from '@likelihood/core';
import { GPT, Trainer, streamGenerate } from '@likelihood/gpt';
import { compile, compileKVDecoder, compileTrainStep } from '@likelihood/onnx';
import * as ort from 'onnxruntime-node';
import { matmulModel } from './onnx.js';

const CONFIG = { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: 65, dropout: 0, bias: true };
const BATCH = 12;
const steps = Number(process.argv.includes('--steps') ? process.argv[process.argv.indexOf('--steps') + 1] : 15);
/** `--only train,matmul,sampling` (default all three). */
const only = (process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]! : 'train,matmul,sampling').split(',');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Median wall ms and mean CPU ms per call of `fn` over `n` calls after 3 warm-up calls. */
async function time(fn: () => unknown, n: number): Promise<{ ms: number; cpuMs: number }> {
  for (let i = 0; i < 3; i++) await fn();
  const ts: number[] = [];
  const c0 = cpuMs();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    ts.push(performance.now() - t0);
  }
  return { ms: median(ts), cpuMs: (cpuMs() - c0) / n };
}

async function trainStep(threads: number, allowSpinning: boolean) {
  const g = new Generator(1);
  const model = new GPT(CONFIG, { generator: g });
  const data = Int32Array.from({ length: 20_000 }, () => Math.floor(g.random() * CONFIG.vocabSize));
  const trainer = new Trainer(model, { data: { train: data }, batchSize: BATCH, maxIters: 100_000, lr: 1e-3, gradClip: 1, generator: g });
  const shape = [BATCH, CONFIG.blockSize];
  const step = compileTrainStep((x, y) => model.forward(x!, { targets: y! }).loss!, trainer.optimizer, [c.zeros(shape, { dtype: 'int32' }), c.zeros(shape, { dtype: 'int32' })], {
    backend: 'onnxruntime-node',
    threads,
    allowSpinning,
    maxGradNorm: 1,
    generator: g,
    module: model,
  });
  const r = await time(() => trainer.stepWith(async (b) => (await step(b.map((m) => [m.x, m.y])))[0]!), steps);
  await step.dispose();
  return r;
}

/** GFLOP/s of 512³ through compile and through a one-node model, the two interleaved call by call. */
async function matmul(threads: number) {
  const n = 512;
  const g = new Generator(2);
  const a = c.randn([n, n], { generator: g });
  const b = c.randn([n, n], { generator: g });
  const mm = compile((x, y) => x!.matmul(y!), [a, b], { backend: 'onnxruntime-node', threads });
  const sess = await ort.InferenceSession.create(matmulModel(n), { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' });
  const feeds = { a: new ort.Tensor('float32', a.storage as Float32Array, [n, n]), b: new ort.Tensor('float32', b.storage as Float32Array, [n, n]) };
  // Alternating blocks of 10 calls: wall medians per call, and CPU ms per call (all threads) per block.
  const tc: number[] = [];
  const tr: number[] = [];
  const cc: number[] = [];
  const cr: number[] = [];
  const block = async (f: () => Promise<unknown>, ts: number[], cs: number[]) => {
    const c0 = cpuMs();
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await f();
      ts.push(performance.now() - t0);
    }
    cs.push((cpuMs() - c0) / 10);
  };
  await block(() => mm(a, b), [], []); // warm-up
  await block(() => sess.run(feeds), [], []);
  for (let r = 0; r < 4; r++) {
    await block(() => mm(a, b), tc, cc);
    await block(() => sess.run(feeds), tr, cr);
  }
  await mm.dispose();
  await sess.release();
  const gf = (ms: number) => (2 * n ** 3) / ms / 1e6;
  return { compileGflops: gf(median(tc)), rawGflops: gf(median(tr)), compileCpuGflops: gf(median(cc)), rawCpuGflops: gf(median(cr)) };
}

/** tokens/s: batch 1, prompt [0], blockSize − 1 new tokens, temperature 1, top-k 20; ORT timed on its second pass (graphs compiled). */
async function sampling() {
  const model = new GPT(CONFIG, { generator: new Generator(1) });
  const n = CONFIG.blockSize - 1;
  const opts = { maxNewTokens: n, temperature: 1, topK: 20 };
  const run = async (decoder?: Parameters<typeof streamGenerate>[2]['decoder']) => {
    const out: number[] = [];
    const t0 = performance.now();
    const c0 = cpuMs();
    for await (const s of streamGenerate(model, [0], { ...opts, generator: new Generator(3), decoder })) out.push(...s.tokens[0]!);
    return { tokS: n / ((performance.now() - t0) / 1000), tokPerCpuS: n / ((cpuMs() - c0) / 1000), out };
  };
  const eager = await run();
  const decoder = compileKVDecoder(model, { backend: 'onnxruntime-node', threads: 1, allowSpinning: false });
  const t0 = performance.now();
  await run(decoder);
  const warmupS = (performance.now() - t0) / 1000;
  const viaOrt = await run(decoder);
  await decoder.dispose();
  return {
    eagerTokS: eager.tokS,
    ortTokS: viaOrt.tokS,
    eagerTokPerCpuS: eager.tokPerCpuS,
    ortTokPerCpuS: viaOrt.tokPerCpuS,
    ortFirstPassS: warmupS,
    sameTokens: JSON.stringify(eager.out) === JSON.stringify(viaOrt.out),
  };
}

const load0 = loadavg()[0]!;
const result = {
  date: new Date().toISOString(),
  cpu: cpus()[0]?.model,
  cores: cpus().length,
  node: process.version,
  onnxruntime: ort.env.versions.node,
  steps,
  train: only.includes('train')
    ? { t1_spinOff: await trainStep(1, false), t2_spinOff: await trainStep(2, false), t1_spinOn: await trainStep(1, true), t2_spinOn: await trainStep(2, true) }
    : null,
  matmul512: only.includes('matmul') ? { t1: await matmul(1), t2: await matmul(2) } : null,
  sampling: only.includes('sampling') ? await sampling() : null,
  loadAverage: [load0, loadavg()[0]!],
};
console.log(JSON.stringify(result));
