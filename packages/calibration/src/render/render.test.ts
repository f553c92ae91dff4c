import { Generator, multinomial, randn } from '@likelihood/core';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { reliabilityDiagram } from '../diagram.js';
import { ece, mce } from '../metrics.js';
import { renderReliabilityPng } from './png.js';
import { parseColor, parsePath } from './raster.js';
import { reliabilityScene } from './scene.js';
import { renderReliabilitySvg } from './svg.js';

const g = new Generator(4);
const z = randn([800, 5], { generator: g, dtype: 'float64' }).mul(1.5);
const y = multinomial(z.softmax(1), 1, { generator: g }).reshape([800]).to('int32');
const probs = z.mul(3).softmax(1);
const d = reliabilityDiagram(probs, y, { title: 'Test <model>' });

describe('reliability diagram', () => {
  it('data agree with the metrics', () => {
    expect(d.ece).toBe(ece(probs, y));
    expect(d.mce).toBe(mce(probs, y));
    expect(d.bins.reduce((a, b) => a + b.count, 0)).toBe(800);
  });
  it('SVG has one accuracy bar and one gap bar per non-empty bin and the ECE in the title', () => {
    const svg = renderReliabilitySvg(d);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain(`Test &lt;model&gt; · ECE = ${(100 * d.ece).toFixed(2)}%`);
    const nonEmpty = d.bins.filter((b) => b.count > 0).length;
    expect(svg.match(/fill="#3b6fb6"/g)!.length).toBe(nonEmpty + 1); // + legend swatch
    expect(svg.match(/fill="#d1342f" fill-opacity="0.35"/g)!.length).toBe(d.bins.filter((b) => b.count > 0 && Math.abs(b.gap) > 1e-9).length + 1);
  });
  it('PNG decodes at the scene size times the scale, with ink in the title and bar colours in the plot', () => {
    const scene = reliabilityScene(d);
    const png = PNG.sync.read(renderReliabilityPng(d, { scale: 1 }));
    expect([png.width, png.height]).toEqual([scene.width, scene.height]);
    const at = (x: number, yy: number) => Array.from(png.data.subarray((yy * png.width + x) * 4, (yy * png.width + x) * 4 + 3));
    let titleInk = 0;
    for (let yy = 10; yy < 32; yy++) for (let x = 0; x < png.width; x++) if (at(x, yy)[0]! < 128) titleInk++;
    expect(titleInk).toBeGreaterThan(100);
    // The middle of the highest-confidence bin's accuracy bar is the bar colour.
    const last = d.bins[d.bins.length - 1]!;
    const cx = Math.round(62 + ((last.lower + last.upper) / 2) * 320);
    const cy = Math.round(58 + (1 - last.accuracy / 2) * 320);
    expect(at(cx, cy)).toEqual(parseColor('#3b6fb6'));
  });
  it('flattens glyph paths into closed polygons', () => {
    const square = parsePath('M0 0H10V10H0Z');
    expect(square).toEqual([[0, 0, 10, 0, 10, 10, 0, 10]]);
    expect(parsePath('M0 0Q5 10 10 0Z')[0]!.length).toBe(2 + 16);
  });
});
