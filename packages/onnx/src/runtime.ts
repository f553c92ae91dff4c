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
}

export type OrtImporter = (pkg: string) => Promise<unknown>;

const PACKAGES = ['onnxruntime-node', 'onnxruntime-web'] as const;

let cached: Promise<OrtModule> | null = null;

/**
 * Loads ONNX Runtime: onnxruntime-node where it is installed, else onnxruntime-web. Both are
 * optional peer dependencies, so without either this throws an error saying how to install one.
 * `importer` replaces the dynamic import (tests).
 */
export function loadOnnxRuntime(importer?: OrtImporter): Promise<OrtModule> {
  if (!importer && cached) return cached;
  const imp: OrtImporter = importer ?? ((pkg) => import(/* @vite-ignore */ pkg));
  const p = (async () => {
    const failures: string[] = [];
    for (const pkg of PACKAGES) {
      try {
        const mod = (await imp(pkg)) as { default?: OrtModule } & Partial<OrtModule>;
        const ort = (mod.InferenceSession ? mod : mod.default) as OrtModule | undefined;
        if (ort?.InferenceSession) return ort;
        failures.push(`${pkg}: loaded, but it has no InferenceSession`);
      } catch (e) {
        failures.push(`${pkg}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    throw new OnnxRuntimeMissingError(
      "backend 'onnxruntime' needs ONNX Runtime, an optional peer dependency of @likelihood/onnx. " +
        'Install it with `npm install onnxruntime-node` (Node; CPU binaries included) or `npm install onnxruntime-web` (browsers). ' +
        `Tried: ${failures.join('; ')}`,
    );
  })();
  if (!importer) {
    cached = p;
    p.catch(() => {
      cached = null;
    });
  }
  return p;
}
