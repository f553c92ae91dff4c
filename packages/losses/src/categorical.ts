import { fmtShape as fmt } from '@likelihood/core';
import {
  ArgumentError, DTypeError, ShapeError, type Tensor, gather, indexSelect, isFloating, logSoftmax, where,
} from '@likelihood/core';
import { type Reduction, checkReduction } from './reduction.js';


export interface NllOptions {
  /** Per-class rescaling weight, shape [C]. */
  weight?: Tensor;
  /** Targets equal to this are skipped and do not count towards the mean (default −100, as torch). */
  ignoreIndex?: number;
  reduction?: Reduction;
  /**
   * Which input dim holds the classes. Default: dim 1 as in PyTorch ([N, C], [N, C, d1, ...]),
   * or the last dim when the target's shape is the input's without its last dim ([B, T, V] with [B, T]).
   */
  classDim?: number;
}

/** Resolves the class dim of `input` for index targets shaped like `target`. */
function resolveClassDim(op: string, input: Tensor, target: Tensor, classDim?: number): number {
  const without = (d: number) => input.shape.filter((_, i) => i !== d);
  const matches = (d: number) => {
    const w = without(d);
    return w.length === target.ndim && w.every((s, i) => s === target.shape[i]);
  };
  if (classDim !== undefined) {
    const d = classDim < 0 ? classDim + input.ndim : classDim;
    if (d < 0 || d >= input.ndim) throw new ArgumentError(`${op}: classDim ${classDim} is out of range for input of shape ${fmt(input.shape)}`);
    if (!matches(d)) throw new ShapeError(`${op}: target shape ${fmt(target.shape)} must equal input shape ${fmt(input.shape)} without dim ${d}`);
    return d;
  }
  if (input.ndim === 1 && target.ndim === 0) return 0;
  if (input.ndim >= 2 && matches(1)) return 1;
  if (input.ndim >= 2 && matches(input.ndim - 1)) return input.ndim - 1;
  throw new ShapeError(
    `${op}: target shape ${fmt(target.shape)} does not fit input shape ${fmt(input.shape)}: expected the input's shape without the class dim (dim 1, or the last dim for [B, T, V] logits)`,
  );
}

/** Throws naming the first target outside [0, C) that is not ignoreIndex. */
function checkTargets(op: string, target: Tensor, C: number, ignoreIndex: number): void {
  if (target.dtype !== 'int32') throw new DTypeError(`${op}: class-index targets must be int32, found ${target.dtype}`);
  const t = target.storage;
  for (let i = 0; i < t.length; i++) {
    const v = t[i]!;
    if (v !== ignoreIndex && (v < 0 || v >= C)) {
      throw new ArgumentError(`${op}: target ${v} at flat position ${i} is out of range: expected a class index in [0, ${C - 1}] or ignoreIndex ${ignoreIndex}`);
    }
  }
}

/** Moves `dim` to the end: (..., C). */
function classLast(x: Tensor, dim: number): Tensor {
  if (dim === x.ndim - 1) return x;
  const perm = [...Array(x.ndim).keys()].filter((i) => i !== dim);
  return x.permute([...perm, dim]);
}

/** Per-element NLL of index targets plus the weight each one carries (0 where ignored). */
function pickNll(logp: Tensor, target: Tensor, classDim: number, weight: Tensor | undefined, ignoreIndex: number) {
  const C = logp.shape[classDim]!;
  if (weight && (weight.ndim !== 1 || weight.shape[0] !== C)) {
    throw new ShapeError(`nll: weight shape ${fmt(weight.shape)} must be [${C}] (one weight per class)`);
  }
  const lp = classLast(logp, classDim); // (..., C)
  const keep = target.ne(ignoreIndex); // (...)
  const safe = where(keep, target, 0); // ignored targets read class 0, then get weight 0
  const picked = gather(lp, -1, safe.reshape([...safe.shape, 1])).reshape([...target.shape]); // (...)
  const keepF = keep.to(logp.dtype);
  const w = weight ? indexSelect(weight, 0, safe.reshape([-1])).reshape([...target.shape]).mul(keepF) : keepF;
  return { loss: picked.neg().mul(w), w };
}

