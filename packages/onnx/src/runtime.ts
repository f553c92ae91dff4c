import { OnnxRuntimeMissingError } from './errors.js';

/** The part of onnxruntime-node's / onnxruntime-web's API this package uses. */
export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  dispose?(): void;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtModule {
  Tensor: new (type: string, data: ArrayBufferView, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  /** onnxruntime-web's global settings (`env.wasm.numThreads`, read when its first session is created). */
  env?: { wasm?: { numThreads?: number } };
}

/** Which ONNX Runtime package runs the graphs. */
export type OrtPackage = 'onnxruntime-node' | 'onnxruntime-web';

/** A loaded runtime and which package it came from. */
export interface LoadedRuntime {
  ort: OrtModule;
  pkg: OrtPackage;
}

export type OrtImporter = (pkg: string) => Promise<unknown>;

const PACKAGES: readonly OrtPackage[] = ['onnxruntime-node', 'onnxruntime-web'];

const cached = new Map<string, Promise<LoadedRuntime>>();

/**
 * Loads ONNX Runtime: `which` = 'auto' (default) takes onnxruntime-node where it is installed,
 * else onnxruntime-web; or one of the two packages by name. Both are optional peer dependencies,
 * so when none loads this throws an OnnxRuntimeMissingError saying how to install one.
 * `importer` replaces the dynamic import (tests).
 */
export async function loadOnnxRuntime(importer?: OrtImporter, which: OrtPackage | 'auto' = 'auto'): Promise<OrtModule> {
  return (await loadRuntime(importer, which)).ort;
}

/** `loadOnnxRuntime` that also says which package it loaded. */
export function loadRuntime(importer?: OrtImporter, which: OrtPackage | 'auto' = 'auto'): Promise<LoadedRuntime> {
  const hit = importer ? undefined : cached.get(which);
  if (hit) return hit;
  const imp: OrtImporter = importer ?? ((pkg) => import(/* @vite-ignore */ pkg));
  const candidates = which === 'auto' ? PACKAGES : [which];
  const p = (async () => {
    const failures: string[] = [];
    for (const pkg of candidates) {
      try {
        const mod = (await imp(pkg)) as { default?: OrtModule } & Partial<OrtModule>;
        const ort = (mod.InferenceSession ? mod : mod.default) as OrtModule | undefined;
        if (ort?.InferenceSession) return { ort, pkg };
        failures.push(`${pkg}: loaded, but it has no InferenceSession`);
      } catch (e) {
        failures.push(`${pkg}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    const how =
      which === 'auto'
        ? 'Install it with `npm install onnxruntime-node` (Node; CPU binaries included) or `npm install onnxruntime-web` (browsers, or Node through WebAssembly).'
        : `Install it with \`npm install ${which}\`.`;
    const backend = which === 'auto' ? 'onnxruntime' : which;
    throw new OnnxRuntimeMissingError(`backend '${backend}' needs ONNX Runtime, an optional peer dependency of @likelihood/onnx. ${how} Tried: ${failures.join('; ')}`);
  })();
  if (!importer) {
    cached.set(which, p);
    p.catch(() => cached.delete(which));
  }
  return p;
}
