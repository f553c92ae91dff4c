// A small anti-aliased rasteriser: fills polygons with the non-zero rule, exact coverage across
// each scanline and 16 sub-scanlines down it. Enough for crisp plots and text, and pure TypeScript.
import { ASCENT, GLYPHS, UNITS_PER_EM } from './font-data.js';
import { ArgumentError } from '@likelihood/core';

/** A closed polygon as [x0, y0, x1, y1, …] in device pixels. */
export type Contour = number[];

const SUB = 16;

export class Raster {
  readonly width: number;
  readonly height: number;
  /** RGBA, 0–255. */
  readonly pixels: Uint8Array;
  private readonly cover: Float64Array;

  constructor(width: number, height: number, background: string) {
    this.width = width;
    this.height = height;
    this.pixels = new Uint8Array(width * height * 4);
    this.cover = new Float64Array(width + 2);
    const [r, g, b] = parseColor(background);
    for (let i = 0; i < width * height; i++) {
      this.pixels[i * 4] = r;
      this.pixels[i * 4 + 1] = g;
      this.pixels[i * 4 + 2] = b;
      this.pixels[i * 4 + 3] = 255;
    }
  }

  /** Fills the union of `contours` (non-zero winding) with `color` at `opacity`. */
  fill(contours: readonly Contour[], color: string, opacity = 1): void {
    let minY = Infinity;
    let maxY = -Infinity;
    for (const c of contours) for (let i = 1; i < c.length; i += 2) {
      minY = Math.min(minY, c[i]!);
      maxY = Math.max(maxY, c[i]!);
    }
    if (!(maxY > minY)) return;
    const [r, g, b] = parseColor(color);
    const y0 = Math.max(0, Math.floor(minY));
    const y1 = Math.min(this.height - 1, Math.ceil(maxY));
    const crossings: Array<[number, number]> = [];
    for (let py = y0; py <= y1; py++) {
      this.cover.fill(0);
      let lo = this.width;
      let hi = -1;
      for (let s = 0; s < SUB; s++) {
        const sy = py + (s + 0.5) / SUB;
        crossings.length = 0;
        for (const c of contours) {
          const m = c.length / 2;
          for (let i = 0; i < m; i++) {
            const ax = c[2 * i]!;
            const ay = c[2 * i + 1]!;
            const j = (i + 1) % m;
            const bx = c[2 * j]!;
            const by = c[2 * j + 1]!;
            if (ay === by) continue;
            const up = ay < by;
            if (up ? sy >= ay && sy < by : sy >= by && sy < ay) {
              crossings.push([ax + ((sy - ay) / (by - ay)) * (bx - ax), up ? 1 : -1]);
            }
          }
        }
        crossings.sort((p, q) => p[0] - q[0]);
        let wind = 0;
        for (let k = 0; k < crossings.length - 1; k++) {
          wind += crossings[k]![1];
          if (wind === 0) continue;
          const xa = Math.max(0, crossings[k]![0]);
          const xb = Math.min(this.width, crossings[k + 1]![0]);
          if (xb <= xa) continue;
          const ia = Math.floor(xa);
          const ib = Math.floor(xb);
          lo = Math.min(lo, ia);
          hi = Math.max(hi, ib);
          if (ia === ib) this.cover[ia]! += xb - xa;
          else {
            this.cover[ia]! += ia + 1 - xa;
            for (let x = ia + 1; x < ib; x++) this.cover[x]! += 1;
            this.cover[ib]! += xb - ib;
          }
        }
      }
      for (let x = Math.max(0, lo); x <= Math.min(this.width - 1, hi); x++) {
        const a = Math.min(1, this.cover[x]! / SUB) * opacity;
        if (a <= 0) continue;
        const o = (py * this.width + x) * 4;
        this.pixels[o] = Math.round(this.pixels[o]! * (1 - a) + r * a);
        this.pixels[o + 1] = Math.round(this.pixels[o + 1]! * (1 - a) + g * a);
        this.pixels[o + 2] = Math.round(this.pixels[o + 2]! * (1 - a) + b * a);
      }
    }
  }

