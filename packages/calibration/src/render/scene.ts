// A reliability diagram as a list of shapes, drawn by both the SVG and the PNG renderer.
import type { ReliabilityDiagram } from '../diagram.js';
import { GLYPHS, UNITS_PER_EM } from './font-data.js';

/** Width of `text` at `size` in DejaVu Sans, for laying out boxes around text. */
export function textWidth(text: string, size: number): number {
  return [...text].reduce((a, ch) => a + (GLYPHS[ch] ?? GLYPHS['?']!)[0], 0) * (size / UNITS_PER_EM);
}

export type Shape =
  | { type: 'rect'; x: number; y: number; w: number; h: number; fill?: string; fillOpacity?: number; stroke?: string; strokeWidth?: number }
  | { type: 'line'; x1: number; y1: number; x2: number; y2: number; stroke: string; width: number; dash?: readonly number[] }
  | { type: 'text'; x: number; y: number; text: string; size: number; anchor: 'start' | 'middle' | 'end'; color: string; rotate?: number };

/** Shapes in a width × height box, y pointing down, units of CSS pixels. */
export interface Scene {
  width: number;
  height: number;
  background: string;
  shapes: Shape[];
}

export interface SceneOptions {
  /** Add the confidence histogram under the diagram (default true). */
  histogram?: boolean;
  /** Colours of the accuracy bars and of the gap bars. */
  barColor?: string;
  gapColor?: string;
}

/** Ink, grid and font size shared by the scenes. */
export const INK = '#222222';
export const GRID = '#d9d9d9';
export const FONT = 13;

const pct = (v: number) => `${(100 * v).toFixed(2)}%`;

/**
 * The grid of a [0, 1]² plot at steps of 0.2 with the y axis's ticks and labels (and the x axis's
 * with `xTicks`), pushed onto `shapes`; X and Y map unit coordinates to the scene's.
 */
export function unitGrid(shapes: Shape[], X: (v: number) => number, Y: (v: number) => number, xTicks = false): void {
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    if (i > 0 && i < 5) {
      shapes.push({ type: 'line', x1: X(v), y1: Y(0), x2: X(v), y2: Y(1), stroke: GRID, width: 0.7 });
      shapes.push({ type: 'line', x1: X(0), y1: Y(v), x2: X(1), y2: Y(v), stroke: GRID, width: 0.7 });
    }
    shapes.push({ type: 'line', x1: X(0) - 4, y1: Y(v), x2: X(0), y2: Y(v), stroke: INK, width: 1 });
    shapes.push({ type: 'text', x: X(0) - 7, y: Y(v) + 4.5, text: v.toFixed(1), size: FONT - 1, anchor: 'end', color: INK });
    if (xTicks) {
      shapes.push({ type: 'line', x1: X(v), y1: Y(0), x2: X(v), y2: Y(0) + 4, stroke: INK, width: 1 });
      shapes.push({ type: 'text', x: X(v), y: Y(0) + 18, text: v.toFixed(1), size: FONT - 1, anchor: 'middle', color: INK });
    }
  }
}

/**
 * Lays out a reliability diagram: accuracy bars per bin, a gap bar from accuracy to mean
 * confidence (red: the miscalibration), the diagonal of perfect calibration, a legend, and
 * under it the share of samples per bin with the mean confidence and the accuracy marked.
 */
