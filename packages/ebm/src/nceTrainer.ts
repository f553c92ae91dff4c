// Training loop for NCE (see nce.ts): one optimizer step per data batch with fresh noise each
// time. The model is an energy E_θ (log p̃ = −E_θ), so an MLP's output bias absorbs −log Z.
import type { Generator, Tensor } from '@likelihood/core';
import type { Optimizer } from '@likelihood/nn';
import { checkPositiveInt } from './checks.js';
import type { EnergyFn } from './energyGrad.js';
import { type NoiseDistribution, nceLoss } from './nce.js';

export interface NCETrainerOptions {
  /** Noise samples per data point ν (default 4). */
  numNoise?: number;
  generator?: Generator;
}

export interface NCEStepStats {
  /** J(θ) of this batch. */
  loss: number;
  /** Fraction of data and noise points classified correctly. */
  accuracy: number;
}

export class NCETrainer {
  readonly numNoise: number;

  constructor(
    readonly energy: EnergyFn,
    readonly optimizer: Optimizer,
    readonly noise: NoiseDistribution,
    private readonly opts: NCETrainerOptions = {},
  ) {
    this.numNoise = checkPositiveInt('NCETrainer', 'numNoise', opts.numNoise ?? 4);
  }

  /** One update from a data batch [N, D]. */
  step(x: Tensor): NCEStepStats {
    this.optimizer.zeroGrad();
    const { loss, accuracy } = nceLoss((u) => this.energy(u).neg(), x, this.noise, { numNoise: this.numNoise, generator: this.opts.generator });
    loss.backward();
    this.optimizer.step();
    return { loss: loss.item(), accuracy };
  }
}
