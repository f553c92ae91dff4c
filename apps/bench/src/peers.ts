import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A peer library measured in the same run: it builds inputs once and times the op. */
export interface Peer {
  name: string;
  matmul(batch: number, m: number, k: number, n: number): () => void;
  unary(op: 'add' | 'mul' | 'exp', size: number): () => void;
  softmax(rows: number, cols: number): () => void;
  dispose(): void;
}

type TF = typeof import('@tensorflow/tfjs');

/** tfjs with one backend ('cpu' or 'wasm'); returns null when it cannot be loaded. */
export async function loadTfjs(backend: 'cpu' | 'wasm'): Promise<Peer | null> {
  let tf: TF;
  try {
    tf = await import('@tensorflow/tfjs');
    if (backend === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      const require = createRequire(import.meta.url);
      // Load the .wasm files from node_modules (never from the network).
      const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(`${join(dist)}/`);
    }
    const ok = await tf.setBackend(backend);
    if (!ok) return null;
    await tf.ready();
  } catch (e) {
    console.warn(`tfjs-${backend} unavailable: ${(e as Error).message}`);
    return null;
  }
  const held: { dispose(): void }[] = [];
  const keep = <T extends { dispose(): void }>(t: T) => {
    held.push(t);
    return t;
  };
  return {
    name: `tfjs-${backend}`,
    matmul(batch, m, k, n) {
      const a = keep(tf.randomNormal(batch > 1 ? [batch, m, k] : [m, k]) as import('@tensorflow/tfjs').Tensor);
      const b = keep(tf.randomNormal(batch > 1 ? [batch, k, n] : [k, n]) as import('@tensorflow/tfjs').Tensor);
      return () => {
        const c = tf.matMul(a, b);
        c.dataSync();
        c.dispose();
      };
    },
    unary(op, size) {
      const a = keep(tf.randomNormal([size]));
      const b = keep(tf.randomNormal([size]));
      return () => {
        const c = op === 'exp' ? tf.exp(a) : op === 'add' ? tf.add(a, b) : tf.mul(a, b);
        c.dataSync();
        c.dispose();
      };
    },
    softmax(rows, cols) {
      const a = keep(tf.randomNormal([rows, cols]) as import('@tensorflow/tfjs').Tensor2D);
      return () => {
        const c = tf.softmax(a);
        c.dataSync();
        c.dispose();
      };
    },
    dispose() {
      for (const t of held) t.dispose();
      held.length = 0;
    },
  };
}
