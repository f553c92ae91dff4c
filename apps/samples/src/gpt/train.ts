import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ArgumentError, Generator, zeros } from '@likelihood/core';
import { BPETokenizer, CharTokenizer, GPT, type StepRunner, type Tokenizer, Trainer, type TrainResult, bitsPerChar, perplexity, splitTokens } from '@likelihood/gpt';
import { resumeTraining, saveTrainingCheckpoint } from '@likelihood/gpt/node';
import { withResidentOutputs } from '../cli/resident.js';
import type { LossPoint } from '../report/types.js';
import { type Corpus, loadCorpus } from './corpus.js';
import { progressDisplay } from './progress.js';

export interface GptTrainOptions {
  text?: string;
  tokenizer: 'char' | 'bpe';
  bpeVocabSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  dropout: number;
  /** biases in every Linear and LayerNorm (GPT-2's layout; nanoGPT's train.py defaults to none) */
  bias: boolean;
  batchSize: number;
  maxIters: number;
  lr: number;
  minLr?: number;
  warmupIters?: number;
  weightDecay: number;
  gradClip: number;
  gradAccum: number;
  evalInterval: number;
  evalIters: number;
  seed: number;
  out: string;
  checkpointInterval: number;
  resume?: boolean;
  progress?: boolean;
  /** write the loss curve (step, train loss, val loss) here as CSV */
  curve?: string;
  /** 'eager' (default) or 'onnxruntime': every step is one compiled ONNX Runtime graph (forward, backward, clipping, AdamW) */
  backend?: TrainBackend;
  /** ONNX Runtime intra-op threads (default: one per core) */
  threads?: number;
  /** eager, trainGptAsync only: core's resident kernel outputs, in MiB (0 = off; see setResidentBytes) */
  residentMb?: number;
}

export type TrainBackend = 'eager' | 'onnxruntime';

export const TRAIN_DEFAULTS: GptTrainOptions = {
  backend: 'eager',
  residentMb: 256,
  tokenizer: 'char',
  bpeVocabSize: 512,
  nLayer: 2,
  nHead: 4,
  nEmbd: 64,
  blockSize: 16,
  dropout: 0,
  bias: true,
  batchSize: 32,
  maxIters: 500,
  lr: 3e-3,
  weightDecay: 0.1,
  gradClip: 1,
  gradAccum: 1,
  evalInterval: 100,
  evalIters: 10,
  seed: 1337,
  out: 'out/gpt.safetensors',
  checkpointInterval: 100,
};

export interface TrainReport {
  model: GPT;
  tokenizer: Tokenizer;
  corpus: Corpus;
  val: number | undefined;
  seconds: number;
  iters: number;
  bitsPerChar: number | undefined;
  /** training loss at every step, with the val loss at evaluation steps */
  curve: LossPoint[];
}

/** Trains a GPT on a text file (default: English first names) eagerly, with a progress bar and checkpoints. */
export function trainGpt(o: GptTrainOptions): TrainReport {
  if ((o.backend ?? 'eager') !== 'eager') throw new ArgumentError(`trainGpt: backend '${o.backend}' runs asynchronously; use trainGptAsync`);
  const t = prepare(o);
  t.begin();
  return t.finish(t.trainer.run());
}

/**
 * `trainGpt` on any backend. With 'onnxruntime' each optimizer step is one ONNX Runtime graph
 * (@likelihood/onnx's compileTrainStep): the same batches, learning-rate schedule, evaluation,
 * checkpoints, progress and loss curve as eager, and the same numbers up to float32 rounding.
 */
export async function trainGptAsync(o: GptTrainOptions): Promise<TrainReport> {
  const t = prepare(o);
  if ((o.backend ?? 'eager') === 'eager') {
    // Resident outputs pay off only in a loop that lets finalizers run: runAsync() yields after each step.
    return withResidentOutputs(o.residentMb, async () => {
      t.begin();
      return t.finish(await t.trainer.runAsync());
    });
  }
  if (o.backend !== 'onnxruntime') throw new ArgumentError(`gpt train: backend must be 'eager' or 'onnxruntime', found '${o.backend}'`);
  const step = await compiledStep(t.trainer, t.model, t.generator, o);
  try {
    t.begin();
    return t.finish(await t.trainer.runAsync(step.runner));
  } finally {
    await step.dispose();
  }
}

