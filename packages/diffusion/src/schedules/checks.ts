import { ArgumentError } from '@likelihood/core';

export function checkNumTimesteps(op: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError(`${op}: numTimesteps must be a positive integer, found ${n}`);
}

export function checkBetaRange(op: string, start: number, end: number): void {
  const ok = (b: number) => typeof b === 'number' && b > 0 && b < 1;
  if (!ok(start) || !ok(end)) throw new ArgumentError(`${op}: betaStart and betaEnd must lie in (0, 1), found ${start} and ${end}`);
}
