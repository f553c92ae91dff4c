/** One model the page can sample: its weights file (under weights/) and how to draw from it. */
export interface Demo {
  id: string;
  label: string;
  /** file name under public/weights/, written by scripts/export-weights.ts */
  weights: string;
  sample(bytes: Uint8Array, opts: SampleOptions, out: DemoOutput): Promise<void>;
}

export interface SampleOptions {
  temperature: number;
  seed: number;
}

/** Where a demo puts its results. */
export interface DemoOutput {
  /** append streamed text */
  text(s: string): void;
  /** draw grayscale images [count, h, w] in [0, 1] as a grid */
  images(pixels: ArrayLike<number>, count: number, h: number, w: number): void;
}
