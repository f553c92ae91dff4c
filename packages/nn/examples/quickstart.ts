// Train a small classifier, checkpoint it atomically, and resume. Run:
//   npx tsx --conditions=source packages/nn/examples/quickstart.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Generator, randn, tensor } from '@likelihood/core';
import { crossEntropy } from '@likelihood/losses';
import { AdamW, MLP, warmupCosine } from '@likelihood/nn';
import { loadCheckpoint, saveCheckpoint } from '@likelihood/nn/node';

const gen = new Generator(0);
// Two Gaussian blobs in 2-D, labels 0 and 1.
const x = randn([256, 2], { generator: gen }).add(tensor([[1.5, 0]]).mul(tensor([...Array(128).fill([1]), ...Array(128).fill([-1])])));
const y = tensor([...Array(128).fill(0), ...Array(128).fill(1)], { dtype: 'int32' });

const model = new MLP(2, [32], 2, { generator: gen }); // Linear(2, 32) → ReLU → Linear(32, 2), torch's names
const opt = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 1e-2 });
const sched = warmupCosine(opt, { warmupSteps: 10, totalSteps: 100, minLr: 1e-4 });
for (let step = 1; step <= 100; step++) {
  const loss = crossEntropy(model.forward(x), y);
  opt.zeroGrad();
  loss.backward();
  opt.step();
  sched.step();
  if (step % 25 === 0) console.log(`step ${step}: NLL ${loss.item().toFixed(4)}, lr ${sched.getLastLr()[0]!.toExponential(2)}`);
}

const path = join(mkdtempSync(join(tmpdir(), 'likelihood-')), 'mlp.safetensors');
saveCheckpoint(path, { model, optimizer: opt, step: 100, rng: gen, config: { hidden: [32] } });
const restored = new MLP(2, [32], 2);
const info = loadCheckpoint(path, { model: restored, optimizer: new AdamW(restored.parameters()) });
console.log(`resumed at step ${info.step}; keys: ${Object.keys(restored.stateDict()).join(', ')}`);