/** The training step compiled for ONNX Runtime, as a Trainer StepRunner. */
async function compiledStep(trainer: Trainer, model: GPT, generator: Generator, o: GptTrainOptions): Promise<{ runner: StepRunner; dispose: () => Promise<void> }> {
  const { compileTrainStep } = await import('@likelihood/onnx');
  const shape = [o.batchSize, o.blockSize];
  const example = [zeros(shape, { dtype: 'int32' }), zeros(shape, { dtype: 'int32' })]; // one micro-batch: idx, targets [B, T]
  const t0 = performance.now();
  const step = compileTrainStep((x, y) => model.forward(x!, { targets: y! }).loss!, trainer.optimizer, example, {
    backend: 'onnxruntime',
    threads: o.threads,
    allowSpinning: false, // worker threads sleep between ops: spinning only pays off on idle cores
    generator, // the model's dropout generator, so the masks are eager's
    gradAccumSteps: o.gradAccum,
    maxGradNorm: o.gradClip > 0 ? o.gradClip : undefined,
    module: model,
  });
  process.stderr.write(`onnxruntime: traced the training step (${step.compiled.graph.nodes.length} nodes) in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  return {
    runner: async (batches) => {
      const losses = await step(batches.map((b) => [b.x, b.y]));
      return losses.reduce((a, b) => a + b, 0) / losses.length;
    },
    dispose: () => step.dispose(),
  };
}

/** Everything both backends share: corpus, tokenizer, model, Trainer with checkpoints, progress and the loss curve. */
function prepare(o: GptTrainOptions) {
  const corpus = loadCorpus(o.text, o.seed);
  const tokenizer: Tokenizer = o.tokenizer === 'bpe' ? BPETokenizer.train(corpus.text, { vocabSize: o.bpeVocabSize }) : CharTokenizer.fromText(corpus.text);
  const ids = tokenizer.encode(corpus.text);
  const data = splitTokens(ids, 0.1);
  const g = new Generator(o.seed);
  const model = new GPT(
    { nLayer: o.nLayer, nHead: o.nHead, nEmbd: o.nEmbd, blockSize: o.blockSize, vocabSize: tokenizer.vocabSize, dropout: o.dropout, bias: o.bias },
    { generator: g },
  );
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`gpt train: ${corpus.source}: ${corpus.text.length} chars → ${ids.length} ${o.tokenizer} tokens (vocab ${tokenizer.vocabSize}); ${data.train.length} train / ${data.val.length} val`);
  log(`model: ${o.nLayer} layers, ${o.nHead} heads, ${o.nEmbd} embd, block ${o.blockSize}: ${model.numParameters().toLocaleString('en')} parameters; backend ${o.backend ?? 'eager'}`);
  mkdirSync(dirname(o.out), { recursive: true });

  const progress = o.progress === false ? null : progressDisplay(o.maxIters);
  let val: number | undefined;
  const curve: LossPoint[] = [];
  const trainer = new Trainer(model, {
    data,
    batchSize: o.batchSize,
    blockSize: o.blockSize,
    maxIters: o.maxIters,
    lr: o.lr,
    minLr: o.minLr,
    warmupIters: o.warmupIters,
    weightDecay: o.weightDecay,
    gradClip: o.gradClip,
    gradAccumSteps: o.gradAccum,
    evalInterval: o.evalInterval,
    evalIters: o.evalIters,
    generator: g,
    checkpoint: { interval: o.checkpointInterval, save: (t) => saveTrainingCheckpoint(o.out, t, { tokenizer, extra: { source: corpus.source } }) },
    onProgress: (e) => {
      if (e.eval?.val !== undefined) val = e.eval.val;
      curve.push(e.eval?.val !== undefined ? { step: e.iter, loss: e.loss, val: e.eval.val } : { step: e.iter, loss: e.loss });
      progress?.update(e, val);
    },
  });
  if (o.resume && existsSync(o.out)) {
    const { step } = resumeTraining(o.out, trainer);
    log(`resumed from ${o.out} at step ${step}`);
  }
  /** Starts the progress display: after compiling, so the elapsed time and ETA count training only. */
  const begin = () => progress?.start(trainer.iter);
  const finish = (res: TrainResult): TrainReport => {
    progress?.stop();
    const chars = corpus.text.length;
    const bpc = val !== undefined ? bitsPerChar(val, ids.length, chars) : undefined;
    if (val !== undefined) {
      log(`val loss ${val.toFixed(4)} nats/token, perplexity ${perplexity(val).toFixed(2)}, ${bpc!.toFixed(4)} bits/char; ${res.seconds.toFixed(1)} s; checkpoint ${o.out}`);
    }
    if (o.curve) {
      mkdirSync(dirname(o.curve), { recursive: true });
      writeFileSync(o.curve, `step,loss,val\n${curve.map((p) => `${p.step},${p.loss},${p.val ?? ''}`).join('\n')}\n`);
      log(`loss curve: ${o.curve}`);
    }
    return { model, tokenizer, corpus, val, seconds: res.seconds, iters: trainer.iter, bitsPerChar: bpc, curve };
  };
  return { model, trainer, generator: g, begin, finish };
}
