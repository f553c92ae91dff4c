// @likelihood/core public API.
import './kernels/cpu/index.js';
import './kernels/wasm/index.js';

export { Tensor, tensor, full, zeros, ones, zerosLike, onesLike, fullLike, arange, linspace, eye } from './tensor.js';
export type { GradNode, NestedArray, TensorLike, TensorOptions } from './tensor.js';
export * from './ops/index.js';
export type { DType, FloatDType, TypedArray } from './dtype.js';
export { promoteTypes, isFloating } from './dtype.js';
export type { Shape } from './shape.js';
export { broadcastShapes } from './shape.js';
export { LikelihoodError, ShapeError, DTypeError, ArgumentError, AutogradError, AnomalyError, fmtShape } from './errors.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, detectAnomaly, isAnomalyEnabled } from './autograd/mode.js';
export { autogradGrad } from './autograd/engine.js';
export type { BackwardOptions, GradOptions } from './autograd/engine.js';
export { grad, valueAndGrad } from './autograd/functional.js';
export type { GradFnOptions } from './autograd/functional.js';
export { registerKernel, getKernel, hasKernel, setBackend, getBackend } from './registry.js';
export type { Kernel, TensorData, BackendName } from './registry.js';
export {
  setKernelPreference, getKernelPreference, initWasmKernels, wasmLoadError, relaxedSimdInUse, setNumThreads, getNumThreads, type KernelPreference,
  setResidentBytes, residentStats, releaseResidentOutputs,
  fusedAdamUpdate, type FusedAdamScalars,
} from './kernels/wasm/index.js';
export type { PrimitiveAttrs, PrimitiveName } from './primitives.js';
export { withCustomGrad } from './dispatch.js';
export * from './random/index.js';
export { trace, TraceError } from './capture/trace.js';
export type { TraceOutputs, TraceResult } from './capture/trace.js';
export { interpret } from './capture/interpret.js';
export type { InterpretOptions, InterpretOutputs } from './capture/interpret.js';
export { Graph, GraphError } from './capture/graph.js';
export type { GraphNode, GraphConstant, GraphRandom, GraphMutation, GraphJSON, ValueInfo } from './capture/graph.js';
export type { RandomSpec } from './capture/hooks.js';
export { isTracing } from './capture/hooks.js';
