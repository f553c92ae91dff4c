import { ArgumentError, type Tensor, clamp, log, log1p, logSoftmax, sigmoid, softmax } from '@likelihood/core';

export interface ProbsOrLogits {
  probs?: Tensor;
  logits?: Tensor;
}

/** Exactly one of probs/logits must be given (torch raises the same way). */
export function oneOf(op: string, p: ProbsOrLogits): 'probs' | 'logits' {
  if ((p.probs === undefined) === (p.logits === undefined)) {
    throw new ArgumentError(`${op}: pass exactly one of probs or logits, found ${p.probs === undefined ? 'neither' : 'both'}`);
  }
  return p.probs !== undefined ? 'probs' : 'logits';
}

/** Smallest positive normal number of the dtype: probabilities are clamped here before logs (as torch's clamp_probs). */
export const tiny = (t: Tensor) => (t.dtype === 'float64' ? 2.2250738585072014e-308 : 1.1754943508222875e-38);
export const epsOf = (t: Tensor) => (t.dtype === 'float64' ? 2.220446049250313e-16 : 1.1920928955078125e-7);

/** Clamps probabilities into [eps, 1 − eps] (torch.distributions.utils.clamp_probs). */
export function clampProbs(p: Tensor): Tensor {
  const e = epsOf(p);
  return clamp(p, e, 1 - e);
}

/** Binary logits from probabilities: log p − log(1 − p), with p clamped. */
export function probsToLogitsBinary(p: Tensor): Tensor {
  const c = clampProbs(p);
  return log(c).sub(log1p(c.neg()));
}

export const logitsToProbsBinary = (l: Tensor) => sigmoid(l);

/** Normalised categorical logits (log-probabilities) from probabilities or unnormalised logits. */
export function categoricalLogits(p: ProbsOrLogits): Tensor {
  if (p.logits) return logSoftmax(p.logits, -1);
  // torch: probs / probs.sum(-1), then log(clamp_probs(·)) with clamp_probs = clamp(eps, 1 − eps)
  return log(clampProbs(p.probs!.div(p.probs!.sum(-1, true))));
}

export function categoricalProbs(p: ProbsOrLogits): Tensor {
  if (p.probs) return p.probs.div(p.probs.sum(-1, true));
  return softmax(p.logits!, -1);
}
