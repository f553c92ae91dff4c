import type { CoverageCurve } from '../coverage.js';
import type { ReliabilityDiagram } from '../diagram.js';
import { type CoverageSceneOptions, coverageScene } from './coverageScene.js';
import { type Scene, type SceneOptions, reliabilityScene } from './scene.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const n = (v: number) => Number(v.toFixed(2)).toString();

/** Serialises a scene to a standalone SVG document. */
export function sceneToSvg(scene: Scene): string {
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${scene.width}" height="${scene.height}" viewBox="0 0 ${scene.width} ${scene.height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="${scene.background}"/>`,
  ];
  for (const s of scene.shapes) {
    if (s.type === 'rect') {
      const fill = s.fill ? `fill="${s.fill}"${s.fillOpacity !== undefined ? ` fill-opacity="${s.fillOpacity}"` : ''}` : 'fill="none"';
      const stroke = s.stroke ? ` stroke="${s.stroke}" stroke-width="${s.strokeWidth ?? 1}"` : '';
      out.push(`<rect x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" ${fill}${stroke}/>`);
    } else if (s.type === 'line') {
      const dash = s.dash ? ` stroke-dasharray="${s.dash.join(' ')}"` : '';
      out.push(`<line x1="${n(s.x1)}" y1="${n(s.y1)}" x2="${n(s.x2)}" y2="${n(s.y2)}" stroke="${s.stroke}" stroke-width="${s.width}"${dash}/>`);
    } else {
      const anchor = s.anchor === 'start' ? '' : ` text-anchor="${s.anchor}"`;
      const rot = s.rotate ? ` transform="rotate(${s.rotate} ${n(s.x)} ${n(s.y)})"` : '';
      out.push(`<text x="${n(s.x)}" y="${n(s.y)}" font-size="${s.size}" fill="${s.color}"${anchor}${rot}>${esc(s.text)}</text>`);
    }
  }
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** A reliability diagram as an SVG document (vector: scales to any size in a paper). */
export function renderReliabilitySvg(d: ReliabilityDiagram, opts: SceneOptions = {}): string {
  return sceneToSvg(reliabilityScene(d, opts));
}

/** A coverage curve (highestDensityCoverage, sampleQuantileCoverage) as an SVG document. */
export function renderCoverageSvg(c: CoverageCurve, opts: CoverageSceneOptions = {}): string {
  return sceneToSvg(coverageScene(c, opts));
}
