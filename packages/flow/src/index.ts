// @likelihood/flow public API.
export { Bijector, InverseBijector, ComposeBijector, zeroLogDet, sumPerExample, checkInput, checkContext } from './bijector.js';
export type { Context } from './bijector.js';
export { Flow, standardNormal } from './flow.js';
export type { FlowBase, SampleOptions } from './flow.js';
// coupling
export { MaskedCoupling } from './coupling/coupling.js';
export type { CouplingOptions } from './coupling/coupling.js';
export { AffineCoupling } from './coupling/affineCoupling.js';
export type { AffineCouplingOptions } from './coupling/affineCoupling.js';
export { AdditiveCoupling } from './coupling/additiveCoupling.js';
export { alternatingMask, checkerboardMask, channelMask } from './coupling/masks.js';
export { MLPConditioner, ConvConditioner } from './coupling/conditioner.js';
export type { Conditioner, MLPConditionerOptions, ConvConditionerOptions } from './coupling/conditioner.js';
// autoregressive
export { MADE, MaskedLinear } from './autoregressive/made.js';
export type { MADEOptions } from './autoregressive/made.js';
export { MaskedAffineAutoregressive, MAF, IAF } from './autoregressive/maskedAffine.js';
export type { MaskedAutoregressiveOptions } from './autoregressive/maskedAffine.js';
// splines
export { rationalQuadraticSpline, unconstrainedRationalQuadraticSpline, DEFAULT_MIN_BIN_WIDTH, DEFAULT_MIN_BIN_HEIGHT, DEFAULT_MIN_DERIVATIVE } from './spline/rationalQuadratic.js';
export type { SplineOptions, BoundedSplineOptions, SplineResult } from './spline/rationalQuadratic.js';
export { RQSCoupling } from './spline/splineCoupling.js';
export type { SplineLayerOptions } from './spline/splineCoupling.js';
export { MaskedRQSAutoregressive } from './spline/splineAutoregressive.js';
// Glow, normalisation, permutations, elementwise
export { ActNorm } from './glow/actNorm.js';
export type { ActNormOptions } from './glow/actNorm.js';
export { LUWeight } from './glow/luWeight.js';
export { LULinear } from './glow/luLinear.js';
export { InvertibleConv1x1 } from './glow/invertibleConv1x1.js';
export { BatchNormBijector } from './batchNorm.js';
export type { BatchNormBijectorOptions } from './batchNorm.js';
export { Permutation, Reverse } from './permutation.js';
export { SigmoidBijector, LogitBijector, LogitPreprocess } from './elementwise.js';
export { PlanarFlow } from './planar.js';
export { RadialFlow } from './radial.js';
// images
export { Squeeze, squeeze2x2, unsqueeze2x2 } from './multiscale/squeeze.js';
export { MultiScaleFlow } from './multiscale/multiScale.js';
export type { MultiScaleOptions } from './multiscale/multiScale.js';
export { glowSteps, realNVPSteps } from './multiscale/glowSteps.js';
export type { StepOptions } from './multiscale/glowSteps.js';
// evaluation and toy-density helpers
export { LOG_256, bitsPerDim, discreteNllNats, natsPerDim, uniformDequantize } from './evaluation.js';
export type { DequantizedOptions, DequantizeOptions } from './evaluation.js';
export { toyFlow, trainToyFlow, densityGrid } from './toy.js';
export { moonsLogProb, toyEntropy, toyLogProb } from './toyDensity.js';
export type { EntropyEstimate } from './toyDensity.js';
export type { ToyFlowKind, ToyFlowOptions, TrainToyOptions, TrainToyResult, DensityGridOptions } from './toy.js';
export { imageMafFlow, evaluateBitsPerDim } from './images.js';
export type { ImageMafOptions } from './images.js';
export { imageRealNVPFlow } from './imageRealNVP.js';
export type { ImageRealNVPOptions } from './imageRealNVP.js';
