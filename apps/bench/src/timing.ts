import { releaseResidentOutputs } from '@likelihood/core';

/** Median wall time (ms) of `fn` over repetitions, after warm-up; at least `minReps` and ~`budgetMs` of runs. */
export function timeMedian(fn: () => void, { warmup = 2, minReps = 5, budgetMs = 400 } = {}): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start < budgetMs && times.length < 200)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export async function timeMedianAsync(fn: () => Promise<void>, { warmup = 2, minReps = 5, budgetMs = 400 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start < budgetMs && times.length < 200)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/**
 * `timeMedian` for loops that must let the event loop turn between repetitions (core's resident
 * kernel outputs are recycled then): times each synchronous `fn()` and awaits
 * releaseResidentOutputs() between them, outside the timed part.
 */
export async function timeMedianYielding(fn: () => void, { warmup = 2, minReps = 5, budgetMs = 400 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) {
    fn();
    await releaseResidentOutputs();
  }
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minReps || (performance.now() - start < budgetMs && times.length < 200)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
    await releaseResidentOutputs();
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
