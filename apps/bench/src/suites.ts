/**
 * Every benchmark suite: a name and a lazily imported runner (so one suite's peers, e.g. tfjs or
 * onnxruntime, are only loaded when that suite runs). A new suite adds one entry here and one file
 * `src/<suite>.ts`; its PyTorch reference script goes in `reference/`.
 */
import { resolve } from 'node:path';

export interface SuiteOptions {
  quick: boolean;
  /** where to write the JSON results */
  json: string;
}

export interface Suite {
  name: string;
  description: string;
  /** the `core` suite is run by main.ts itself */
  run: (o: SuiteOptions) => Promise<void> | void;
}

export const SUITES: Suite[] = [
  { name: 'core', description: 'matmul, elementwise and softmax kernels vs tfjs-cpu and tfjs-wasm', run: () => {} },
  {
    name: 'gpt',
    description: "training step and generation at nanoGPT's CPU config vs PyTorch",
    run: async (o) => (await import('./gpt.js')).runGptSuite(o),
  },
  {
    name: 'calibration',
    description: 'calibration metrics and calibrators on real classifiers',
    run: async (o) => (await import('./calibration.js')).runCalibrationSuite({ ...o, docsImg: resolve(import.meta.dirname, '../../../docs/img') }),
  },
  {
    name: 'onnx',
    description: 'ONNX Runtime: compiled GPT training step, matmul and sampling vs eager and PyTorch',
    run: async (o) => (await import('./onnx.js')).runOnnxSuite(o),
  },
  {
    name: 'ebm',
    description: 'energy models: RBM on MNIST by AIS, AIS vs exact log Z, 2-D exact NLL by grid, PCD step vs PyTorch',
    run: async (o) => (await import('./ebm.js')).runEbmSuite(o),
  },
];
