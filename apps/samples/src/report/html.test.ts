import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imageGridPng, writePng } from '../images/png.js';
import { coverageFigure } from './coverage.js';
import { reportHtml, writeReport } from './html.js';
import { lossCurveSvg } from './lossCurveSvg.js';
import type { FamilyReport } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeReport(): FamilyReport {
  const png = writePng(join(dir, 'grid.png'), imageGridPng([0, 1, 1, 0], { count: 1, height: 2, width: 2 }));
  return {
    family: 'toy',
    title: 'a <toy> model',
    likelihood: [
      { label: 'test NLL', nats: 1.23456, bitsPerDim: 0.5, kind: 'exact', reference: 'entropy 1.2' },
      { label: 'AIS', nats: 90.5, kind: 'estimate', stderr: 0.25 },
    ],
    lossCurve: [
      { step: 1, loss: 3 },
      { step: 2, loss: 2, val: 2.5 },
    ],
    images: [{ caption: 'samples', path: png }],
    text: ['ann', 'bob*'],
    calibration: { caption: 'next token', svg: '<?xml version="1.0"?>\n<svg id="cal"></svg>', ece: 0.0123 },
    seconds: 12.3,
  };
}

describe('report.html', () => {
  it('inlines every image, states each figure and its kind, and escapes text', () => {
    const r = fakeReport();
    const html = reportHtml([r], { generated: 'now', command: 'likelihood-samples' });
    const b64 = readFileSync(r.images[0]!.path).toString('base64');
    expect(html).toContain(`src="data:image/png;base64,${b64}"`);
    expect(html).toContain('<td>1.235</td><td>0.5000</td><td class="kind-exact">exact</td><td>entropy 1.2</td>');
    expect(html).toContain('<td>90.500 ± 0.250</td><td>–</td><td class="kind-estimate">estimate</td>');
    expect(html).toContain('a &lt;toy&gt; model; trained for 12 s.');
    expect(html).toContain('<pre class="samples">ann\nbob*</pre>');
    expect(html).toContain('<svg id="cal"></svg><figcaption>next token (ECE 0.0123)</figcaption>');
    expect(html).not.toContain('<?xml');
    const path = writeReport(join(dir, 'out', 'report.html'), [r], { generated: 'now', command: 'x' });
    expect(readFileSync(path, 'utf8')).toContain('<section id="toy">');
  });

  it('draws the loss curve through every training point and marks held-out values', () => {
    const svg = lossCurveSvg([
      { step: 0, loss: 4 },
      { step: 5, loss: 3, val: 3.5 },
      { step: 10, loss: 2 },
    ]);
    expect(svg.match(/[ML][\d.]+,[\d.]+/g)).toHaveLength(3);
    expect(svg.match(/<circle/g)).toHaveLength(1);
    expect(lossCurveSvg([])).toContain('no loss recorded');
  });

  it('a coverage curve becomes a calibration figure named by its own error, not ECE', () => {
    const fig = coverageFigure({ expected: [0.25, 0.5], observed: [0.5, 0.5], calibrationError: 0.125, n: 8 }, { caption: 'held-out <pts>', title: 'HDR' });
    expect(fig.ece).toBe(0.125);
    expect(fig.svg).toContain('HDR · error = 12.50%');
    const html = reportHtml([{ ...fakeReport(), calibration: fig }], { generated: 'now', command: 'x' });
    expect(html).toContain('<figcaption>held-out &lt;pts&gt; (mean |observed − nominal| coverage error 0.1250)</figcaption>');
  });
});
