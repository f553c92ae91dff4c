import { Generator } from '@likelihood/core';
import type { Toy2D } from '@likelihood/datasets';
import { MLPDenoiser, NoiseSchedule, denoisingLoss } from '@likelihood/diffusion';
import { Adam, EMA } from '@likelihood/nn';

/** The 2-D training loop used by the example and the tests: ε-prediction, Adam, EMA. */
export function trainToy2d(
  density: Toy2D,
  opts: { steps?: number; batchSize?: number; hidden?: number; lr?: number; seed?: number; onStep?: (i: number, loss: number) => void } = {},
) {
  const { steps = 1500, batchSize = 256, hidden = 64, lr = 3e-3, seed = 0 } = opts;
  const gen = new Generator(seed);
  const schedule = NoiseSchedule.create({ kind: 'cosine', numTimesteps: 100 });
  const model = new MLPDenoiser({ hidden, layers: 3, generator: gen });
  const optimizer = new Adam(model.parameters(), { lr });
  const ema = new EMA(model, { decay: 0.99 });
  const losses: number[] = [];
  for (let i = 1; i <= steps; i++) {
    const { loss } = denoisingLoss(model, schedule, density.sample(batchSize, gen), { generator: gen });
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    ema.update();
    losses.push(loss.item());
    opts.onStep?.(i, losses.at(-1)!);
  }
  return { model, ema, schedule, losses };
}
