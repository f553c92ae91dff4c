// Test helpers: run an exported model on onnxruntime-node directly (no compile), as plain arrays.
import type { Tensor } from '@likelihood/core';
import * as ort from 'onnxruntime-node';
import type { OnnxExport } from '../export.js';

/** Runs `ex` on onnxruntime-node with the given inputs (and random inputs), returning every output by name. */
export async function runExport(ex: OnnxExport, inputs: readonly Tensor[], randoms: readonly Tensor[] = []): Promise<Record<string, { data: number[]; dims: number[] }>> {
  const session = await ort.InferenceSession.create(ex.bytes);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    [...inputs, ...randoms].forEach((t, i) => {
      feeds[ex.inputNames[i]!] = new ort.Tensor(t.dtype as 'float32', t.storage as Float32Array, t.shape as number[]);
    });
    const res = await session.run(feeds);
    const out: Record<string, { data: number[]; dims: number[] }> = {};
    for (const [k, v] of Object.entries(res)) out[k] = { data: Array.from(v.data as ArrayLike<number>, Number), dims: [...v.dims] };
    return out;
  } finally {
    await session.release();
  }
}
