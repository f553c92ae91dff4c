import { ArgumentError, type Tensor } from '@likelihood/core';
import { type CompileOptions, type CompiledFunction, compile } from './compile.js';

/** A KV cache as @likelihood/nn's KVCache holds it: keys and values [B, H, past, D], or null when empty. */
export interface KVCacheLike {
  k: Tensor | null;
  v: Tensor | null;
}

/** What the decoder needs of a model (a @likelihood/gpt GPT fits). */
export interface CachedDecoderModel<C extends KVCacheLike = KVCacheLike> {
  forward(idx: Tensor, opts: { cache?: C[]; lastOnly?: boolean }): { logits: Tensor };
  newCache(): C[];
}

export interface KVDecoder<C extends KVCacheLike = KVCacheLike> {
  /** idx [B, T] new tokens → last-position logits [B, 1, V]; appends to `cache` (one entry per layer). */
  step(idx: Tensor, cache: C[]): Promise<Tensor>;
  /** How many graphs (one per prompt length and cache length) have been compiled. */
  readonly graphs: number;
  dispose(): Promise<void>;
}

/**
 * KV-cache decoding on ONNX Runtime: each step runs one graph whose inputs are the new tokens and
 * every layer's cached keys and values and whose outputs are the logits and the grown caches.
 * Shapes are static, so there is one graph per cache length (compiled on first use and kept);
 * a context of blockSize positions needs at most blockSize graphs. Put the model in eval mode
 * first (dropout would otherwise be traced). The model's weights are baked in at first use.
 */
export function compileKVDecoder<C extends KVCacheLike>(
  model: CachedDecoderModel<C>,
  opts: Omit<CompileOptions, 'generator' | 'inputNames' | 'outputNames'>,
): KVDecoder<C> {
  const compiled = new Map<string, CompiledFunction>();
  // One function object per decoder, so compile's session cache tells decoders apart.
  const run = (idx: Tensor, ...kv: Tensor[]) => {
    const cache = model.newCache();
    if (kv.length > 0) {
      cache.forEach((c, i) => {
        c.k = kv[2 * i]!;
        c.v = kv[2 * i + 1]!;
      });
    }
    const { logits } = model.forward(idx, { cache, lastOnly: true });
    return [logits, ...cache.flatMap((c) => [c.k!, c.v!])];
  };
  return {
    async step(idx, cache) {
      const past = cache[0]?.k ? cache[0].k.shape[2]! : 0;
      if (cache.some((c) => (c.k ? c.k.shape[2]! : 0) !== past)) throw new ArgumentError('KVDecoder.step: every layer of the cache must hold the same number of positions');
      const kv = past > 0 ? cache.flatMap((c) => [c.k!, c.v!]) : [];
      const key = `${idx.shape.join('x')}:${past}`;
      let f = compiled.get(key);
      if (!f) {
        f = compile(run, [idx, ...kv], opts);
        compiled.set(key, f);
      }
      const [logits, ...grown] = (await f(idx, ...kv)) as Tensor[];
      cache.forEach((c, i) => {
        c.k = grown[2 * i]!;
        c.v = grown[2 * i + 1]!;
      });
      return logits!;
    },
    get graphs() {
      return compiled.size;
    },
    async dispose() {
      for (const f of compiled.values()) await f.dispose();
      compiled.clear();
    },
  };
}
