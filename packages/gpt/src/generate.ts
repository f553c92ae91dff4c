import { ArgumentError, type Generator, ShapeError, Tensor, defaultGenerator, noGrad } from '@likelihood/core';
import type { KVCache } from '@likelihood/nn';
import type { GPT } from './model.js';
import { type SamplingOptions, checkSampling, sampleFromLogits } from './sampling.js';

export interface GenerateOptions extends SamplingOptions {
  /** Number of tokens to sample per prompt (fewer when a stop sequence ends a row). */
  maxNewTokens: number;
  /** Source of the uniforms (default: the global generator). One draw per row per step. */
  generator?: Generator;
  /** Token-id sequences that end a row; the stop sequence itself is not returned. */
  stopSequences?: readonly (readonly number[])[];
  /** Decode with a KV cache (default true): each new token costs one position, not a re-run. */
  useCache?: boolean;
}

/** One decoding step: the tokens each row releases now (held back while they might start a stop sequence). */
export interface GenerateStep {
  step: number;
  tokens: number[][];
  done: boolean[];
}

/**
 * Runs the model on the tokens to feed (all rows, `[B, T]`) with a KV cache and resolves to the
 * last position's logits `[B, 1, V]`, appending to the cache. `streamGenerate` uses one in place of
 * the eager forward pass, e.g. @likelihood/onnx's `compileKVDecoder(model, {backend: 'onnxruntime'})`.
 */
export interface CachedDecoder {
  step(idx: Tensor, cache: KVCache[]): Promise<Tensor>;
}

/**
 * The decoding loop's state between model calls: `feed()` says what to run the model on next,
 * `accept(logits)` samples one token per row from its output. Shared by the eager generator and
 * the async one with a `CachedDecoder`, so both make the same choices and draws.
 */
function decoding(model: GPT, prompts: readonly number[] | readonly (readonly number[])[], opts: GenerateOptions) {
  const rows = toRows(prompts);
  const { maxNewTokens, stopSequences = [], useCache = true } = opts;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) throw new ArgumentError(`generate: maxNewTokens must be an integer >= 0, found ${maxNewTokens}`);
  checkSampling(opts, 'generate');
  for (const s of stopSequences) if (!Array.isArray(s) || s.length === 0) throw new ArgumentError('generate: each stop sequence must be a non-empty array of token ids');
  const { blockSize, vocabSize: V } = model.config;
  for (const r of rows) for (const t of r) if (!(Number.isInteger(t) && t >= 0 && t < V)) throw new ArgumentError(`generate: prompt token ${t} is outside the vocabulary [0, ${V - 1}]`);
  const gen = opts.generator ?? defaultGenerator();
  const B = rows.length;
  const seqs = rows.map((r) => [...r]);
  const state = rows.map(() => ({ pending: [] as number[], done: false }));
  let cache: KVCache[] | null = null;
  let step = 0;
  return {
    more: () => step < maxNewTokens && state.some((s) => !s.done),
    /** The tokens to run the model on next ([B, T]) and the cache to use (none without `useCache`). */
    feed(): { idx: Tensor; cache: KVCache[] | undefined } {
      const L = seqs[0]!.length;
      let feed: number[][];
      if (useCache && cache && cache[0]!.length < blockSize) feed = seqs.map((s) => s.slice(L - 1));
      else {
        if (useCache) cache = model.newCache();
        feed = seqs.map((s) => s.slice(Math.max(0, L - blockSize))); // crop to the window
      }
      return { idx: new Tensor(Int32Array.from(feed.flat()), [B, feed[0]!.length], 'int32'), cache: cache ?? undefined };
    },
    /** Samples a token per row from the last logits `[B, 1, V]`: one uniform per row. */
    accept(logits: ArrayLike<number>): GenerateStep {
      const out: number[][] = [];
      for (let b = 0; b < B; b++) {
        const u = gen.random();
        const t = sampleFromLogits(logits, b * V, V, opts, u);
        seqs[b]!.push(t);
        out.push(state[b]!.done ? [] : release(state[b]!, t, stopSequences));
      }
      const last = step === maxNewTokens - 1;
      if (last) for (let b = 0; b < B; b++) if (!state[b]!.done) out[b]!.push(...state[b]!.pending.splice(0));
      return { step: step++, tokens: out, done: state.map((s) => s.done || last) };
    },
  };
}

