// Deep energy-based models trained by contrastive divergence with Langevin samples and a
// replay buffer (Du & Mordatch 2019, "Implicit Generation and Generalization in Energy-Based
// Models", Algorithm 1). The maximum-likelihood gradient ∇_θ E(x⁺) − E_{p_θ}[∇_θ E(x⁻)] is
// estimated with negatives x⁻ from a few SGLD steps, started from persistent buffer samples (95%)
// or fresh noise (5%); an L2 penalty α(E(x⁺)² + E(x⁻)²) keeps the energies bounded.
import { ArgumentError, type FloatDType, type Generator, type Tensor, defaultGenerator, noGrad, tensor } from '@likelihood/core';
import { MLP, Module, type Optimizer, clipGradNorm_ } from '@likelihood/nn';
import { checkPositive, checkPositiveInt } from './checks.js';
import { langevin } from './samplers.js';

export interface EnergyMLPOptions {
  activation?: 'silu' | 'relu' | 'tanh' | 'gelu' | 'elu' | 'softplus';
  dtype?: FloatDType;
  generator?: Generator;
}

/** E_θ(x) = MLP(x) with a scalar output: [N, D] → [N]. */
export class EnergyMLP extends Module {
  net: MLP;

  constructor(inFeatures: number, hiddenSizes: readonly number[], opts: EnergyMLPOptions = {}) {
    super();
    this.net = new MLP(inFeatures, hiddenSizes, 1, { activation: opts.activation ?? 'silu', dtype: opts.dtype, generator: opts.generator });
  }

  forward(x: Tensor): Tensor {
    return (this.net.forward(x) as Tensor).squeeze(1);
  }
}

export interface ReplayBufferOptions {
  /** Draws n fresh starting points [n, ...] (e.g. uniform noise over the data's box). */
  init: (n: number, generator?: Generator) => Tensor;
  /** Probability that a requested sample is fresh noise rather than a buffer entry (default 0.05). */
  reinitProb?: number;
}

/** A fixed-size store of past negative samples (the buffer of Du & Mordatch). */
export class ReplayBuffer {
  readonly capacity: number;
  readonly reinitProb: number;
  private readonly init: (n: number, generator?: Generator) => Tensor;
  private rows: Float64Array[] = [];
  private rowShape: readonly number[] = [];
  private next = 0;

  constructor(capacity: number, opts: ReplayBufferOptions) {
    this.capacity = checkPositiveInt('ReplayBuffer', 'capacity', capacity);
    this.reinitProb = opts.reinitProb ?? 0.05;
    if (!(this.reinitProb >= 0 && this.reinitProb <= 1)) throw new ArgumentError(`ReplayBuffer: reinitProb must be in [0, 1], found ${this.reinitProb}`);
    this.init = opts.init;
  }

  get size(): number {
    return this.rows.length;
  }

  /** n starting points: each fresh with probability reinitProb (always while the buffer is empty), else a uniformly chosen entry. */
  sample(n: number, generator?: Generator): Tensor {
    const gen = generator ?? defaultGenerator();
    const fresh = this.init(n, gen).detach();
    if (this.rows.length === 0) {
      this.rowShape = fresh.shape.slice(1);
      return fresh;
    }
    const width = fresh.size / n;
    const out = fresh.dtype === 'float64' ? new Float64Array(fresh.size) : new Float32Array(fresh.size);
    out.set(fresh.storage as ArrayLike<number>);
    for (let i = 0; i < n; i++) {
      if (gen.random() < this.reinitProb) continue;
      const row = this.rows[Math.floor(gen.random() * this.rows.length)]!;
      out.set(row, i * width);
    }
    return tensor(out, { dtype: fresh.dtype as FloatDType }).reshape([n, ...this.rowShape]);
  }

  /** Stores samples [n, ...], overwriting the oldest once full. */
  push(x: Tensor): void {
    const n = x.shape[0]!;
    this.rowShape = x.shape.slice(1);
    const width = x.size / n;
    const s = x.storage;
    for (let i = 0; i < n; i++) {
      const row = Float64Array.from({ length: width }, (_, j) => s[i * width + j]!);
      if (this.rows.length < this.capacity) this.rows.push(row);
      else {
        this.rows[this.next] = row;
        this.next = (this.next + 1) % this.capacity;
      }
    }
  }
}

export interface ContrastiveDivergenceOptions {
  /** SGLD steps per update (default 20). */
  langevinSteps?: number;
  /** SGLD gradient step size (default 1; Du & Mordatch use 10 on images). */
  stepSize?: number;
  /** SGLD noise standard deviation (default 0.005, as in Du & Mordatch). */
  noiseScale?: number;
  /** Per-entry gradient clip for SGLD (default none). */
  gradClip?: number;
  /** Clamp samples to this box (default none). */
  clamp?: [number, number];
  /** Weight α of the energy-magnitude penalty α·(E(x⁺)² + E(x⁻)²) (default 0.1). */
  alpha?: number;
  /** Clip the parameter gradient norm (default none). */
  maxGradNorm?: number;
  generator?: Generator;
}

export interface ContrastiveDivergenceStats {
  loss: number;
  /** Mean energy of the data batch and of the negatives. */
  energyPos: number;
  energyNeg: number;
}

/** Trains an energy model with SGLD negatives from a replay buffer; one `step` per data batch. */
export class EBMTrainer {
  readonly model: Module & { forward(x: Tensor): Tensor };
  readonly optimizer: Optimizer;
  readonly buffer: ReplayBuffer;
  private readonly o: Required<Omit<ContrastiveDivergenceOptions, 'gradClip' | 'clamp' | 'maxGradNorm' | 'generator'>> & ContrastiveDivergenceOptions;

  constructor(
    model: Module & { forward(x: Tensor): Tensor },
    optimizer: Optimizer,
    buffer: ReplayBuffer,
    opts: ContrastiveDivergenceOptions = {},
  ) {
    this.model = model;
    this.optimizer = optimizer;
    this.buffer = buffer;
    this.o = { langevinSteps: 20, stepSize: 1, noiseScale: 0.005, alpha: 0.1, ...opts };
    checkPositiveInt('EBMTrainer', 'langevinSteps', this.o.langevinSteps);
    checkPositive('EBMTrainer', 'stepSize', this.o.stepSize);
    checkPositive('EBMTrainer', 'alpha', this.o.alpha, true);
  }

  /** Negative samples: buffer (or noise) starts, moved by SGLD under the current energy. */
  negatives(n: number): Tensor {
    const x0 = this.buffer.sample(n, this.o.generator);
    const { x } = langevin((x) => this.model.forward(x), x0, {
      stepSize: this.o.stepSize,
      numSteps: this.o.langevinSteps,
      noiseScale: this.o.noiseScale,
      gradClip: this.o.gradClip,
      clamp: this.o.clamp,
      generator: this.o.generator,
    });
    this.buffer.push(x);
    return x;
  }

  step(xPos: Tensor): ContrastiveDivergenceStats {
    const xNeg = this.negatives(xPos.shape[0]!);
    this.optimizer.zeroGrad();
    const ePos = this.model.forward(xPos.detach());
    const eNeg = this.model.forward(xNeg);
    const loss = ePos.mean().sub(eNeg.mean()).add(ePos.square().mean().add(eNeg.square().mean()).mul(this.o.alpha));
    loss.backward();
    if (this.o.maxGradNorm !== undefined) clipGradNorm_(this.model.parameters(), this.o.maxGradNorm);
    this.optimizer.step();
    return noGrad(() => ({ loss: loss.item(), energyPos: ePos.mean().item(), energyNeg: eNeg.mean().item() }));
  }
}
