// The VAE-style MLP and the tiny GPT: their ONNX files pass Python's onnx.checker and onnxruntime
// (committed results of fixtures/gen_onnx_check.py), and onnxruntime-node gives the eager
// outputs to 1e-4 both on the committed files and on a fresh export.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Tensor } from '@likelihood/core';
import { expectClose, loadFixture } from '@likelihood/test-utils';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { exportOnnx } from './export.js';
import { fixtureModels, randomInputs } from './testing/models.js';
import { runExport } from './testing/run.js';

interface Arr {
  dtype: string;
  shape: number[];
  data: number[];
}
interface Check {
  onnx_version: string;
  onnxruntime_version: string;
  models: Record<string, { checker: string; opset: number; outputs: Record<string, Arr & { max_abs_diff_vs_eager: number; max_rel_diff_vs_eager: number }> }>;
}
const fixtures = resolve(import.meta.dirname, '../fixtures');
const check = loadFixture<Check>(resolve(fixtures, 'onnx_check.json'));
const models = loadFixture<Record<string, { file: string; inputs: Record<string, Arr>; eager: Record<string, Arr> }>>(resolve(fixtures, 'models.json'));
const TYPED = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array } as const;

describe('exported models', () => {
  for (const name of ['vae_mlp', 'gpt_tiny']) {
    it(`${name}: passed onnx.checker (full check) and Python onnxruntime matched eager to 1e-4`, () => {
      const c = check.models[name]!;
      expect(c.checker).toBe('passed');
      expect(c.opset).toBe(17);
      for (const [k, o] of Object.entries(c.outputs)) {
        expect(o.max_abs_diff_vs_eager, `${name}.${k}`).toBeLessThan(1e-4);
        expectClose(o.data, models[name]!.eager[k]!.data, { rtol: 1e-4, atol: 1e-5, what: `${name}.${k} python ort vs eager` });
      }
    });

    it(`${name}: the committed file on onnxruntime-node gives Python onnxruntime's outputs`, async () => {
      const m = models[name]!;
      const session = await ort.InferenceSession.create(readFileSync(resolve(fixtures, m.file)));
      const feeds: Record<string, ort.Tensor> = {};
      for (const [k, a] of Object.entries(m.inputs)) feeds[k] = new ort.Tensor(a.dtype as 'float32', TYPED[a.dtype as 'float32'].from(a.data), a.shape);
      const res = await session.run(feeds);
      for (const [k, o] of Object.entries(check.models[name]!.outputs)) {
        expect([...res[k]!.dims]).toEqual(o.shape);
        expectClose(Array.from(res[k]!.data as Float32Array), o.data, { rtol: 1e-5, atol: 1e-6, what: `${name}.${k} node vs python` });
      }
      await session.release();
    });
  }

  it('a fresh export of each model on onnxruntime-node equals the eager outputs to 1e-4', async () => {
    for (const m of fixtureModels()) {
      const ex = exportOnnx(m.fn, m.inputs, { inputNames: m.inputNames });
      expect(ex.model.graph.initializer.length).toBeGreaterThan(0); // weights are initializers
      const got = await runExport(ex, m.inputs, randomInputs(ex.graph, m.randomSeed));
      const eager = m.fn(...m.inputs) as Record<string, Tensor>;
      for (const [k, t] of Object.entries(eager)) {
        expect(got[k]!.dims).toEqual(t.shape);
        expectClose(got[k]!.data, Array.from(t.data() as Float32Array), { rtol: 1e-4, atol: 1e-5, what: `${m.name}.${k}` });
      }
    }
  });
});
