// Node-only entry: PNG encoding (pngjs uses node:zlib) and writing diagrams to files.
import { ArgumentError } from '@likelihood/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ReliabilityDiagram } from './diagram.js';
import { renderReliabilityPng } from './render/png.js';
import type { SceneOptions } from './render/scene.js';
import { renderReliabilitySvg } from './render/svg.js';

export { renderReliabilityPng, renderCoveragePng, rasteriseScene } from './render/png.js';

/** Writes a reliability diagram to `path`: SVG when it ends in .svg, PNG when it ends in .png. */
export function saveReliabilityDiagram(path: string, d: ReliabilityDiagram, opts: SceneOptions & { scale?: number } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  if (path.endsWith('.svg')) writeFileSync(path, renderReliabilitySvg(d, opts));
  else if (path.endsWith('.png')) writeFileSync(path, renderReliabilityPng(d, opts));
  else throw new ArgumentError(`saveReliabilityDiagram: path must end in .svg or .png, found '${path}'`);
}
