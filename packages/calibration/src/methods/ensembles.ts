// Predictive distributions from several models or several dropout masks (Lakshminarayanan et al. 2017; Gal and Ghahramani 2016).
import { ArgumentError, type Tensor, logSoftmax, logsumexp, noGrad, stack } from '@likelihood/core';
import { Dropout, type Module } from '@likelihood/nn';

/** A model mapping inputs to logits [N, C]. */
export interface LogitModel {
  forward(x: Tensor): Tensor;
}

export interface PredictiveDistribution {
  /** Mean of the members' class probabilities, [N, C]. */
  probs: Tensor;
  /** log of `probs`, computed stably as logsumexp over members − log M, [N, C]. */
  logProbs: Tensor;
  /** Entropy of the mean prediction (total uncertainty), [N], in nats. */
  entropy: Tensor;
  /** Entropy minus the members' mean entropy (mutual information, epistemic uncertainty), [N]. */
  mutualInformation: Tensor;
}

/** Averages the predictive distributions softmax(logits_m) of M members given their logits [N, C] each. */
export function averagePredictive(logitsList: readonly Tensor[]): PredictiveDistribution {
  if (logitsList.length === 0) throw new ArgumentError('averagePredictive: expected the logits of at least one member, found none');
  const s0 = logitsList[0]!.shape;
  logitsList.forEach((l, i) => {
    if (l.ndim !== 2 || l.shape[0] !== s0[0] || l.shape[1] !== s0[1]) {
      throw new ArgumentError(`averagePredictive: member ${i} has logits of shape [${l.shape.join(', ')}], expected [${s0.join(', ')}] like member 0 (2-D [N, C])`);
    }
  });
  return noGrad(() => {
    const lp = stack(logitsList.map((l) => logSoftmax(l, 1)), 0); // (M, N, C)
    const M = logitsList.length;
    const logProbs = logsumexp(lp, 0).sub(Math.log(M)); // (N, C)
    const probs = logProbs.exp();
    const entropy = probs.mul(logProbs).sum(1).neg(); // (N)
    const memberEntropy = lp.exp().mul(lp).sum(2).neg().mean(0); // (N)
    return { probs, logProbs, entropy, mutualInformation: entropy.sub(memberEntropy) };
  });
}

/** Deep ensemble prediction: runs every member on `x` (in eval mode, without gradients) and averages their predictive distributions. */
export function ensemblePredict(models: readonly LogitModel[], x: Tensor): PredictiveDistribution {
  if (models.length === 0) throw new ArgumentError('ensemblePredict: expected at least one model, found none');
  return averagePredictive(noGrad(() => models.map((m) => m.forward(x))));
}

export interface McDropoutOptions {
  /** Number of stochastic forward passes (default 20). */
  samples?: number;
}

/**
 * MC dropout (Gal and Ghahramani 2016): runs `model` `samples` times with its Dropout layers in
 * training mode (every other layer, e.g. BatchNorm, stays as it is) and averages the predictive
 * distributions. The model's train/eval flags are restored afterwards. The masks come from each
 * Dropout's generator, so seeding it reproduces the prediction.
 */
export function mcDropoutPredict(model: Module & LogitModel, x: Tensor, opts: McDropoutOptions = {}): PredictiveDistribution {
  const { samples = 20 } = opts;
  if (!Number.isInteger(samples) || samples < 1) throw new ArgumentError(`mcDropoutPredict: samples must be a positive integer, found ${samples}`);
  const dropouts = model.modules().filter((m): m is Dropout => m instanceof Dropout && m.p > 0);
  if (dropouts.length === 0) throw new ArgumentError('mcDropoutPredict: the model has no Dropout layer with p > 0, so every pass would give the same prediction');
  const saved = dropouts.map((d) => d.training);
  try {
    for (const d of dropouts) d.training = true;
    const runs = noGrad(() => Array.from({ length: samples }, () => model.forward(x)));
    return averagePredictive(runs);
  } finally {
    dropouts.forEach((d, i) => {
      d.training = saved[i]!;
    });
  }
}
