// @likelihood/gpt/node: checkpoints on disk (node:fs through '@likelihood/nn/node').
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, type Generator } from '@likelihood/core';
import { loadCheckpoint, loadSafetensors, saveCheckpoint } from '@likelihood/nn/node';
import { type GPTCheckpointConfig, gptFromCheckpoint, readGPTCheckpointConfig } from './checkpoint.js';
import type { GPTConfig } from './config.js';
import { fromHuggingFace } from './huggingface.js';
import type { GPT } from './model.js';
import { type Tokenizer, tokenizerFromJSON } from './tokenizers/index.js';
import type { Trainer } from './trainer.js';

export type { GPTCheckpointConfig } from './checkpoint.js';

/**
 * Saves model, optimizer + LR schedule, step, the trainer's generator, the GPT config and the
 * tokenizer as one checkpoint file (atomic; see @likelihood/nn's checkpoint format).
 */
export function saveTrainingCheckpoint(path: string, trainer: Trainer, opts: { tokenizer?: Tokenizer; extra?: unknown } = {}): void {
  const config: GPTCheckpointConfig = { gpt: { ...trainer.model.config }, tokenizer: opts.tokenizer?.toJSON() ?? null };
  saveCheckpoint(path, { model: trainer.model, optimizer: trainer.optimState, step: trainer.iter, rng: trainer.generator, config, extra: opts.extra ?? null });
}

/** The GPT config and tokenizer of a checkpoint, read without building a model. */
export function readCheckpointConfig(path: string): GPTCheckpointConfig {
  return readGPTCheckpointConfig(readFileSync(path), `readCheckpointConfig '${path}'`);
}

/** Checks that `model` has the checkpoint's sizes, naming the vocabulary sizes when they differ. */
function checkCompatible(path: string, saved: GPTConfig, model: GPT): void {
  if (saved.vocabSize !== model.config.vocabSize) {
    throw new ArgumentError(`checkpoint '${path}' has vocabSize ${saved.vocabSize} but the model has vocabSize ${model.config.vocabSize} (a different tokenizer or data?)`);
  }
  for (const k of ['nLayer', 'nHead', 'nEmbd', 'blockSize', 'bias'] as const) {
    if (saved[k] !== model.config[k]) throw new ArgumentError(`checkpoint '${path}' has ${k} ${saved[k]} but the model has ${k} ${model.config[k]}`);
  }
}

/**
 * Restores a trainer from a checkpoint written by `saveTrainingCheckpoint`: weights, optimizer,
 * LR schedule, step and generator, so `trainer.run()` continues exactly where it stopped.
 * Returns the checkpoint's tokenizer (if it saved one).
 */
export function resumeTraining(path: string, trainer: Trainer): { step: number; tokenizer: Tokenizer | null } {
  const saved = readCheckpointConfig(path);
  checkCompatible(path, saved.gpt, trainer.model);
  const info = loadCheckpoint(path, { model: trainer.model, optimizer: trainer.optimState, generator: trainer.generator });
  trainer.iter = info.step;
  return { step: info.step, tokenizer: saved.tokenizer ? tokenizerFromJSON(saved.tokenizer) : null };
}

/**
 * A model for sampling from a checkpoint: built from the saved config and loaded in eval mode.
 * With `expectVocabSize` (e.g. your tokenizer's), a mismatch names both sizes.
 */
export function loadGPT(path: string, opts: { expectVocabSize?: number; generator?: Generator } = {}): { model: GPT; tokenizer: Tokenizer | null; step: number } {
  return gptFromCheckpoint(readFileSync(path), { ...opts, what: `checkpoint '${path}'` });
}

/**
 * A GPT from a directory written by transformers' `save_pretrained(dir, safe_serialization=True)`:
 * `config.json` and `model.safetensors` (GPT2LMHeadModel), in eval mode.
 */
export function loadHuggingFaceGPT(dir: string): GPT {
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
  return fromHuggingFace(loadSafetensors(join(dir, 'model.safetensors')).tensors, config).eval();
}
