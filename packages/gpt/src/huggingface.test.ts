import { readFileSync } from 'node:fs';
import { ArgumentError, Generator, tensor } from '@likelihood/core';
import { StateDictError, decodeSafetensors } from '@likelihood/nn';
import { loadSafetensors } from '@likelihood/nn/node';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { configFromHuggingFace } from './config.js';
import { fromHuggingFace, stateDictFromHuggingFace, toHuggingFace } from './huggingface.js';
import { loadHuggingFaceGPT } from './node.js';
import { GPT } from './model.js';

const dir = new URL('../fixtures/hf-gpt2-tiny/', import.meta.url);
const golden = loadFixture<{ ids: number[][]; logits: number[][][]; shifted_loss: number }>(new URL('../fixtures/hf_gpt2.json', import.meta.url));
const hfConfig = JSON.parse(readFileSync(new URL('config.json', dir), 'utf8')) as Record<string, unknown>;

describe('Hugging Face GPT-2 weights', () => {
  it('a transformers GPT2LMHeadModel saved as safetensors gives the same logits and loss', () => {
    const { tensors } = decodeSafetensors(readFileSync(new URL('model.safetensors', dir)));
    const model = fromHuggingFace(tensors, hfConfig).eval();
    expect(model.config).toMatchObject({ nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 16, vocabSize: 50 });
    const ids = tensor(golden.ids, { dtype: 'int32' });
    const { logits } = model.forward(ids);
    expect(logits.shape).toEqual([2, 11, 50]);
    expectClose(logits, golden.logits, { atol: 1e-4, rtol: 0, what: 'logits' });
    // HF's labels=ids shifts inside; ours takes the shifted targets explicitly.
    const { loss } = model.forward(ids.narrow(1, 0, 10), { targets: ids.narrow(1, 1, 10) });
    expect(loss!.item()).toBeCloseTo(golden.shifted_loss, 5);
  });

  it('loadHuggingFaceGPT reads a save_pretrained directory', () => {
    const model = loadHuggingFaceGPT(dir.pathname);
    expect(model.training).toBe(false);
    expectClose(model.forward(tensor(golden.ids, { dtype: 'int32' })).logits, golden.logits, { atol: 1e-4, rtol: 0, what: 'logits' });
  });

  it('loadSafetensors from a path works the same and toHuggingFace gives the file back', () => {
    const { tensors } = loadSafetensors(new URL('model.safetensors', dir).pathname);
    const model = fromHuggingFace(tensors, configFromHuggingFace(hfConfig));
    const back = toHuggingFace(model);
    for (const [k, v] of Object.entries(tensors)) {
      expect(back[k]!.shape, k).toEqual(v.shape);
      expect(Array.from(back[k]!.storage), k).toEqual(Array.from(v.storage));
    }
    // The tied head is in the state dict, as in torch's state_dict().
    expect(Array.from(back['lm_head.weight']!.storage)).toEqual(Array.from(tensors['transformer.wte.weight']!.storage));
    expect(back['transformer.h.0.attn.c_attn.weight']!.shape).toEqual([32, 96]); // Conv1D [in, out]
    expect(model.transformer.h.at(0).attn.c_attn.weight.shape).toEqual([96, 32]); // Linear [out, in]
  });

  it('our state-dict keys are exactly GPT2LMHeadModel.state_dict() keys', () => {
    const model = new GPT({ nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 16, vocabSize: 50 });
    const { tensors } = decodeSafetensors(readFileSync(new URL('model.safetensors', dir)));
    expect(Object.keys(model.stateDict()).sort()).toEqual([...Object.keys(tensors), 'lm_head.weight'].sort());
    // Tied: one parameter, counted once.
    expect(model.lm_head.weight).toBe(model.transformer.wte.weight);
    expect(model.numParameters()).toBe(model.parameters().reduce((n, p) => n + p.size, 0));
  });

  it('wrong sizes and untied heads are named', () => {
    const { tensors } = decodeSafetensors(readFileSync(new URL('model.safetensors', dir)));
    expect(() => fromHuggingFace(tensors, { ...hfConfig, n_embd: 64 })).toThrow(StateDictError);
    expect(() => fromHuggingFace(tensors, { ...hfConfig, n_embd: 64 })).toThrow(/transformer\.wte\.weight: shape \[50, 32\] in the state dict, \[50, 64\] in the module/);
    const untied = { ...tensors, 'lm_head.weight': tensors['transformer.wte.weight']!.mul(2) };
    expect(() => stateDictFromHuggingFace(untied)).toThrow(ArgumentError);
    expect(() => configFromHuggingFace({ ...hfConfig, activation_function: 'relu' })).toThrow(/gelu_new/);
  });

  it('the same generator seed gives the same initial weights', () => {
    const a = new GPT({ nLayer: 1, nHead: 2, nEmbd: 8, blockSize: 4, vocabSize: 5 }, { generator: new Generator(3) });
    const b = new GPT({ nLayer: 1, nHead: 2, nEmbd: 8, blockSize: 4, vocabSize: 5 }, { generator: new Generator(3) });
    for (const [k, v] of Object.entries(a.stateDict())) expect(Array.from(b.stateDict()[k]!.storage), k).toEqual(Array.from(v.storage));
  });
});
