import { AdamW, Embedding, Linear } from '@likelihood/nn';
import type { Parameter } from '@likelihood/nn';
import type { GPT } from './model.js';

export interface GPTOptimizerOptions {
  lr?: number;
  /** Applied to the Linear weights only (default 0.1). */
  weightDecay?: number;
  /** Default [0.9, 0.99] (nanoGPT's shakespeare_char). */
  betas?: [number, number];
  eps?: number;
}

/**
 * AdamW with two parameter groups: Linear weights decay; biases, LayerNorm parameters and the
 * embeddings do not (the tied head is the token embedding, so it does not decay either).
 */
export function configureOptimizer(model: GPT, opts: GPTOptimizerOptions = {}): AdamW {
  const embeddings = new Set<Parameter>();
  for (const m of model.modules()) if (m instanceof Embedding) embeddings.add(m.weight);
  const decay = new Set<Parameter>();
  for (const m of model.modules()) if (m instanceof Linear && !embeddings.has(m.weight)) decay.add(m.weight);
  const noDecay = model.parameters().filter((p) => !decay.has(p));
  return new AdamW(
    [
      { params: [...decay], weightDecay: opts.weightDecay ?? 0.1 },
      { params: noDecay, weightDecay: 0 },
    ],
    { lr: opts.lr ?? 1e-3, betas: opts.betas ?? [0.9, 0.99], eps: opts.eps ?? 1e-8 },
  );
}
