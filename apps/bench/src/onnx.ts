/**
 * Suite `onnx`: eager CPU vs ONNX Runtime (onnxruntime-node) through @likelihood/onnx's compile,
 * on nanoGPT's CPU config (4 layers, 4 heads, 128 wide, block 64, batch 12, char vocab 65):
 * GPT forward and a whole training step (forward, backward, clipping at 1.0, AdamW), ORT with
 * intraOpNumThreads 1 and 2 and spinning on/off; matmul 512³ through compile vs a hand-made
 * one-node ORT model; memory over 10,000 compiled calls; PyTorch eager where python3 has torch.
 *
 *   npx -y pnpm@10.34.8 --filter @likelihood/bench bench -- --suite onnx [--quick]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import * as c from '@likelihood/core';
import { Generator, type Tensor } from '@likelihood/core';
import { GPT, generate, sampleFromLogits } from '@likelihood/gpt';
import { type AdamWState, adamwStep, compile, compileKVDecoder, encodeModel } from '@likelihood/onnx';
import * as ort from 'onnxruntime-node';

const CONFIG = { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 64, vocabSize: 65, dropout: 0, bias: true };
const BATCH = 12;

interface Row {
  case: string;
  variant: string;
  msPerIter: number;
}

/** Median of `runs` medians (each over a time budget), so one noisy window does not decide. */
async function medianMs(fn: () => unknown, budgetMs: number, runs: number): Promise<number> {
  await fn();
  await fn();
  const medians: number[] = [];
  for (let r = 0; r < runs; r++) {
    const times: number[] = [];
    const start = performance.now();
    while (times.length < 3 || (performance.now() - start < budgetMs && times.length < 100)) {
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    medians.push(times[Math.floor(times.length / 2)]!);
  }
  medians.sort((a, b) => a - b);
  return medians[Math.floor(medians.length / 2)]!;
}

/**
 * A GPT training step whose inputs are the model's own parameters (so the trace sees them as
 * inputs, not constants), AdamW moments, the step count and a batch; it updates them in place.
 */
function gptTrainStep(model: GPT) {
  const params = model.parameters() as Tensor[];
  const n = params.length;
  const step = (...all: Tensor[]) => {
    const ps = all.slice(0, n);
    const state: AdamWState = { expAvg: all.slice(n, 2 * n), expAvgSq: all.slice(2 * n, 3 * n), step: all[3 * n]! };
    const [idx, targets] = [all[3 * n + 1]!, all[3 * n + 2]!];
    const loss = model.forward(idx, { targets }).loss!;
    loss.backward();
    adamwStep(ps, ps.map((p) => p.grad!), state, { lr: 1e-3, weightDecay: 0.1, maxGradNorm: 1.0 });
    for (const p of ps) p.grad = null;
    return { loss: loss.detach() };
  };
  const state = () => [...params, ...params.map((p) => c.zerosLike(p)), ...params.map((p) => c.zerosLike(p)), c.zeros([])];
  return { step, state };
}

/** A one-node ONNX MatMul model of two [n, n] inputs: the raw-ORT peer of `compile`'s matmul. */
export function matmulModel(n: number): Uint8Array {
  const info = (name: string) => ({ name, type: { tensor_type: { elem_type: 1, shape: { dim: [{ dim_value: n }, { dim_value: n }] } } } });
  return encodeModel({
    ir_version: 8,
    producer_name: 'bench',
    producer_version: '0',
    opset_import: [{ domain: '', version: 17 }],
    graph: { name: 'mm', node: [{ name: 'mm', op_type: 'MatMul', input: ['a', 'b'], output: ['y'], attribute: [] }], initializer: [], input: [info('a'), info('b')], output: [info('y')] },
  });
}

function torchNumbers(threads: number): Record<string, number> | null {
  const script = resolve(import.meta.dirname, 'onnx-torch.py');
  const r = spawnSync('python3', [script, JSON.stringify({ ...CONFIG, batch: BATCH, threads })], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) {
    process.stderr.write(`  pytorch: skipped (${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)})\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

/**
 * Sampling tokens/s with the KV cache: eager `generate` vs `compileKVDecoder` on ORT (1 thread),
 * batch 1, one prompt token, blockSize − 1 new tokens. The ORT decoder compiles one graph per
 * cache length, so a first pass warms them and the second pass is timed; compile time is reported.
 */
export async function sampling(): Promise<{ eagerTokS: number; ortTokS: number; ortWarmupS: number; sameTokens: boolean }> {
  const model = new GPT(CONFIG, { generator: new Generator(1) });
  model.eval();
  const n = CONFIG.blockSize - 1;
  const opts = { maxNewTokens: n, temperature: 1, topK: 20 };
  let t0 = performance.now();
  const eager = generate(model, [[0]], { ...opts, generator: new Generator(3) });
  const eagerTokS = n / ((performance.now() - t0) / 1000);
  const decoder = compileKVDecoder(model, { backend: 'onnxruntime', threads: 1, allowSpinning: false });
  const run = async () => {
    const gen = new Generator(3);
    const cache = model.newCache();
    const out: number[] = [];
    let feed = [0];
    for (let s = 0; s < n; s++) {
      const logits = (await decoder.step(new c.Tensor(Int32Array.from(feed), [1, 1], 'int32'), cache)).storage;
      const t = sampleFromLogits(logits, 0, CONFIG.vocabSize, opts, gen.random());
      out.push(t);
      feed = [t];
    }
    return out;
  };
  t0 = performance.now();
  await run();
  const ortWarmupS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const tokens = await run();
  const ortTokS = n / ((performance.now() - t0) / 1000);
  await decoder.dispose();
  return { eagerTokS, ortTokS, ortWarmupS, sameTokens: JSON.stringify(tokens) === JSON.stringify(eager[0]) };
}

export async function runOnnxSuite(opts: { quick?: boolean; json: string }): Promise<void> {
  const budget = opts.quick ? 600 : 2000;
  const runs = opts.quick ? 1 : 3;
  const rows: Row[] = [];
  const log = (r: Row) => {
    rows.push(r);
    process.stderr.write(`  ${r.case.padEnd(22)} ${r.variant.padEnd(34)} ${r.msPerIter.toFixed(2)} ms\n`);
  };
  const variants = [
    { threads: 1, allowSpinning: true },
    { threads: 2, allowSpinning: true },
    { threads: 1, allowSpinning: false },
    { threads: 2, allowSpinning: false },
  ];
  const vname = (v: { threads: number; allowSpinning: boolean }) => `onnxruntime ${v.threads}T spin=${v.allowSpinning ? 'on' : 'off'}`;

  const model = new GPT(CONFIG, { generator: new Generator(1) });
  const g = new Generator(2);
  const idx = c.randint(0, CONFIG.vocabSize, [BATCH, CONFIG.blockSize], { generator: g });
  const targets = c.randint(0, CONFIG.vocabSize, [BATCH, CONFIG.blockSize], { generator: g });

  // GPT forward (logits)
  const forward = (i: Tensor) => ({ logits: model.forward(i).logits });
  log({ case: 'GPT forward', variant: 'eager (ours, CPU)', msPerIter: await medianMs(() => c.noGrad(() => forward(idx)), budget, runs) });
  for (const v of variants) {
    const f = compile(forward, [idx], { backend: 'onnxruntime', ...v });
    log({ case: 'GPT forward', variant: vname(v), msPerIter: await medianMs(() => f(idx), budget, runs) });
    await f.dispose();
  }

  // GPT training step: forward + backward + clip + AdamW, parameters and moments in and out
  const { step, state } = gptTrainStep(model);
  const eagerState = state();
  log({ case: 'GPT training step', variant: 'eager (ours, CPU)', msPerIter: await medianMs(() => step(...eagerState, idx, targets), budget, runs) });
  for (const v of variants) {
    const s = state();
    const f = compile(step, [...s, idx, targets], { backend: 'onnxruntime', ...v });
    log({ case: 'GPT training step', variant: vname(v), msPerIter: await medianMs(() => f(...s, idx, targets), budget, runs) });
    await f.dispose();
  }

  // matmul 512³: compile vs a hand-made one-node model
  const n = 512;
  const a = c.randn([n, n], { generator: g });
  const b = c.randn([n, n], { generator: g });
  for (const threads of [1, 2]) {
    const mm = compile((x, y) => x!.matmul(y!), [a, b], { backend: 'onnxruntime', threads });
    const tGF = (ms: number) => (2 * n ** 3) / ms / 1e6;
    const msC = await medianMs(() => mm(a, b), budget, runs);
    const sess = await ort.InferenceSession.create(matmulModel(n), { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
    const feeds = { a: new ort.Tensor('float32', a.storage as Float32Array, [n, n]), b: new ort.Tensor('float32', b.storage as Float32Array, [n, n]) };
    const msR = await medianMs(() => sess.run(feeds), budget, runs);
    log({ case: `matmul 512³ ${threads}T`, variant: `compile: ${tGF(msC).toFixed(1)} GFLOP/s`, msPerIter: msC });
    log({ case: `matmul 512³ ${threads}T`, variant: `raw one-node ORT: ${tGF(msR).toFixed(1)} GFLOP/s`, msPerIter: msR });
    await mm.dispose();
    await sess.release();
  }

  // memory over 10,000 compiled calls (a small MLP forward)
  const W = c.randn([64, 64], { generator: g });
  const x = c.randn([32, 64], { generator: g });
  const small = compile((xx) => xx!.matmul(W).tanh().sum(-1), [x], { backend: 'onnxruntime', threads: 1 });
  const gc = (globalThis as { gc?: () => void }).gc;
  const mem = () => {
    gc?.();
    const m = process.memoryUsage();
    return { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20, external: m.external / 2 ** 20 };
  };
  for (let i = 0; i < 1000; i++) await small(x);
  const m1 = mem();
  for (let i = 0; i < 9000; i++) await small(x);
  const m2 = mem();
  await small.dispose();
  const memory = { afterCalls1000: m1, afterCalls10000: m2, gcExposed: Boolean(gc) };
  const sample = await sampling();
  log({ case: 'sampling (KV cache)', variant: `eager: ${sample.eagerTokS.toFixed(1)} tokens/s`, msPerIter: 1000 / sample.eagerTokS });
  log({ case: 'sampling (KV cache)', variant: `onnxruntime 1T: ${sample.ortTokS.toFixed(1)} tokens/s (same tokens: ${sample.sameTokens})`, msPerIter: 1000 / sample.ortTokS });
  process.stderr.write(`  memory MiB after 1,000 calls ${JSON.stringify(m1)}; after 10,000 ${JSON.stringify(m2)}\n`);

  for (const threads of opts.quick ? [] : [1, 2]) {
    const torch = torchNumbers(threads);
    if (!torch) break;
    log({ case: 'GPT forward', variant: `pytorch eager ${torch.threads}T`, msPerIter: torch.forward_ms! });
    log({ case: 'GPT training step', variant: `pytorch eager ${torch.threads}T`, msPerIter: torch.train_step_ms! });
  }

  console.log(`\nsuite onnx — ${cpus()[0]?.model ?? 'cpu'}, ${cpus().length} cores, Node ${process.version}, onnxruntime-node ${ort.env.versions.node}`);
  console.log('| case | variant | ms/iter |\n|---|---|---|');
  for (const r of rows) console.log(`| ${r.case} | ${r.variant} | ${r.msPerIter.toFixed(2)} |`);
  mkdirSync(dirname(opts.json), { recursive: true });
  writeFileSync(opts.json, `${JSON.stringify({ suite: 'onnx', config: { ...CONFIG, batch: BATCH }, rows, memory }, null, 2)}\n`);
  console.log(`\nwrote ${opts.json}`);
}
