// @likelihood/flow public API.
export { Bijector, InverseBijector, ComposeBijector, zeroLogDet, sumPerExample, checkInput, checkContext } from './bijector.js';
export type { Context } from './bijector.js';
export { Flow, standardNormal } from './flow.js';
export type { FlowBase, SampleOptions } from './flow.js';
