import { ArgumentError, type Generator, type Tensor, defaultGenerator, noGrad, tensor } from '@likelihood/core';
import { getBatch } from './data.js';
import type { GPT } from './model.js';

/** e^loss: the effective number of equally likely next tokens. */
export function perplexity(lossNats: number): number {
  return Math.exp(lossNats);
}

/** Nats per token → bits per token. */
export function bitsPerToken(lossNats: number): number {
  return lossNats / Math.LN2;
}

/**
 * Bits per character: the total code length of a text (loss per token × tokens) spread over its
 * characters, so tokenizers of different granularity compare. For a char tokenizer it equals
 * bitsPerToken.
 */
export function bitsPerChar(lossNats: number, tokens: number, chars: number): number {
  if (!(tokens > 0 && chars > 0)) throw new ArgumentError(`bitsPerChar: tokens and chars must be positive, found ${tokens} and ${chars}`);
  return (lossNats * tokens) / (chars * Math.LN2);
}

export interface EstimateLossOptions {
  /** Batches averaged per split (nanoGPT's eval_iters, default 20). */
  evalIters?: number;
  batchSize: number;
  /** Context length (default the model's blockSize). */
  blockSize?: number;
  generator?: Generator;
}

/**
 * nanoGPT's estimate_loss: the mean cross-entropy (nats/token) over `evalIters` random batches
 * of each split, in eval mode (no dropout) and without gradients; the training mode is restored.
 */
export function estimateLoss<S extends string>(model: GPT, splits: Record<S, Int32Array>, opts: EstimateLossOptions): Record<S, number> {
  const evalIters = opts.evalIters ?? 20;
  if (!Number.isInteger(evalIters) || evalIters < 1) throw new ArgumentError(`estimateLoss: evalIters must be a positive integer, found ${evalIters}`);
  const T = opts.blockSize ?? model.config.blockSize;
  const gen = opts.generator ?? defaultGenerator();
  const was = model.training;
  model.eval();
  try {
    const out = {} as Record<S, number>;
    for (const name of Object.keys(splits) as S[]) {
      let total = 0;
      for (let i = 0; i < evalIters; i++) {
        const { x, y } = getBatch(splits[name], opts.batchSize, T, gen);
        total += noGrad(() => model.forward(x, { targets: y }).loss!.item());
      }
      out[name] = total / evalIters;
    }
    return out;
  } finally {
    model.train(was);
  }
}

/**
 * The model's next-token logits at every position of consecutive, non-overlapping windows of
 * `ids` (at most `maxWindows` of them, each `blockSize` long), in eval mode without gradients:
 * `logits` [M, V] float64 and `targets` [M] int32 with M = windows · blockSize. For calibration
 * diagrams and per-token likelihoods on a held-out text.
 */
export function nextTokenPredictions(model: GPT, ids: Int32Array, opts: { maxWindows?: number; blockSize?: number } = {}): { logits: Tensor; targets: Tensor } {
  const T = opts.blockSize ?? model.config.blockSize;
  const windows = Math.min(opts.maxWindows ?? Number.POSITIVE_INFINITY, Math.floor((ids.length - 1) / T));
  if (!(windows >= 1)) throw new ArgumentError(`nextTokenPredictions: ids must hold at least blockSize + 1 = ${T + 1} tokens, found ${ids.length}`);
  const was = model.training;
  model.eval();
  try {
    const x = tensor(ids.subarray(0, windows * T), { dtype: 'int32' }).reshape([windows, T]); // [W, T]
    const targets = tensor(ids.subarray(1, windows * T + 1), { dtype: 'int32' }); // [W·T]
    const logits = noGrad(() => model.forward(x).logits); // [W, T, V]
    return { logits: logits.reshape([windows * T, -1]).to('float64'), targets };
  } finally {
    model.train(was);
  }
}

/**
 * The exact mean cross-entropy (nats/token) of `ids` under the model: every token of the
 * consecutive, non-overlapping `blockSize` windows (the tail shorter than a window is left out),
 * `batchSize` windows per forward pass, in eval mode without gradients. Each position of a
 * window is seen once, so this is the value nanoGPT's random-batch `estimateLoss` estimates,
 * without its sampling noise (±0.02 nats at 20 batches of 12 × 64).
 */
export function evaluateLoss(model: GPT, ids: Int32Array, opts: { blockSize?: number; batchSize?: number } = {}): number {
  const T = opts.blockSize ?? model.config.blockSize;
  const B = opts.batchSize ?? 32;
  if (!Number.isInteger(B) || B < 1) throw new ArgumentError(`evaluateLoss: batchSize must be a positive integer, found ${B}`);
  const windows = Math.floor((ids.length - 1) / T);
  if (!(windows >= 1)) throw new ArgumentError(`evaluateLoss: ids must hold at least blockSize + 1 = ${T + 1} tokens, found ${ids.length}`);
  const was = model.training;
  model.eval();
  try {
    let total = 0;
    for (let w = 0; w < windows; w += B) {
      const n = Math.min(B, windows - w);
      const x = tensor(ids.subarray(w * T, (w + n) * T), { dtype: 'int32' }).reshape([n, T]); // [n, T]
      const y = tensor(ids.subarray(w * T + 1, (w + n) * T + 1), { dtype: 'int32' }).reshape([n, T]); // [n, T]
      total += noGrad(() => model.forward(x, { targets: y }).loss!.item()) * n; // loss is the mean over n·T tokens
    }
    return total / windows;
  } finally {
    model.train(was);
  }
}
