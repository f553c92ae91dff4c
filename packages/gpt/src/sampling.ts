import { ArgumentError } from '@likelihood/core';

export interface SamplingOptions {
  /** Divides the logits; 0 means greedy (argmax). Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens (ties at the k-th value kept, as nanoGPT). */
  topK?: number;
  /** Nucleus sampling: keep the most likely tokens until their mass reaches p (at least one). */
  topP?: number;
}

/** Checks temperature ≥ 0, topK a positive integer, topP in (0, 1]. */
export function checkSampling(opts: SamplingOptions, what: string): void {
  const { temperature = 1, topK, topP } = opts;
  if (!(temperature >= 0) || !Number.isFinite(temperature)) throw new ArgumentError(`${what}: temperature must be a finite number >= 0, found ${temperature}`);
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1)) throw new ArgumentError(`${what}: topK must be a positive integer, found ${topK}`);
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw new ArgumentError(`${what}: topP must be in (0, 1], found ${topP}`);
}

/**
 * Draws one token id from `logits[offset .. offset + V)` with temperature, top-k and top-p,
 * by inverse CDF with the uniform `u` in [0, 1). Pure and in float64, so the same logits and
 * `u` always give the same token.
 */
export function sampleFromLogits(logits: ArrayLike<number>, offset: number, V: number, opts: SamplingOptions, u: number): number {
  const { temperature = 1, topK, topP } = opts;
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (logits[offset + i]! > logits[offset + best]!) best = i;
    return best;
  }
  const z = new Float64Array(V);
  for (let i = 0; i < V; i++) z[i] = logits[offset + i]! / temperature;
  if (topK !== undefined && topK < V) {
    const kth = Float64Array.from(z).sort()[V - topK]!; // k-th largest
    for (let i = 0; i < V; i++) if (z[i]! < kth) z[i] = -Infinity;
  }
  let max = -Infinity;
  for (let i = 0; i < V; i++) if (z[i]! > max) max = z[i]!;
  let total = 0;
  for (let i = 0; i < V; i++) {
    z[i] = Math.exp(z[i]! - max);
    total += z[i]!;
  }
  if (topP !== undefined && topP < 1) {
    const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => z[b]! - z[a]! || a - b);
    let mass = 0;
    let kept = 0;
    for (const i of order) {
      if (mass >= topP * total) z[i] = 0; // the mass before this token already reached p
      else {
        mass += z[i]!;
        kept += z[i]!;
      }
    }
    total = kept;
  }
  const target = u * total;
  let acc = 0;
  let last = 0;
  for (let i = 0; i < V; i++) {
    if (z[i] === 0) continue;
    acc += z[i]!;
    last = i;
    if (target < acc) return i;
  }
  return last; // rounding: u·total landed at the very top
}
