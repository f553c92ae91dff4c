import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Generator } from '@likelihood/core';
import { BPETokenizer, CharTokenizer, GPT, type Tokenizer, Trainer, bitsPerChar, perplexity, splitTokens } from '@likelihood/gpt';
import { resumeTraining, saveTrainingCheckpoint } from '@likelihood/gpt/node';
import cliProgress from 'cli-progress';
import type { LossPoint } from '../report/types.js';
import { type Corpus, loadCorpus } from './corpus.js';

export interface GptTrainOptions {
  text?: string;
  tokenizer: 'char' | 'bpe';
  bpeVocabSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  blockSize: number;
  dropout: number;
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
}

export const TRAIN_DEFAULTS: GptTrainOptions = {
  tokenizer: 'char',
  bpeVocabSize: 512,
  nLayer: 2,
  nHead: 4,
  nEmbd: 64,
  blockSize: 16,
  dropout: 0,
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

/** Trains a GPT on a text file (default: English first names), with a progress bar and checkpoints. */
export function trainGpt(o: GptTrainOptions): TrainReport {
  const corpus = loadCorpus(o.text, o.seed);
  const tokenizer: Tokenizer = o.tokenizer === 'bpe' ? BPETokenizer.train(corpus.text, { vocabSize: o.bpeVocabSize }) : CharTokenizer.fromText(corpus.text);
  const ids = tokenizer.encode(corpus.text);
  const data = splitTokens(ids, 0.1);
  const g = new Generator(o.seed);
  const model = new GPT(
    { nLayer: o.nLayer, nHead: o.nHead, nEmbd: o.nEmbd, blockSize: o.blockSize, vocabSize: tokenizer.vocabSize, dropout: o.dropout, bias: true },
    { generator: g },
  );
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`gpt train: ${corpus.source}: ${corpus.text.length} chars → ${ids.length} ${o.tokenizer} tokens (vocab ${tokenizer.vocabSize}); ${data.train.length} train / ${data.val.length} val`);
  log(`model: ${o.nLayer} layers, ${o.nHead} heads, ${o.nEmbd} embd, block ${o.blockSize}: ${model.numParameters().toLocaleString('en')} parameters`);
  mkdirSync(dirname(o.out), { recursive: true });

  const bar = new cliProgress.SingleBar(
    {
      format: 'gpt {bar} {value}/{total} | loss {loss} | val {val} | lr {lr} | {tps} tok/s | {duration_formatted} (eta {eta_formatted})',
      hideCursor: true,
      noTTYOutput: o.progress !== false,
      notTTYSchedule: 10_000,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
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
      bar.update(e.iter, { loss: e.loss.toFixed(4), val: val?.toFixed(4) ?? '-', lr: e.lr.toExponential(2), tps: Math.round(e.tokensPerSec) });
    },
  });
  if (o.resume && existsSync(o.out)) {
    const { step } = resumeTraining(o.out, trainer);
    log(`resumed from ${o.out} at step ${step}`);
  }
  bar.start(o.maxIters, trainer.iter, { loss: '-', val: '-', lr: '-', tps: '-' });
  const res = trainer.run();
  bar.stop();
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
}