  /** A straight stroke of `width` with butt ends, optionally dashed (on, off, on, … lengths). */
  line(x1: number, y1: number, x2: number, y2: number, color: string, width: number, dash?: readonly number[]): void {
    const len = Math.hypot(x2 - x1, y2 - y1);
    if (len === 0) return;
    const ux = (x2 - x1) / len;
    const uy = (y2 - y1) / len;
    const seg = (t0: number, t1: number): Contour => {
      const nx = (-uy * width) / 2;
      const ny = (ux * width) / 2;
      const ax = x1 + ux * t0;
      const ay = y1 + uy * t0;
      const bx = x1 + ux * t1;
      const by = y1 + uy * t1;
      return [ax + nx, ay + ny, bx + nx, by + ny, bx - nx, by - ny, ax - nx, ay - ny];
    };
    if (!dash || dash.length === 0) {
      this.fill([seg(0, len)], color);
      return;
    }
    const parts: Contour[] = [];
    let t = 0;
    for (let k = 0; t < len; k++) {
      const d = dash[k % dash.length]!;
      if (k % 2 === 0) parts.push(seg(t, Math.min(len, t + d)));
      t += d;
    }
    this.fill(parts, color);
  }

  /** The outline of a rectangle, drawn inside-out so its corners are square. */
  strokeRect(x: number, y: number, w: number, h: number, color: string, width: number): void {
    const o = width / 2;
    const outer = [x - o, y - o, x + w + o, y - o, x + w + o, y + h + o, x - o, y + h + o];
    const inner = [x + o, y + o, x + o, y + h - o, x + w - o, y + h - o, x + w - o, y + o]; // opposite winding: a hole
    this.fill(w > width && h > width ? [outer, inner] : [outer], color);
  }

  /** Text in DejaVu Sans at `size` pixels, baseline at y, anchored at x, rotated by `rotate` degrees. */
  text(str: string, x: number, y: number, size: number, color: string, anchor: 'start' | 'middle' | 'end' = 'start', rotate = 0): void {
    const k = size / UNITS_PER_EM;
    const glyphs = [...str].map((ch) => GLYPHS[ch] ?? GLYPHS['?']!);
    const advance = glyphs.reduce((a, g) => a + g[0] * k, 0);
    let pen = anchor === 'start' ? 0 : anchor === 'middle' ? -advance / 2 : -advance;
    const cos = Math.cos((rotate * Math.PI) / 180);
    const sin = Math.sin((rotate * Math.PI) / 180);
    const contours: Contour[] = [];
    for (const [adv, path] of glyphs) {
      const ox = pen;
      for (const c of parsePath(path)) {
        const out: Contour = [];
        for (let i = 0; i < c.length; i += 2) {
          const u = ox + c[i]! * k;
          const v = -c[i + 1]! * k; // font units point up, pixels down
          out.push(x + u * cos - v * sin, y + u * sin + v * cos);
        }
        contours.push(out);
      }
      pen += adv * k;
    }
    this.fill(contours, color);
  }
}

/** Height above the baseline of capital letters, as a fraction of the font size (for centring). */
export const ASCENT_RATIO = ASCENT / UNITS_PER_EM;

const pathCache = new Map<string, Contour[]>();

/** Flattens an SVG path of M/L/H/V/Q/Z commands into polygons (quadratic curves in 8 pieces). */
export function parsePath(path: string): Contour[] {
  const hit = pathCache.get(path);
  if (hit) return hit;
  const tokens = path.match(/[MLHVQZ]|-?\d*\.?\d+/gi) ?? [];
  const contours: Contour[] = [];
  let cur: Contour = [];
  let x = 0;
  let y = 0;
  let cmd = '';
  let i = 0;
  const num = () => Number(tokens[i++]);
  while (i < tokens.length) {
    if (/[A-Z]/i.test(tokens[i]!)) cmd = tokens[i++]!.toUpperCase();
    switch (cmd) {
      case 'M':
        if (cur.length) contours.push(cur);
        x = num();
        y = num();
        cur = [x, y];
        cmd = 'L';
        break;
      case 'L':
        x = num();
        y = num();
        cur.push(x, y);
        break;
      case 'H':
        x = num();
        cur.push(x, y);
        break;
      case 'V':
        y = num();
        cur.push(x, y);
        break;
      case 'Q': {
        const cx = num();
        const cy = num();
        const ex = num();
        const ey = num();
        for (let s = 1; s <= 8; s++) {
          const t = s / 8;
          const a = (1 - t) * (1 - t);
          const b = 2 * (1 - t) * t;
          const c = t * t;
          cur.push(a * x + b * cx + c * ex, a * y + b * cy + c * ey);
        }
        x = ex;
        y = ey;
        break;
      }
      case 'Z':
        if (cur.length) contours.push(cur);
        cur = [];
        break;
      default:
        i++;
    }
  }
  if (cur.length) contours.push(cur);
  pathCache.set(path, contours);
  return contours;
}

/** '#rrggbb' → [r, g, b]. */
export function parseColor(c: string): [number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(c);
  if (!m) throw new ArgumentError(`raster: colour must be '#rrggbb', found '${c}'`);
  const v = Number.parseInt(m[1]!, 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
