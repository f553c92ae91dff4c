import { isAnomalyEnabled, isGradEnabled } from '../../autograd/mode.js';
import { activeRecorder } from '../../capture/hooks.js';
import { Tensor } from '../../tensor.js';
import { SINCOS_WASM_MAX_ARGUMENT, SINCOS_WASM_MIN_ELEMENTS } from './elementwise.js';
import { useWasm } from './preference.js';
import { ELEMENTWISE_MIN_WORK_PER_THREAD, beginKernelCall, runParallel, splitChunk } from './threads.js';

/**
 * The sinusoidal embedding (ops/sinusoidal.ts) of float32 timesteps `t` [N] with frequencies
 * `freqs` [half] in one wasm pass: each row's products t·f once, then their cosines and sines side
 * by side (the composite's multiply, two elementwise calls and a concat: ≈ 0.26 ms against ≈ 0.04
 * for 512 × 32 on an MLP denoiser's step). The same values as the composite: the products are
 * rounded to float32 first. Null (the composite runs) when t needs a gradient, under trace or
 * anomaly detection, for small outputs, or when an argument would exceed the range of the wasm
 * sine and cosine.
 */
export function fusedSinusoidal(t: Tensor, freqs: Tensor, dim: number): Tensor | null {
  if (t.dtype !== 'float32' || freqs.dtype !== 'float32' || activeRecorder() !== null || isAnomalyEnabled()) return null;
  if (t.requiresGrad && isGradEnabled()) return null;
  const N = t.shape[0]!;
  const half = freqs.shape[0]!;
  if (!useWasm(N * dim, SINCOS_WASM_MIN_ELEMENTS)) return null;
  const T = t.storage as Float32Array;
  const F = freqs.storage as Float32Array;
  let maxF = 0;
  for (let i = 0; i < half; i++) maxF = Math.max(maxF, Math.abs(F[i]!));
  for (let n = 0; n < N; n++) if (Math.abs(T[n]!) * maxF > SINCOS_WASM_MAX_ARGUMENT) return null; // NaN passes (and stays NaN)
  // a sine and a cosine cost about two elementwise ops per output
  const call = beginKernelCall(2 * N * dim, ELEMENTWISE_MIN_WORK_PER_THREAD);
  if (!call) return null;
  const { k, arena, threads } = call;
  const pt = arena.input(T);
  const pf = arena.input(F);
  const py = arena.output(N * dim);
  if (!arena.commit()) return null;
  runParallel(k, { fn: 'sinusoidalRows', args: () => [pt, pf, py, half, dim, 0, 0], lo: 5, hi: 6, total: N, chunk: splitChunk(N, 1, threads) }, threads);
  return new Tensor(arena.take(py, N * dim), [N, dim], 'float32');
}
