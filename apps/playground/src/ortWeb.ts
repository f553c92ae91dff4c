import type { Tensor } from '@likelihood/core';
import { type CompiledFunction, type CompileOptions, compile, type Traceable } from '@likelihood/onnx';

let loading: Promise<unknown> | undefined;

/**
 * onnxruntime-web's WebAssembly build, imported on first use (the TypeScript-core engine never
 * downloads it). Its .wasm binary is an asset of this page (Vite's `?url` copies it into assets/),
 * so nothing is fetched from a CDN. One thread: no worker, no cross-origin isolation needed.
 */
export function loadOrtWeb(): Promise<unknown> {
  loading ??= (async () => {
    const [ort, { default: wasm }] = await Promise.all([import('onnxruntime-web/wasm'), import('onnxruntime-web/ort-wasm-simd-threaded.wasm?url')]);
    ort.env.wasm.wasmPaths = { wasm };
    ort.env.wasm.numThreads = 1;
    return ort;
  })();
  loading.catch(() => {
    loading = undefined; // try again on the next click
  });
  return loading;
}

/** `compile` / `compileKVDecoder` options for the page's onnxruntime-web engine. */
export const ORT_WEB = { backend: 'onnxruntime-web', threads: 1, importOrt: loadOrtWeb } as const satisfies CompileOptions;

/** A function compiled for onnxruntime-web on its first call (traced with that call's inputs) and kept. */
export interface LazyCompiled {
  run(...inputs: Tensor[]): ReturnType<CompiledFunction>;
  /** graphs compiled so far (0 or 1), like KVDecoder's count */
  readonly graphs: number;
}

export function lazyCompile(fn: Traceable): LazyCompiled {
  let f: CompiledFunction | undefined;
  return {
    run: (...inputs) => {
      f ??= compile(fn, inputs, ORT_WEB);
      return f(...inputs);
    },
    get graphs() {
      return f ? 1 : 0;
    },
  };
}
