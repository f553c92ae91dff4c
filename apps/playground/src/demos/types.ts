/** One model the page can sample: its weights file (under weights/) and how to draw from it. */
export interface Demo {
  id: string;
  label: string;
  /** file name under public/weights/, written by scripts/export-weights.ts */
  weights: string;
  /** builds the model from its weights, once per weights file (the page calls it before timing `sample`) */
  load(bytes: Uint8Array): unknown;
  sample(bytes: Uint8Array, opts: SampleOptions, out: DemoOutput): Promise<SampleReport>;
}

/**
 * What runs the model: the pure-TypeScript core (eager), or the model captured with
 * @likelihood/onnx and run on onnxruntime-web's WebAssembly backend (one thread).
 */
export type Engine = 'core' | 'onnxruntime-web';

export interface SampleOptions {
  temperature: number;
  seed: number;
  engine: Engine;
}

/** What a demo made, for the page's time per token or per image. */
export interface SampleReport {
  /** tokens (every row of every decoding step) or images sampled */
  count: number;
  unit: 'token' | 'image';
  /** ONNX graphs traced, exported and given a session in this call (their time is in the total); 0 on the core */
  compiledGraphs: number;
}

/** Where a demo puts its results. */
export interface DemoOutput {
  /** append streamed text */
  text(s: string): void;
  /** draw grayscale images [count, h, w] in [0, 1] as a grid */
  images(pixels: ArrayLike<number>, count: number, h: number, w: number): void;
}
