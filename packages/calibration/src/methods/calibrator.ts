import { ArgumentError } from '@likelihood/core';

/** The JSON form of a fitted calibrator: `kind` names the class, `params` holds its fitted numbers. */
export interface CalibratorJSON {
  format: 'likelihood-calibrator';
  version: 1;
  kind: string;
  params: Record<string, unknown>;
}

/** Wraps fitted parameters in the versioned JSON envelope. */
export function envelope(kind: string, params: Record<string, unknown>): CalibratorJSON {
  return { format: 'likelihood-calibrator', version: 1, kind, params };
}

/** Checks the envelope of `json` and returns its params, naming what is wrong otherwise. */
export function openEnvelope(kind: string, json: unknown): Record<string, unknown> {
  const j = json as Partial<CalibratorJSON> | null;
  if (!j || typeof j !== 'object' || j.format !== 'likelihood-calibrator') {
    throw new ArgumentError(`${kind}.fromJSON: expected an object with format 'likelihood-calibrator', found ${JSON.stringify(j)?.slice(0, 80)}`);
  }
  if (j.version !== 1) throw new ArgumentError(`${kind}.fromJSON: unsupported version ${String(j.version)}, expected 1`);
  if (j.kind !== kind) throw new ArgumentError(`${kind}.fromJSON: this JSON holds a '${String(j.kind)}' calibrator, not '${kind}'`);
  if (!j.params || typeof j.params !== 'object') throw new ArgumentError(`${kind}.fromJSON: params missing`);
  return j.params;
}

/** Reads a numeric array field of params. */
export function numbers(kind: string, params: Record<string, unknown>, key: string, length?: number): number[] {
  const v = params[key];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    throw new ArgumentError(`${kind}.fromJSON: params.${key} must be an array of finite numbers`);
  }
  if (length !== undefined && v.length !== length) throw new ArgumentError(`${kind}.fromJSON: params.${key} must have ${length} numbers, found ${v.length}`);
  return v as number[];
}

/** Reads a finite number field of params. */
export function numberField(kind: string, params: Record<string, unknown>, key: string): number {
  const v = params[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ArgumentError(`${kind}.fromJSON: params.${key} must be a finite number, found ${String(v)}`);
  return v;
}

/** Throws when a calibrator is used before `fit`. */
export function requireFitted<T>(kind: string, value: T | null): T {
  if (value === null) throw new ArgumentError(`${kind}: call fit(...) (or load fitted parameters with fromJSON) before transform`);
  return value;
}