export function reliabilityScene(d: ReliabilityDiagram, opts: SceneOptions = {}): Scene {
  const { histogram = true, barColor = '#3b6fb6', gapColor = '#d1342f' } = opts;
  const left = 62;
  const top = 58;
  const size = 320; // the square plot
  const histH = histogram ? 78 : 0;
  const histGap = histogram ? 16 : 0;
  const bottom = 48;
  const width = left + size + 22;
  const height = top + size + histGap + histH + bottom;
  const shapes: Shape[] = [];
  const X = (v: number) => left + v * size;
  const Y = (v: number) => top + (1 - v) * size;

  shapes.push({ type: 'text', x: left + size / 2, y: 26, text: `${d.title} · ECE = ${pct(d.ece)}`, size: 15, anchor: 'middle', color: INK });
  unitGrid(shapes, X, Y);
  // bars: accuracy, then the gap between accuracy and confidence
  for (const b of d.bins) {
    if (b.count === 0) continue;
    const x0 = X(b.lower);
    const w = X(b.upper) - x0;
    shapes.push({ type: 'rect', x: x0, y: Y(b.accuracy), w, h: Y(0) - Y(b.accuracy), fill: barColor, stroke: '#1d3f73', strokeWidth: 0.8 });
    const hi = Math.max(b.accuracy, b.confidence);
    const lo = Math.min(b.accuracy, b.confidence);
    if (hi - lo > 1e-9) {
      shapes.push({ type: 'rect', x: x0, y: Y(hi), w, h: Y(lo) - Y(hi), fill: gapColor, fillOpacity: 0.35, stroke: gapColor, strokeWidth: 1.2 });
    }
  }
  shapes.push({ type: 'line', x1: X(0), y1: Y(0), x2: X(1), y2: Y(1), stroke: '#555555', width: 1.3, dash: [5, 4] });
  shapes.push({ type: 'rect', x: X(0), y: Y(1), w: size, h: size, stroke: INK, strokeWidth: 1.2 });
  // legend
  const lx = X(0) + 12;
  const ly = Y(1) + 14;
  const rows: Array<[string, (y: number) => Shape[]]> = [
    ['Accuracy', (y) => [{ type: 'rect', x: lx, y: y - 6, w: 18, h: 11, fill: barColor, stroke: '#1d3f73', strokeWidth: 0.8 }]],
    ['Gap to confidence', (y) => [{ type: 'rect', x: lx, y: y - 6, w: 18, h: 11, fill: gapColor, fillOpacity: 0.35, stroke: gapColor, strokeWidth: 1.2 }]],
    ['Perfect calibration', (y) => [{ type: 'line', x1: lx, y1: y, x2: lx + 18, y2: y, stroke: '#555555', width: 1.3, dash: [5, 4] }]],
  ];
  shapes.push({ type: 'rect', x: lx - 6, y: ly - 11, w: 150, h: rows.length * 18 + 6, fill: '#ffffff', fillOpacity: 0.92, stroke: '#bbbbbb', strokeWidth: 0.8 });
  rows.forEach(([label, icon], i) => {
    const y = ly + i * 18;
    shapes.push(...icon(y));
    shapes.push({ type: 'text', x: lx + 25, y: y + 4.5, text: label, size: FONT - 1, anchor: 'start', color: INK });
  });
  shapes.push({ type: 'text', x: 18, y: Y(0.5), text: 'Accuracy', size: FONT, anchor: 'middle', color: INK, rotate: -90 });
  // summary under the title
  const stats = `MCE ${pct(d.mce)} · accuracy ${pct(d.accuracy)} · confidence ${pct(d.meanConfidence)} · N = ${d.n}`;
  shapes.push({ type: 'text', x: left + size / 2, y: 44, text: stats, size: Math.min(FONT - 2.5, (FONT - 2.5) * (size / textWidth(stats, FONT - 2.5))), anchor: 'middle', color: '#555555' });

  let axisY = Y(0);
  if (histogram) {
    const hTop = Y(0) + histGap;
    const total = d.bins.reduce((a, b) => a + b.count, 0);
    const maxShare = Math.max(...d.bins.map((b) => b.count / total), 1e-9);
    const H = (share: number) => hTop + histH - (share / maxShare) * (histH - 6);
    for (const b of d.bins) {
      if (b.count === 0) continue;
      shapes.push({ type: 'rect', x: X(b.lower), y: H(b.count / total), w: X(b.upper) - X(b.lower), h: hTop + histH - H(b.count / total), fill: '#8c8c8c', stroke: '#4d4d4d', strokeWidth: 0.6 });
    }
    const mark = (v: number, color: string) => shapes.push({ type: 'line', x1: X(v), y1: hTop, x2: X(v), y2: hTop + histH, stroke: color, width: 1.6, dash: [4, 3] });
    mark(d.accuracy, barColor);
    mark(d.meanConfidence, gapColor);
    shapes.push({ type: 'rect', x: X(0), y: hTop, w: size, h: histH, stroke: INK, strokeWidth: 1.2 });
    shapes.push({ type: 'text', x: 18, y: hTop + histH / 2, text: 'Samples', size: FONT, anchor: 'middle', color: INK, rotate: -90 });
    const note = 'dashed: accuracy (blue), mean confidence (red)';
    shapes.push({ type: 'rect', x: X(0) + 5, y: hTop + 4, w: textWidth(note, FONT - 3) + 8, h: 15, fill: '#ffffff', fillOpacity: 0.9 });
    shapes.push({ type: 'text', x: X(0) + 9, y: hTop + 15, text: note, size: FONT - 3, anchor: 'start', color: '#555555' });
    axisY = hTop + histH;
  }
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    shapes.push({ type: 'line', x1: X(v), y1: axisY, x2: X(v), y2: axisY + 4, stroke: INK, width: 1 });
    shapes.push({ type: 'text', x: X(v), y: axisY + 18, text: v.toFixed(1), size: FONT - 1, anchor: 'middle', color: INK });
  }
  shapes.push({ type: 'text', x: X(0.5), y: axisY + 38, text: 'Confidence', size: FONT, anchor: 'middle', color: INK });
  return { width, height, background: '#ffffff', shapes };
}