/** Negative log-likelihood of class indices under log-probabilities `input` (torch.nn.functional.nll_loss). */
export function nll(input: Tensor, target: Tensor, opts: NllOptions = {}): Tensor {
  const { weight, ignoreIndex = -100, reduction = 'mean' } = opts;
  checkReduction('nll', reduction);
  if (!isFloating(input.dtype)) throw new DTypeError(`nll: input must be float log-probabilities, found ${input.dtype}`);
  const classDim = resolveClassDim('nll', input, target, opts.classDim);
  checkTargets('nll', target, input.shape[classDim]!, ignoreIndex);
  const { loss, w } = pickNll(input, target, classDim, weight, ignoreIndex);
  if (reduction === 'none') return loss;
  if (reduction === 'sum') return loss.sum();
  return loss.sum().div(w.sum()); // weighted mean over non-ignored targets; 0/0 = NaN when all are ignored, as torch
}

export interface CrossEntropyOptions extends NllOptions {
  /** Mixes the target with the uniform distribution: (1 − ε)·target + ε/C (Szegedy et al. 2016). */
  labelSmoothing?: number;
}

/**
 * Cross-entropy: the categorical NLL of `target` under softmax(input), computed through
 * logSoftmax (torch.nn.functional.cross_entropy). Targets are int32 class indices, or float
 * class probabilities with the input's shape.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const { weight, ignoreIndex = -100, reduction = 'mean', labelSmoothing = 0 } = opts;
  checkReduction('crossEntropy', reduction);
  if (!isFloating(input.dtype)) throw new DTypeError(`crossEntropy: input must be float logits, found ${input.dtype}`);
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new ArgumentError(`crossEntropy: labelSmoothing must be in [0, 1], found ${labelSmoothing}`);
  }
  if (isFloating(target.dtype)) return crossEntropyProbs(input, target, opts);
  const classDim = resolveClassDim('crossEntropy', input, target, opts.classDim);
  const C = input.shape[classDim]!;
  checkTargets('crossEntropy', target, C, ignoreIndex);
  const logp = logSoftmax(input, classDim);
  const { loss, w } = pickNll(logp, target, classDim, weight, ignoreIndex);
  if (labelSmoothing === 0) {
    if (reduction === 'none') return loss;
    return reduction === 'sum' ? loss.sum() : loss.sum().div(w.sum());
  }
  // Smoothing term: −Σ_c w_c log p_c per element, zero where ignored.
  const wc = weight ? weight.reshape(input.shape.map((d, i) => (i === classDim ? d : 1))) : null;
  const keep = target.ne(ignoreIndex).to(input.dtype);
  const smooth = (wc ? logp.mul(wc) : logp).sum(classDim).neg().mul(keep);
  const eps = labelSmoothing;
  if (reduction === 'none') return loss.mul(1 - eps).add(smooth.mul(eps / C));
  if (reduction === 'sum') return loss.sum().mul(1 - eps).add(smooth.sum().mul(eps / C));
  const denom = w.sum();
  return loss.sum().div(denom).mul(1 - eps).add(smooth.sum().div(weight ? denom : keep.sum()).mul(eps / C));
}

function crossEntropyProbs(input: Tensor, target: Tensor, opts: CrossEntropyOptions): Tensor {
  const { weight, reduction = 'mean', labelSmoothing = 0 } = opts;
  if (input.ndim !== target.ndim || input.shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(`crossEntropy: probability targets must have the input's shape ${fmt(input.shape)}, found ${fmt(target.shape)}`);
  }
  const classDim = opts.classDim ?? (input.ndim === 1 ? 0 : 1);
  const C = input.shape[classDim]!;
  const logp = logSoftmax(input, classDim);
  const y = labelSmoothing > 0 ? target.mul(1 - labelSmoothing).add(labelSmoothing / C) : target;
  const wc = weight ? weight.reshape(input.shape.map((d, i) => (i === classDim ? d : 1))) : null;
  const loss = (wc ? logp.mul(y).mul(wc) : logp.mul(y)).sum(classDim).neg();
  if (reduction === 'none') return loss;
  return reduction === 'sum' ? loss.sum() : loss.mean();
}

