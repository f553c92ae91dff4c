// @likelihood/gpt public API. File I/O (checkpoints on disk) lives in '@likelihood/gpt/node'.
export { GPT2_SMALL, gptConfig, configFromHuggingFace } from './config.js';
export type { GPTConfig } from './config.js';
export { GPT, Block, MLP, Transformer } from './model.js';
export type { GPTOptions, ForwardOptions, GPTOutput } from './model.js';
export { toHuggingFace, fromHuggingFace, stateDictFromHuggingFace } from './huggingface.js';
