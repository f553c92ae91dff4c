import { ArgumentError, type Tensor } from '@likelihood/core';
import type { StateDict } from '@likelihood/nn';
import { type GPTConfig, configFromHuggingFace } from './config.js';
import { GPT, type GPTOptions } from './model.js';

// Hugging Face's GPT-2 uses Conv1D (y = x W + b, W [in, out]) where nanoGPT and we use
// Linear (W [out, in]); these are the weights to transpose on the way in and out.
const CONV1D = /^transformer\.h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;
// Non-persistent causal-mask buffers some transformers versions still save.
const IGNORED = /^transformer\.h\.\d+\.attn\.(bias|masked_bias)$/;

/** The model's weights as a GPT2LMHeadModel state dict (Conv1D weights [in, out], tied lm_head included). */
export function toHuggingFace(model: GPT): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(model.stateDict())) out[k] = CONV1D.test(k) ? v.transpose(0, 1) : v;
  return out;
}

/**
 * A GPT2LMHeadModel state dict (for example `decodeSafetensors(bytes).tensors` of a
 * `model.safetensors` written by `save_pretrained`) in this package's layout: Conv1D weights
 * transposed, mask buffers dropped, and `lm_head.weight` (omitted by safetensors because it is
 * tied) filled in from `transformer.wte.weight`. A `lm_head.weight` that differs from the token
 * embedding is rejected: this GPT always ties them.
 */
export function stateDictFromHuggingFace(hf: StateDict): StateDict {
  const out: StateDict = {};
  for (const [k, v] of Object.entries(hf)) {
    if (IGNORED.test(k)) continue;
    out[k] = CONV1D.test(k) ? v.transpose(0, 1) : v;
  }
  const wte = out['transformer.wte.weight'];
  if (!wte) throw new ArgumentError("stateDictFromHuggingFace: missing 'transformer.wte.weight'");
  const head = out['lm_head.weight'];
  if (head && !sameValues(head, wte)) {
    throw new ArgumentError('stateDictFromHuggingFace: lm_head.weight differs from transformer.wte.weight, but this GPT ties them');
  }
  out['lm_head.weight'] = wte;
  return out;
}

/**
 * A GPT holding Hugging Face GPT-2 weights. `config` is the model's `config.json` (GPT2Config
 * fields) or a GPTConfig; loading is strict, so a wrong size names every mismatching key.
 */
export function fromHuggingFace(hf: StateDict, config: Record<string, unknown> | GPTConfig, opts: GPTOptions = {}): GPT {
  const c = 'nLayer' in config ? (config as GPTConfig) : configFromHuggingFace(config as Record<string, unknown>);
  const model = new GPT(c, opts);
  model.loadStateDict(stateDictFromHuggingFace(hf));
  return model;
}

function sameValues(a: Tensor, b: Tensor): boolean {
  if (a.size !== b.size || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const x = a.storage;
  const y = b.storage;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
