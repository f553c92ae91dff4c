// Training an RBM by contrastive divergence (Hinton 2002) or persistent contrastive divergence
// (Tieleman 2008). The log-likelihood gradient is −∂F(v_data)/∂θ + E_model[∂F(v)/∂θ]; the model
// expectation is replaced by negative samples v⁻ from k Gibbs sweeps started at the data (CD-k)
// or at persistent chains that carry over between updates (PCD). Autograd of the surrogate
// loss mean F(v⁺) − mean F(v⁻) is exactly the classic CD update (computed in closed form) (with hidden probabilities in
// both phases); SGD adds momentum and L2 weight decay on W only.
import { ArgumentError, type Generator, type Tensor, noGrad, randperm, tensor } from '@likelihood/core';
import { SGD } from '@likelihood/nn';
import { checkPositive, checkPositiveInt } from './checks.js';
import type { RBMBase } from './rbmBase.js';

export interface RBMTrainOptions {
  /** 'cd' (restart chains at the data) or 'pcd' (persistent chains). Default 'pcd'. */
  method?: 'cd' | 'pcd';
  /** Gibbs sweeps per update (default 1). */
  k?: number;
  /** Learning rate (default 0.05). */
  lr?: number;
  /** Momentum of the parameter updates (default 0.5). */
  momentum?: number;
  /** L2 weight decay on W (not the biases), default 1e-4. */
  weightDecay?: number;
  /** Minibatch size (default 20). */
  batchSize?: number;
  /** Number of persistent chains for PCD (default batchSize). */
  numChains?: number;
  /** Compute the free-energy gap and the reconstruction error each step (an extra up-down pass; default true). */
  trackStats?: boolean;
  generator?: Generator;
}

export interface RBMStepStats {
  /** Mean F(v⁺) − mean F(v⁻), the surrogate loss (NaN when stats are not tracked). */
  freeEnergyGap: number;
  /** Mean squared error of a one-sweep reconstruction of the batch (a cheap progress signal, not a likelihood); NaN when not tracked. */
  reconstructionError: number;
}

/** Holds the optimizer and (for PCD) the persistent chains, so training can run batch by batch. */
export class RBMTrainer {
  readonly rbm: RBMBase;
  readonly optimizer: SGD;
  readonly method: 'cd' | 'pcd';
  readonly k: number;
  readonly batchSize: number;
  /** PCD's fantasy particles [numChains, V], or null before the first step (and for CD). */
  chains: Tensor | null = null;
  private readonly numChains: number;
  private readonly trackStats: boolean;
  private readonly generator: Generator | undefined;

  constructor(rbm: RBMBase, opts: RBMTrainOptions = {}) {
    this.rbm = rbm;
    this.method = opts.method ?? 'pcd';
    if (this.method !== 'cd' && this.method !== 'pcd') throw new ArgumentError(`RBMTrainer: method must be 'cd' or 'pcd', found '${String(opts.method)}'`);
    this.k = checkPositiveInt('RBMTrainer', 'k', opts.k ?? 1);
    this.batchSize = checkPositiveInt('RBMTrainer', 'batchSize', opts.batchSize ?? 20);
    this.numChains = checkPositiveInt('RBMTrainer', 'numChains', opts.numChains ?? this.batchSize);
    const lr = checkPositive('RBMTrainer', 'lr', opts.lr ?? 0.05);
    const momentum = checkPositive('RBMTrainer', 'momentum', opts.momentum ?? 0.5, true);
    const weightDecay = checkPositive('RBMTrainer', 'weightDecay', opts.weightDecay ?? 1e-4, true);
    this.generator = opts.generator;
    this.trackStats = opts.trackStats ?? true;
    this.optimizer = new SGD(
      [
        { params: [rbm.weight], weightDecay },
        { params: [rbm.visibleBias, rbm.hiddenBias], weightDecay: 0 },
      ],
      { lr, momentum },
    );
  }

  /** One parameter update from a data batch [B, V]. */
  step(batch: Tensor): RBMStepStats {
    const rbm = this.rbm;
    const pos = rbm.checkVisible('RBMTrainer.step', batch);
    const gen = this.generator;
    const neg = noGrad(() => {
      if (this.method === 'cd') return rbm.gibbs(pos, { k: this.k, generator: gen }).v;
      if (!this.chains) {
        // Start the chains at data rows (repeated if there are more chains than rows).
        const idx = Array.from({ length: this.numChains }, (_, i) => i % pos.shape[0]!);
        this.chains = pos.indexSelect(0, tensor(idx, { dtype: 'int32' }));
      }
      this.chains = rbm.gibbs(this.chains, { k: this.k, generator: gen }).v;
      return this.chains;
    });
    // Gradient of the surrogate loss mean F(v⁺) − mean F(v⁻) in closed form (see contrastiveGrads).
    const g = rbm.contrastiveGrads(pos, neg, this.trackStats);
    this.optimizer.zeroGrad();
    rbm.weight.grad = g.weight;
    rbm.visibleBias.grad = g.visibleBias;
    rbm.hiddenBias.grad = g.hiddenBias;
    const gap = g.freeEnergyPos - g.freeEnergyNeg;
    this.optimizer.step();
    const recon = this.trackStats
      ? noGrad(() => rbm.visibleMean(rbm.hiddenProbs(pos)).sub(pos).square().mean().item())
      : Number.NaN;
    return { freeEnergyGap: gap, reconstructionError: recon };
  }

  /** One pass over data [N, V] in a shuffled order; returns the mean statistics. */
  epoch(data: Tensor): RBMStepStats {
    const x = this.rbm.checkVisible('RBMTrainer.epoch', data);
    const n = x.shape[0]!;
    const perm = randperm(n, { generator: this.generator });
    let gap = 0;
    let recon = 0;
    let batches = 0;
    for (let start = 0; start < n; start += this.batchSize) {
      const idx = perm.narrow(0, start, Math.min(this.batchSize, n - start));
      const s = this.step(x.indexSelect(0, idx));
      gap += s.freeEnergyGap;
      recon += s.reconstructionError;
      batches++;
    }
    return { freeEnergyGap: gap / batches, reconstructionError: recon / batches };
  }
}

/** Trains for `epochs` passes over data and returns the per-epoch statistics. */
export function trainRBM(
  rbm: RBMBase,
  data: Tensor,
  opts: RBMTrainOptions & { epochs?: number; onEpoch?: (epoch: number, stats: RBMStepStats, trainer: RBMTrainer) => void } = {},
): RBMStepStats[] {
  const epochs = checkPositiveInt('trainRBM', 'epochs', opts.epochs ?? 10);
  const trainer = new RBMTrainer(rbm, opts);
  const history: RBMStepStats[] = [];
  for (let e = 0; e < epochs; e++) {
    const s = trainer.epoch(data);
    history.push(s);
    opts.onEpoch?.(e, s, trainer);
  }
  return history;
}
