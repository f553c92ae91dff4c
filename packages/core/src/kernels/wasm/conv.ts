import { getKernel, registerKernel } from '../../registry.js';
import { convKernel, convTransposeKernel } from '../cpu/conv.js';
import { gemm } from '../cpu/gemm.js';
import { makeGemmWasm } from './gemm.js';
import { MATMUL_WASM_MIN_WORK } from './matmul.js';
import { useWasm } from './preference.js';

// Conv and ConvTranspose with their im2col GEMMs in wasm (float32), so convolutional models get
// the SIMD kernel and its threads; everything else is cpu/conv.ts's code. The TypeScript kernels
// stay registered underneath as the reference and the fallback.

const gemmWasm = makeGemmWasm(gemm);
const conv = convKernel(gemmWasm);
const convTranspose = convTransposeKernel(gemmWasm);
const convReference = getKernel('Conv', 'cpu');
const convTransposeReference = getKernel('ConvTranspose', 'cpu');

/** Multiply-adds of one image's GEMM: output channels × positions × (input channels · kernel volume). */
function imageWork(outChannels: number, positions: number, reduction: number): number {
  return outChannels * positions * reduction;
}

const prod = (a: readonly number[]) => a.reduce((x, y) => x * y, 1);

registerKernel('Conv', 'cpu', (inputs, attrs) => {
  const [x, w] = inputs;
  if (x!.dtype !== 'float32' || w!.dtype !== 'float32') return convReference(inputs, attrs);
  // w: (O, C/group, ...kernel); the output has about as many positions as the input
  const work = imageWork(w!.shape[0]!, prod(x!.shape.slice(2)), prod(w!.shape.slice(1)));
  return useWasm(work, MATMUL_WASM_MIN_WORK) ? conv(inputs, attrs) : convReference(inputs, attrs);
});

registerKernel('ConvTranspose', 'cpu', (inputs, attrs) => {
  const [x, w] = inputs;
  if (x!.dtype !== 'float32' || w!.dtype !== 'float32') return convTransposeReference(inputs, attrs);
  // w: (C, O/group, ...kernel); one GEMM per image: (O/group·kernel) × positions × C/group
  const work = imageWork(prod(w!.shape.slice(1)), prod(x!.shape.slice(2)), w!.shape[0]! / attrs.group);
  return useWasm(work, MATMUL_WASM_MIN_WORK) ? convTranspose(inputs, attrs) : convTransposeReference(inputs, attrs);
});
