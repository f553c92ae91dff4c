// Every public op function. One file per family; composites import primitives from here.
export * from './elementwise.js';
export * from './reduce.js';
export * from './movement.js';
export * from './indexing.js';
export * from './linalg.js';
export * from './nn.js';
export * from './activations.js';
export * from './special.js';
export * from './attention.js';
export * from './linear.js';
export * from './sinusoidal.js';
export { zeros, ones, full, zerosLike, onesLike, fullLike } from '../tensor.js';
