import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { heatmapPng, imageGridPng, scatterPng } from './png.js';

const pixel = (png: PNG, x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));

describe('PNG pictures', () => {
  it('lays out images in a grid with padding and scaling', () => {
    // two 2×2 images: all black, and all white
    const buf = imageGridPng([0, 0, 0, 0, 1, 1, 1, 1], { count: 2, height: 2, width: 2, cols: 2, pad: 1, scale: 2 });
    const png = PNG.sync.read(buf);
    expect([png.width, png.height]).toEqual([2 * (4 + 1) + 1, 4 + 2]);
    expect(pixel(png, 0, 0)).toEqual([40, 40, 40, 255]); // padding
    expect(pixel(png, 1, 1)).toEqual([0, 0, 0, 255]); // first image
    expect(pixel(png, 6, 4)).toEqual([255, 255, 255, 255]); // second image
    expect(() => imageGridPng([0], { count: 2, height: 2, width: 2 })).toThrow(/expected count·height·width = 2·2·2 = 8/);
  });

  it('maps a heatmap min to dark purple and max to yellow, row 0 at the bottom', () => {
    const png = PNG.sync.read(heatmapPng([0, 1, 2, 3], { rows: 2, cols: 2, scale: 1 }));
    expect(pixel(png, 0, 1)).toEqual([68, 1, 84, 255]); // value 0: bottom left
    expect(pixel(png, 1, 0)).toEqual([253, 231, 37, 255]); // value 3: top right
  });

  it('draws scatter points where they fall and drops points outside the range', () => {
    const png = PNG.sync.read(scatterPng([{ points: [0, 0, 5, 5], color: [255, 0, 0], radius: 0 }], { range: [-1, 1], size: 11 }));
    expect(pixel(png, 5, 5)).toEqual([255, 0, 0, 255]);
    expect(pixel(png, 0, 0)).toEqual([255, 255, 255, 255]);
  });
});
