// Inverse-temperature schedules 0 = β_0 < β_1 < … < β_K = 1 for annealed importance sampling.
import { ArgumentError } from '@likelihood/core';
import { checkPositiveInt } from './checks.js';

/** K + 1 equally spaced values from 0 to 1. */
export function linearSchedule(steps: number): Float64Array {
  const k = checkPositiveInt('linearSchedule', 'steps', steps);
  const out = new Float64Array(k + 1);
  for (let i = 0; i <= k; i++) out[i] = i / k;
  return out;
}

/**
 * Salakhutdinov & Murray (2008)'s piecewise-linear schedule, scaled: 500·s steps on [0, 0.5],
 * 4000·s on [0.5, 0.9] and 10000·s on [0.9, 1] (s = 1 gives their 14,500 intermediate
 * distributions). Denser near β = 1, where the distributions change fastest.
 */
export function salakhutdinovMurraySchedule(scale = 1): Float64Array {
  if (!(scale > 0 && Number.isFinite(scale))) throw new ArgumentError(`salakhutdinovMurraySchedule: scale must be a positive number, found ${scale}`);
  const pieces: [number, number, number][] = [
    [0, 0.5, Math.max(1, Math.round(500 * scale))],
    [0.5, 0.9, Math.max(1, Math.round(4000 * scale))],
    [0.9, 1, Math.max(1, Math.round(10000 * scale))],
  ];
  const out: number[] = [0];
  for (const [a, b, n] of pieces) for (let i = 1; i <= n; i++) out.push(a + ((b - a) * i) / n);
  return Float64Array.from(out);
}

/** Sigmoid-spaced schedule (Grosse et al. 2013): β_t ∝ σ(δ(2t/K − 1)), rescaled to [0, 1]. */
export function sigmoidSchedule(steps: number, delta = 4): Float64Array {
  const k = checkPositiveInt('sigmoidSchedule', 'steps', steps);
  if (!(delta > 0)) throw new ArgumentError(`sigmoidSchedule: delta must be > 0, found ${delta}`);
  const s = (t: number) => 1 / (1 + Math.exp(-delta * ((2 * t) / k - 1)));
  const lo = s(0);
  const hi = s(k);
  const out = new Float64Array(k + 1);
  for (let i = 0; i <= k; i++) out[i] = (s(i) - lo) / (hi - lo);
  out[0] = 0;
  out[k] = 1;
  return out;
}

export function checkSchedule(op: string, betas: ArrayLike<number>): void {
  const n = betas.length;
  if (n < 2 || betas[0] !== 0 || betas[n - 1] !== 1) {
    throw new ArgumentError(`${op}: betas must start at 0 and end at 1 with at least 2 entries, found ${n} entries from ${betas[0]} to ${betas[n - 1]}`);
  }
  for (let i = 1; i < n; i++) {
    if (!(betas[i]! >= betas[i - 1]!)) throw new ArgumentError(`${op}: betas must be non-decreasing, found ${betas[i - 1]} then ${betas[i]} at index ${i}`);
  }
}
