import { PNG } from 'pngjs';
import type { CoverageCurve } from '../coverage.js';
import type { ReliabilityDiagram } from '../diagram.js';
import { type CoverageSceneOptions, coverageScene } from './coverageScene.js';
import { Raster } from './raster.js';
import { type Scene, type SceneOptions, reliabilityScene } from './scene.js';

/** Rasterises a scene at `scale` device pixels per unit into RGBA pixels. */
export function rasteriseScene(scene: Scene, scale = 3): Raster {
  const r = new Raster(Math.round(scene.width * scale), Math.round(scene.height * scale), scene.background);
  for (const s of scene.shapes) {
    if (s.type === 'rect') {
      const [x, y, w, h] = [s.x * scale, s.y * scale, s.w * scale, s.h * scale];
      if (s.fill) r.fill([[x, y, x + w, y, x + w, y + h, x, y + h]], s.fill, s.fillOpacity ?? 1);
      if (s.stroke) r.strokeRect(x, y, w, h, s.stroke, (s.strokeWidth ?? 1) * scale);
    } else if (s.type === 'line') {
      r.line(s.x1 * scale, s.y1 * scale, s.x2 * scale, s.y2 * scale, s.stroke, s.width * scale, s.dash?.map((d) => d * scale));
    } else {
      r.text(s.text, s.x * scale, s.y * scale, s.size * scale, s.color, s.anchor, s.rotate ?? 0);
    }
  }
  return r;
}

/** A reliability diagram as PNG bytes; `scale` 3 gives ~1200 × 1700 pixels, print quality at 3.5 inches wide. */
export function renderReliabilityPng(d: ReliabilityDiagram, opts: SceneOptions & { scale?: number } = {}): Buffer {
  return encodePng(rasteriseScene(reliabilityScene(d, opts), opts.scale ?? 3));
}

/** A coverage curve as PNG bytes (`scale` 3 by default, as the reliability diagram). */
export function renderCoveragePng(c: CoverageCurve, opts: CoverageSceneOptions & { scale?: number } = {}): Buffer {
  return encodePng(rasteriseScene(coverageScene(c, opts), opts.scale ?? 3));
}

function encodePng(r: Raster): Buffer {
  const png = new PNG({ width: r.width, height: r.height });
  png.data = Buffer.from(r.pixels.buffer, r.pixels.byteOffset, r.pixels.byteLength);
  return PNG.sync.write(png);
}
