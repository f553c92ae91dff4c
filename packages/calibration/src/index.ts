// @likelihood/calibration: measure how well predicted probabilities match frequencies, and fix it.
export type { MatrixLike, VectorLike, ProbabilityOptions } from './input.js';
export { SUM_TOLERANCE } from './input.js';
export type { Bin, BinStrategy } from './binning.js';
export {
  ece, mce, ace, classwiseEce, topLabelEce, brierScore, nllScore, accuracy, confidenceHistogram,
  reliabilityBins, calibrationReport,
} from './metrics.js';
export type { BinOptions, EceOptions, ConfidenceHistogram, CalibrationReport } from './metrics.js';
export { calibrationCurve } from './curve.js';
export type { CalibrationCurve } from './curve.js';
export { gaussianNllScore, picp, regressionCalibrationCurve } from './regression.js';
export type { RegressionCalibrationCurve } from './regression.js';
export { reliabilityDiagram } from './diagram.js';
export type { ReliabilityDiagram, ReliabilityDiagramOptions } from './diagram.js';
export { renderReliabilitySvg, renderCoverageSvg, sceneToSvg } from './render/svg.js';
export { highestDensityCoverage, sampleQuantileCoverage, HDR_LEVELS, QUANTILE_LEVELS } from './coverage.js';
export type { CoverageCurve, CoverageOptions } from './coverage.js';
export { coverageScene } from './render/coverageScene.js';
export type { CoverageSceneOptions } from './render/coverageScene.js';
export { reliabilityScene } from './render/scene.js';
export type { Scene, SceneOptions } from './render/scene.js';
export type { CalibratorJSON } from './methods/calibrator.js';
export { TemperatureScaling, VectorScaling, MatrixScaling } from './methods/scaling.js';
export type { AffineScalingOptions } from './methods/scaling.js';
export type { MinimiseOptions } from './methods/minimise.js';
export { PlattScaling, BetaCalibration } from './methods/binary.js';
export { IsotonicRegression, poolAdjacentViolators } from './methods/isotonic.js';
export { IsotonicCalibration, HistogramBinning } from './methods/oneVsRest.js';
export { smoothLabels, labelSmoothingLoss } from './methods/labelSmoothing.js';
export { averagePredictive, ensemblePredict, mcDropoutPredict } from './methods/ensembles.js';
export type { LogitModel, PredictiveDistribution, McDropoutOptions } from './methods/ensembles.js';
export { loadCalibrator } from './methods/load.js';
export type { AnyCalibrator } from './methods/load.js';
