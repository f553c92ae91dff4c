// A coverage curve (observed vs nominal level) as a scene, drawn by the same SVG/PNG renderers as the reliability diagram.
import type { CoverageCurve } from '../coverage.js';
import { FONT, INK, type Scene, type Shape, textWidth, unitGrid } from './scene.js';

export interface CoverageSceneOptions {
  /** Title shown above the plot, before the error (default 'Coverage'). */
  title?: string;
  /** Label of the x axis (default 'Nominal level'). */
  xLabel?: string;
  /** Label of the y axis (default 'Observed coverage'). */
  yLabel?: string;
  /** Colour of the curve and its points. */
  color?: string;
}


/**
 * Lays out a coverage curve: one marker per level at (expected, observed) joined by a line, the
 * diagonal of perfect calibration (dashed), a grid, axes from 0 to 1, and the mean absolute error in the title.
 * Each marker is a small square (a rect of `color`), so the PNG rasteriser draws it too.
 */
export function coverageScene(c: CoverageCurve, opts: CoverageSceneOptions = {}): Scene {
  const { title = 'Coverage', xLabel = 'Nominal level', yLabel = 'Observed coverage', color = '#3b6fb6' } = opts;
  const left = 62;
  const top = 58;
  const size = 320;
  const width = left + size + 22;
  const height = top + size + 52;
  const shapes: Shape[] = [];
  const X = (v: number) => left + v * size;
  const Y = (v: number) => top + (1 - v) * size;

  // the title shrinks to fit between the plot's centre and the nearer edge of the scene
  const heading = `${title} · error = ${(100 * c.calibrationError).toFixed(2)}%`;
  const room = 2 * Math.min(left + size / 2, width - left - size / 2) - 12;
  shapes.push({ type: 'text', x: left + size / 2, y: 26, text: heading, size: Math.min(15, 15 * (room / textWidth(heading, 15))), anchor: 'middle', color: INK });
  // no legend box: any corner of the square can hold the curve; the note says what the dashes are
  const stats = `mean |observed - nominal| over ${c.expected.length} levels · N = ${c.n} · dashed: calibrated`;
  shapes.push({ type: 'text', x: left + size / 2, y: 44, text: stats, size: Math.min(FONT - 2.5, (FONT - 2.5) * (size / textWidth(stats, FONT - 2.5))), anchor: 'middle', color: '#555555' });
  unitGrid(shapes, X, Y, true);
  shapes.push({ type: 'line', x1: X(0), y1: Y(0), x2: X(1), y2: Y(1), stroke: '#555555', width: 1.3, dash: [5, 4] });
  for (let i = 1; i < c.expected.length; i++) {
    shapes.push({ type: 'line', x1: X(c.expected[i - 1]!), y1: Y(c.observed[i - 1]!), x2: X(c.expected[i]!), y2: Y(c.observed[i]!), stroke: color, width: 1.8 });
  }
  const r = 3.5;
  for (let i = 0; i < c.expected.length; i++) {
    shapes.push({ type: 'rect', x: X(c.expected[i]!) - r, y: Y(c.observed[i]!) - r, w: 2 * r, h: 2 * r, fill: color, stroke: '#1d3f73', strokeWidth: 0.8 });
  }
  shapes.push({ type: 'rect', x: X(0), y: Y(1), w: size, h: size, stroke: INK, strokeWidth: 1.2 });
  shapes.push({ type: 'text', x: 18, y: Y(0.5), text: yLabel, size: FONT, anchor: 'middle', color: INK, rotate: -90 });
  shapes.push({ type: 'text', x: X(0.5), y: Y(0) + 38, text: xLabel, size: FONT, anchor: 'middle', color: INK });
  return { width, height, background: '#ffffff', shapes };
}
