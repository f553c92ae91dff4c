/**
 * PNG pictures for the demos: grids of grayscale images, heatmaps of a density or an energy on a
 * grid, and 2-D scatter plots. Every family uses these, so its pictures look alike in the report.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';

type RGB = readonly [number, number, number];

/** Writes PNG bytes atomically (temp file + rename), creating the directory. */
export function writePng(path: string, png: Buffer): string {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, png);
  renameSync(tmp, path);
  return path;
}

function encode(width: number, height: number, rgba: Uint8Array): Buffer {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png);
}

export interface ImageGridOptions {
  /** number of images, each `height × width`, stored one after another */
  count: number;
  height: number;
  width: number;
  /** images per row (default ⌈√count⌉) */
  cols?: number;
  /** pixels between images */
  pad?: number;
  /** each source pixel becomes scale × scale pixels */
  scale?: number;
}

/** Grayscale images with values in [0, 1] (clamped), laid out in a grid on a dark background. */
export function imageGridPng(pixels: ArrayLike<number>, o: ImageGridOptions): Buffer {
  const { count, height: h, width: w } = o;
  if (pixels.length !== count * h * w) {
    throw new RangeError(`imageGridPng: pixels has ${pixels.length} values, expected count·height·width = ${count}·${h}·${w} = ${count * h * w}`);
  }
  const cols = o.cols ?? Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  const pad = o.pad ?? 2;
  const s = o.scale ?? 2;
  const W = cols * (w * s + pad) + pad;
  const H = rows * (h * s + pad) + pad;
  const out = new Uint8Array(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    out.set([40, 40, 40, 255], i * 4);
  }
  for (let k = 0; k < count; k++) {
    const x0 = pad + (k % cols) * (w * s + pad);
    const y0 = pad + Math.floor(k / cols) * (h * s + pad);
    for (let y = 0; y < h * s; y++) {
      for (let x = 0; x < w * s; x++) {
        const v = pixels[k * h * w + Math.floor(y / s) * w + Math.floor(x / s)]!;
        const g = Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)));
        out.set([g, g, g, 255], ((y0 + y) * W + x0 + x) * 4);
      }
    }
  }
  return encode(W, H, out);
}

// Viridis at 9 stops (matplotlib's), interpolated linearly.
const VIRIDIS: RGB[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

function viridis(t: number): RGB {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

export interface HeatmapOptions {
  /** grid rows (y) and columns (x); values[row·cols + col], row 0 at the bottom (y grows upward) */
  rows: number;
  cols: number;
  /** each cell becomes scale × scale pixels */
  scale?: number;
}

/** A heatmap in viridis, min → dark, max → yellow (non-finite values are drawn as the minimum). */
export function heatmapPng(values: ArrayLike<number>, o: HeatmapOptions): Buffer {
  const { rows, cols } = o;
  if (values.length !== rows * cols) throw new RangeError(`heatmapPng: values has ${values.length} entries, expected rows·cols = ${rows * cols}`);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const span = hi > lo ? hi - lo : 1;
  const s = o.scale ?? 3;
  const W = cols * s;
  const H = rows * s;
  const out = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) {
    const row = rows - 1 - Math.floor(y / s);
    for (let x = 0; x < W; x++) {
      const v = values[row * cols + Math.floor(x / s)]!;
      const [r, g, b] = viridis(Number.isFinite(v) ? (v - lo) / span : 0);
      out.set([r, g, b, 255], (y * W + x) * 4);
    }
  }
  return encode(W, H, out);
}

export interface ScatterSeries {
  /** x, y pairs interleaved: [x0, y0, x1, y1, …] */
  points: ArrayLike<number>;
  color: RGB;
  /** dot radius in pixels */
  radius?: number;
}

export interface ScatterOptions {
  /** the square [min, max]² shown */
  range: readonly [number, number];
  /** image side in pixels */
  size?: number;
}

/** 2-D points on a white square, series drawn in order (later on top); points outside the range are dropped. */
export function scatterPng(series: ScatterSeries[], o: ScatterOptions): Buffer {
  const n = o.size ?? 360;
  const [lo, hi] = o.range;
  const out = new Uint8Array(n * n * 4).fill(255);
  for (const s of series) {
    const r = s.radius ?? 1;
    for (let i = 0; i + 1 < s.points.length; i += 2) {
      const px = ((s.points[i]! - lo) / (hi - lo)) * (n - 1);
      const py = (1 - (s.points[i + 1]! - lo) / (hi - lo)) * (n - 1);
      if (!(px >= 0 && px <= n - 1 && py >= 0 && py <= n - 1)) continue;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const x = Math.round(px) + dx;
          const y = Math.round(py) + dy;
          if (x >= 0 && x < n && y >= 0 && y < n && dx * dx + dy * dy <= r * r) out.set([...s.color, 255], (y * n + x) * 4);
        }
      }
    }
  }
  return encode(n, n, out);
}
