import { ArgumentError } from '@likelihood/core';

/** Size and regularisation of a GPT (nanoGPT's GPTConfig). */
export interface GPTConfig {
  /** Number of transformer blocks. */
  nLayer: number;
  /** Attention heads per block; must divide nEmbd. */
  nHead: number;
  /** Width of the residual stream. */
  nEmbd: number;
  /** Longest context: the number of learned position embeddings. */
  blockSize: number;
  vocabSize: number;
  /** Dropout on embeddings, attention weights and residual branches (0 = off). */
  dropout: number;
  /** Biases in Linear layers and LayerNorms (GPT-2: true). */
  bias: boolean;
}

/** GPT-2 small (124M), the defaults of nanoGPT's GPTConfig. */
export const GPT2_SMALL: GPTConfig = { nLayer: 12, nHead: 12, nEmbd: 768, blockSize: 1024, vocabSize: 50257, dropout: 0, bias: true };

/** `{...GPT2_SMALL, ...overrides}`, checked: every size a positive integer, nHead dividing nEmbd, dropout in [0, 1). */
export function gptConfig(overrides: Partial<GPTConfig> = {}): GPTConfig {
  const c: GPTConfig = { ...GPT2_SMALL, ...overrides };
  for (const k of ['nLayer', 'nHead', 'nEmbd', 'blockSize', 'vocabSize'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1) throw new ArgumentError(`gptConfig: ${k} must be a positive integer, found ${String(c[k])}`);
  }
  if (c.nEmbd % c.nHead !== 0) throw new ArgumentError(`gptConfig: nEmbd (${c.nEmbd}) must be a multiple of nHead (${c.nHead})`);
  if (!(c.dropout >= 0 && c.dropout < 1)) throw new ArgumentError(`gptConfig: dropout must be in [0, 1), found ${String(c.dropout)}`);
  if (typeof c.bias !== 'boolean') throw new ArgumentError(`gptConfig: bias must be a boolean, found ${String(c.bias)}`);
  return c;
}

/** A Hugging Face GPT2Config (config.json) as a GPTConfig; GPT-2 always has biases. */
export function configFromHuggingFace(hf: Record<string, unknown>, overrides: Partial<GPTConfig> = {}): GPTConfig {
  const num = (k: string): number => {
    const v = hf[k];
    if (typeof v !== 'number') throw new ArgumentError(`configFromHuggingFace: expected a number in '${k}', found ${JSON.stringify(v)}`);
    return v;
  };
  const act = hf.activation_function ?? 'gelu_new';
  if (act !== 'gelu_new' && act !== 'gelu_pytorch_tanh') {
    throw new ArgumentError(`configFromHuggingFace: only GPT-2's tanh GELU ('gelu_new') is supported, found activation_function '${String(act)}'`);
  }
  return gptConfig({
    nLayer: num('n_layer'),
    nHead: num('n_head'),
    nEmbd: num('n_embd'),
    blockSize: num('n_positions'),
    vocabSize: num('vocab_size'),
    dropout: 0,
    bias: true,
    ...overrides,
  });
}
