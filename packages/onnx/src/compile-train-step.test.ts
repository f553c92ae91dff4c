// compileTrainStep: @likelihood/gpt's Trainer driven by a compiled ONNX Runtime step (forward,
// backward, clipping and nn's two-group AdamW in one graph) against the same Trainer stepping eagerly.
import { Generator, type Tensor, zeros } from '@likelihood/core';
import { GPT, type StepRunner, Trainer } from '@likelihood/gpt';
import { expectClose } from '@likelihood/test-utils';
import { describe, expect, it } from 'vitest';
import { compileTrainStep } from './compile-train-step.js';
import { worstRelativeParamDiff } from './testing/compare.js';
import { GPT_TINY } from './testing/models.js';

const data = (t: Tensor) => Array.from(t.storage as Float32Array);

/** A GPT and a Trainer over a fixed token stream; one generator draws the weights, batches and dropout masks. */
function setup(opts: { dropout: number; gradAccumSteps: number }) {
  const g = new Generator(3);
  const model = new GPT({ ...GPT_TINY, dropout: opts.dropout }, { generator: g });
  const stream = Int32Array.from({ length: 400 }, (_, i) => (i * 7 + (i % 5)) % GPT_TINY.vocabSize);
  const trainer = new Trainer(model, {
    data: { train: stream },
    batchSize: 3,
    maxIters: 8,
    lr: 3e-3,
    warmupIters: 2,
    gradClip: 0.5,
    gradAccumSteps: opts.gradAccumSteps,
    generator: g,
  });
  return { g, model, trainer };
}

describe('compileTrainStep', () => {
  for (const cfg of [
    { dropout: 0.1, gradAccumSteps: 1 },
    { dropout: 0, gradAccumSteps: 2 },
  ]) {
    it(`8 Trainer steps through one ORT graph each match 8 eager steps to 1e-4 relative (dropout ${cfg.dropout}, gradAccumSteps ${cfg.gradAccumSteps}, clipping, warmup + cosine, two AdamW groups)`, async () => {
      const eager = setup(cfg);
      const lossesE: number[] = [];
      while (eager.trainer.iter < 8) lossesE.push(eager.trainer.step());

      const viaOrt = setup(cfg);
      const { trainer, model, g } = viaOrt;
      const example = [zeros([3, 8], { dtype: 'int32' }), zeros([3, 8], { dtype: 'int32' })]; // one micro-batch's shapes
      const step = compileTrainStep((x, y) => model.forward(x!, { targets: y! }).loss!, trainer.optimizer, example, {
        backend: 'onnxruntime',
        threads: 1,
        generator: g,
        gradAccumSteps: cfg.gradAccumSteps,
        maxGradNorm: 0.5,
        module: model,
      });
      expect(step.compiled.graph.randoms.length > 0).toBe(cfg.dropout > 0); // dropout masks are graph inputs
      const runner: StepRunner = async (batches) => {
        const ls = await step(batches.map((b) => [b.x, b.y]));
        return ls.reduce((a, b) => a + b, 0) / ls.length;
      };
      const lossesO: number[] = [];
      while (trainer.iter < 8) lossesO.push(await trainer.stepWith(runner));

      expectClose(lossesO, lossesE, { rtol: 1e-4, atol: 1e-6, what: 'losses' });
      expect(worstRelativeParamDiff(model, eager.model)).toBeLessThan(1e-4);
      // The optimizer state is nn's AdamW's: step counts, moments and the LR schedule advanced as eagerly.
      const pE = eager.model.parameters();
      model.parameters().forEach((p, i) => {
        const s = trainer.optimizer.state.get(p)!;
        const sE = eager.trainer.optimizer.state.get(pE[i]!)!;
        expect(s.step).toBe(8);
        expectClose(data(s.expAvgSq as Tensor), data(sE.expAvgSq as Tensor), { rtol: 1e-3, atol: 1e-9, what: `expAvgSq ${i}` });
      });
      expect(trainer.optimizer.paramGroups[0]!.lr).toBe(eager.trainer.optimizer.paramGroups[0]!.lr);
      expect(lossesE[7]!).toBeLessThan(lossesE[0]!);
      await step.dispose();
    });
  }
});
