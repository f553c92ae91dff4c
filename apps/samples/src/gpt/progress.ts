import type { ProgressEvent } from '@likelihood/gpt';
import { type ProgressOptions, trainingProgress } from '../cli/progress.js';

export interface ProgressDisplay {
  start(iter: number): void;
  update(e: ProgressEvent, val: number | undefined): void;
  stop(): void;
}

/** GPT training progress (cli/progress.ts): loss, val loss at evaluations, lr and tokens/s; evaluation steps always get a line. */
export function progressDisplay(maxIters: number, o: ProgressOptions = {}): ProgressDisplay {
  const p = trainingProgress('gpt', maxIters, ['loss {loss}', 'val {val}', 'lr {lr}', '{tps} tok/s'], o);
  return {
    start: (iter) => p.start(iter),
    update: (e, val) =>
      p.update(e.iter, { loss: e.loss.toFixed(4), val: val?.toFixed(4) ?? '-', lr: e.lr.toExponential(2), tps: String(Math.round(e.tokensPerSec)) }, e.eval !== undefined),
    stop: () => p.stop(),
  };
}
