import { ArgumentError } from '@likelihood/core';
import { BetaCalibration, PlattScaling } from './binary.js';
import type { CalibratorJSON } from './calibrator.js';
import { IsotonicRegression } from './isotonic.js';
import { HistogramBinning, IsotonicCalibration } from './oneVsRest.js';
import { MatrixScaling, TemperatureScaling, VectorScaling } from './scaling.js';

const LOADERS = {
  TemperatureScaling: TemperatureScaling.fromJSON,
  VectorScaling: VectorScaling.fromJSON,
  MatrixScaling: MatrixScaling.fromJSON,
  PlattScaling: PlattScaling.fromJSON,
  BetaCalibration: BetaCalibration.fromJSON,
  IsotonicRegression: IsotonicRegression.fromJSON,
  IsotonicCalibration: IsotonicCalibration.fromJSON,
  HistogramBinning: HistogramBinning.fromJSON,
} as const;

export type AnyCalibrator = ReturnType<(typeof LOADERS)[keyof typeof LOADERS]>;

/** Loads any fitted calibrator from its JSON (an object or a string), picking the class by `kind`. */
export function loadCalibrator(json: CalibratorJSON | string): AnyCalibrator {
  const obj = (typeof json === 'string' ? JSON.parse(json) : json) as Partial<CalibratorJSON>;
  const kind = obj?.kind as keyof typeof LOADERS;
  const load = LOADERS[kind];
  if (!load) throw new ArgumentError(`loadCalibrator: unknown calibrator kind '${String(obj?.kind)}'; expected one of ${Object.keys(LOADERS).join(', ')}`);
  return load(obj);
}
