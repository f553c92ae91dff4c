// @likelihood/gpt public API. File I/O (checkpoints on disk) lives in '@likelihood/gpt/node'.
export { GPT2_SMALL, gptConfig, configFromHuggingFace } from './config.js';
export type { GPTConfig } from './config.js';
export { GPT, Block, MLP, Transformer } from './model.js';
export type { GPTOptions, ForwardOptions, GPTOutput } from './model.js';
export { toHuggingFace, fromHuggingFace, stateDictFromHuggingFace } from './huggingface.js';
export { BPETokenizer, CharTokenizer, tokenizerFromJSON, BYTE_ENCODER, BYTE_DECODER, GPT2_PATTERN, preTokenize } from './tokenizers/index.js';
export type { Tokenizer, TokenizerJSON, BPETrainOptions } from './tokenizers/index.js';
export { generate, generateSteps, streamGenerate } from './generate.js';
export type { GenerateOptions, GenerateStep, CachedDecoder } from './generate.js';
export { sampleFromLogits } from './sampling.js';
export type { SamplingOptions } from './sampling.js';
export { getBatch, splitTokens } from './data.js';
export { estimateLoss, perplexity, bitsPerToken, bitsPerChar } from './metrics.js';
export type { EstimateLossOptions } from './metrics.js';
export { configureOptimizer } from './optimizer.js';
export type { GPTOptimizerOptions } from './optimizer.js';
export { Trainer } from './trainer.js';
export type { TrainOptions, ProgressEvent, TrainResult, StepRunner } from './trainer.js';
