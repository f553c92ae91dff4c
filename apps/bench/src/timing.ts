import { releaseResidentOutputs } from '@likelihood/core';

interface TimingOptions {
  warmup?: number;
  /** Keep warming up until this many ms have passed too (V8 tiers hot code up over the first hundreds of calls). */
  warmupMs?: number;
  minReps?: number;
  budgetMs?: number;
}

/** Whether to run another repetition: until `minReps`, then while within `budgetMs` (at most 200). */
function more(done: number, start: number, minReps: number, budgetMs: number): boolean {
  return done < minReps || (performance.now() - start < budgetMs && done < 200);
}

function median(times: number[]): number {
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Median wall time (ms) of `fn` over repetitions, after warm-up; at least `minReps` and ~`budgetMs` of runs. */
export function timeMedian(fn: () => void, { warmup = 2, minReps = 5, budgetMs = 400 }: TimingOptions = {}): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (const start = performance.now(); more(times.length, start, minReps, budgetMs); ) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function timeMedianAsync(fn: () => Promise<void>, { warmup = 2, minReps = 5, budgetMs = 400, warmupMs = 0 }: TimingOptions = {}): Promise<number> {
  for (let i = 0, w0 = performance.now(); i < warmup || performance.now() - w0 < warmupMs; i++) await fn();
  const times: number[] = [];
  for (const start = performance.now(); more(times.length, start, minReps, budgetMs); ) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * `timeMedian` for loops that must let the event loop turn between repetitions (core's resident
 * kernel outputs are recycled then): times each synchronous `fn()` together with the
 * releaseResidentOutputs() awaited after it, which may run the garbage collector.
 */
export function timeMedianYielding(fn: () => void, opts: TimingOptions = {}): Promise<number> {
  return timeMedianAsync(async () => {
    fn();
    await releaseResidentOutputs(); // timed: it may run the garbage collector
  }, opts);
}
