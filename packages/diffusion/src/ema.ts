import { noGrad } from '@likelihood/core';
import type { EMA, Module } from '@likelihood/nn';

/**
 * Runs `fn` with the EMA averages loaded into `model`'s parameters, then puts the training
 * weights back (even if `fn` throws): diffusion models are sampled and evaluated with the EMA.
 */
export function withEmaWeights<R>(ema: EMA, model: Module, fn: () => R): R {
  const params = model.parameters();
  const saved = params.map((p) => p.detach()); // shares storage; assign_ swaps storage, so these stay intact
  ema.copyTo(model);
  try {
    return fn();
  } finally {
    noGrad(() => params.forEach((p, i) => p.assign_(saved[i]!)));
  }
}
