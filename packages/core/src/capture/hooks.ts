import type { Tensor } from '../tensor.js';

/** What a tracer sees. Dispatch, Tensor and the random functions call these while a trace is active. */
export interface TraceRecorder {
  /** A primitive op ran. */
  recordOp(op: string, inputs: readonly Tensor[], attrs: unknown, output: Tensor): void;
  /** A random tensor was drawn: in a graph it becomes a value drawn from a generator at run time. */
  recordRandom(spec: RandomSpec, output: Tensor): void;
  /** `alias` holds the same values as `source` (detach): both name one graph value. */
  recordAlias(source: Tensor, alias: Tensor): void;
  /** `target.assign_(value)`: from now on `target` names `value`'s graph value. */
  recordAssign(target: Tensor, value: Tensor): void;
  /**
   * The traced function read `t`'s values into JavaScript (`item`, `data`, `toArray`). If they
   * depend on the inputs or on random draws, what it does with them is baked into the graph.
   */
  recordRead(t: Tensor, how: string): void;
}

/** How a random tensor was drawn, so a compiled graph can draw it again from a generator. */
export interface RandomSpec {
  kind: 'uniform' | 'normal';
  shape: readonly number[];
  dtype: 'float32' | 'float64';
}

let active: TraceRecorder | null = null;

export function activeRecorder(): TraceRecorder | null {
  return active;
}

export function setActiveRecorder(r: TraceRecorder | null): TraceRecorder | null {
  const prev = active;
  active = r;
  return prev;
}

/**
 * True while `trace` records. Fused fast paths outside core (an optimizer's single-pass update)
 * check it and run their tensor-op form instead, so the graph holds the primitives.
 */
export function isTracing(): boolean {
  return active !== null;
}
