// Writes fixtures/<model>.onnx and fixtures/models.json (inputs, random inputs, eager outputs) for
// fixtures/gen_onnx_check.py, which checks them with Python onnx and onnxruntime.
//   npx tsx --conditions=source packages/onnx/scripts/write-fixtures.ts && python3 packages/onnx/fixtures/gen_onnx_check.py
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Tensor } from '@likelihood/core';
import { exportOnnx } from '../src/export.js';
import { fixtureModels, randomInputs } from '../src/testing/models.js';

const dir = resolve(import.meta.dirname, '../fixtures');
const json = (t: Tensor) => ({ dtype: t.dtype, shape: [...t.shape], data: Array.from(t.data() as ArrayLike<number>, Number) });
const out: Record<string, unknown> = {};
for (const m of fixtureModels()) {
  const ex = exportOnnx(m.fn, m.inputs, { inputNames: m.inputNames, file: resolve(dir, `${m.name}.onnx`) });
  const randoms = randomInputs(ex.graph, m.randomSeed);
  const eager = m.fn(...m.inputs);
  const feeds = [...m.inputs, ...randoms];
  out[m.name] = {
    file: `${m.name}.onnx`,
    inputs: Object.fromEntries(feeds.map((t, i) => [ex.inputNames[i]!, json(t)])),
    eager: Object.fromEntries(Object.entries(eager).map(([k, t]) => [k, json(t)])),
  };
  console.log(`${m.name}: ${ex.bytes.length} bytes, ${ex.model.graph.node.length} ONNX nodes, inputs ${ex.inputNames.join(', ')}`);
}
writeFileSync(resolve(dir, 'models.json'), `${JSON.stringify(out)}\n`);
