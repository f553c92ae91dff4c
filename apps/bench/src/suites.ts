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
    name: 'vae',
    description: 'one epoch of a 784-400-20 MLP VAE (Bernoulli, batch 128, dynamic MNIST) vs PyTorch',
    run: async (o) => (await import('./vae.js')).runVaeSuite(o),
  },
  {
    name: 'flow',
    description: 'RealNVP training step vs PyTorch, and held-out NLL of 2-D flows against the true entropy',
    run: async (o) => (await import('./flow.js')).runFlowSuite(o),
  },
  {
    name: 'diffusion',
    description: 'diffusion training steps (MLP and U-Net denoisers) vs PyTorch; 2-D sample quality by energy distance',
    run: async (o) => (await import('./diffusion.js')).runDiffusionSuite(o),
  },
  {
    name: 'ebm',
    description: 'energy models: RBM on MNIST by AIS, AIS vs exact log Z, 2-D exact NLL by grid, PCD step vs PyTorch',
    run: async (o) => (await import('./ebm.js')).runEbmSuite(o),
  },
];