/**
 * The decoding loop, one step at a time. Prompts are rows of equal length (a batch). A context
 * longer than `blockSize` is cropped to its last `blockSize` tokens, as nanoGPT does: the
 * prompt at the start, and the running text once it grows past the window. With the cache,
 * a window that slides is recomputed from scratch (positions are learned, so cached keys
 * at old positions cannot be reused), which keeps the output identical to decoding without it.
 */
export function* generateSteps(model: GPT, prompts: readonly number[] | readonly (readonly number[])[], opts: GenerateOptions): globalThis.Generator<GenerateStep> {
  const d = decoding(model, prompts, opts);
  const wasTraining = model.training;
  model.eval();
  try {
    while (d.more()) {
      const { idx, cache } = d.feed();
      yield d.accept(noGrad(() => model.forward(idx, { cache, lastOnly: true }).logits).storage); // [B, 1, V]
    }
  } finally {
    model.train(wasTraining);
  }
}

/** Samples `maxNewTokens` tokens after each prompt row; returns the new tokens per row. */
export function generate(model: GPT, prompts: readonly number[] | readonly (readonly number[])[], opts: GenerateOptions): number[][] {
  const rows = toRows(prompts);
  const out: number[][] = rows.map(() => []);
  for (const s of generateSteps(model, rows, opts)) s.tokens.forEach((t, b) => out[b]!.push(...t));
  return out;
}

/**
 * `generateSteps` as an async iterator that yields to the event loop between tokens (for streaming
 * UIs). With `decoder` (e.g. a KV-cache decoder compiled for ONNX Runtime) each step runs through
 * it instead of the eager forward pass; the sampling is the same, so the tokens equal eager's for
 * the same seed up to the decoder's float rounding. Without the cache a fresh one is passed each step.
 */
export async function* streamGenerate(
  model: GPT,
  prompts: readonly number[] | readonly (readonly number[])[],
  opts: GenerateOptions & { decoder?: CachedDecoder },
): AsyncGenerator<GenerateStep> {
  const { decoder } = opts;
  if (!decoder) {
    for (const s of generateSteps(model, prompts, opts)) {
      yield s;
      await new Promise((r) => setTimeout(r, 0));
    }
    return;
  }
  const d = decoding(model, prompts, opts);
  const wasTraining = model.training;
  model.eval();
  try {
    while (d.more()) {
      const { idx, cache } = d.feed();
      yield d.accept((await decoder.step(idx, cache ?? model.newCache())).storage); // [B, 1, V]
    }
  } finally {
    model.train(wasTraining);
  }
}

function toRows(prompts: readonly number[] | readonly (readonly number[])[]): number[][] {
  if (!Array.isArray(prompts) || prompts.length === 0) throw new ArgumentError('generate: expected a prompt (token ids) or a batch of prompts, found an empty or non-array value');
  const rows = (typeof prompts[0] === 'number' ? [prompts] : prompts) as number[][];
  for (const r of rows) {
    if (!Array.isArray(r) || r.length === 0) throw new ArgumentError('generate: every prompt needs at least one token');
    if (r.length !== rows[0]!.length) throw new ShapeError(`generate: batched prompts must have equal lengths, found ${rows.map((x) => x.length).join(', ')}`);
  }
  return rows;
}

/** Adds t to a row's held-back tokens; returns what can be released now and marks the row done at a stop sequence. */
function release(s: { pending: number[]; done: boolean }, t: number, stops: readonly (readonly number[])[]): number[] {
  s.pending.push(t);
  const p = s.pending;
  for (const stop of stops) {
    if (stop.length <= p.length && stop.every((x, i) => p[p.length - stop.length + i] === x)) {
      s.done = true;
      const all = p.splice(0);
      return all.slice(0, all.length - stop.length);
    }
  }
  // Hold back the longest suffix that is still a prefix of some stop sequence.
  let hold = 0;
  for (const stop of stops) {
    for (let k = Math.min(stop.length - 1, p.length); k > hold; k--) {
      if (stop.slice(0, k).every((x, i) => p[p.length - k + i] === x)) {
        hold = k;
        break;
      }
    }
  }
  return p.splice(0, p.length - hold);
}
