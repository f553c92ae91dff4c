// npx tsx --conditions=source packages/onnx/examples/quickstart.ts
import * as c from '@likelihood/core';
import { Generator } from '@likelihood/core';
import { GPT } from '@likelihood/gpt';
import { compile, exportOnnx } from '@likelihood/onnx';

const model = new GPT({ nLayer: 2, nHead: 2, nEmbd: 32, blockSize: 16, vocabSize: 50, dropout: 0 }, { generator: new Generator(0) });
const idx = c.randint(0, 50, [2, 16], { generator: new Generator(1) });

// 1. Export: weights become initializers, the input keeps its traced shape.
const { bytes, outputNames } = exportOnnx((i) => ({ logits: model.forward(i!).logits }), [idx], { inputNames: ['idx'], file: '/tmp/gpt.onnx' });
console.log(`wrote /tmp/gpt.onnx: ${bytes.length} bytes, outputs ${outputNames.join(', ')}`);

// 2. Run on ONNX Runtime: one session.run per call, the session is cached.
const logitsOf = compile((i) => model.forward(i!).logits, [idx], { backend: 'onnxruntime', threads: 1 });
const fast = (await logitsOf(idx)) as c.Tensor;
const eager = c.noGrad(() => model.forward(idx).logits);
console.log('max |ORT − eager| =', c.amax(fast.sub(eager).abs()).item());
await logitsOf.dispose();
