/**
 * out/report.html: one self-contained page (images inlined as data: URIs, curves and diagrams as
 * inline SVG) with, per family, its samples, held-out likelihood, loss curve and calibration.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { lossCurveSvg } from './lossCurveSvg.js';
import type { FamilyReport, LikelihoodKind } from './types.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const KIND_TEXT: Record<LikelihoodKind, string> = {
  exact: 'exact',
  bound: 'bound: the true NLL is at most this',
  estimate: 'estimate',
};

function likelihoodTable(r: FamilyReport): string {
  if (r.likelihood.length === 0) return '<p>No held-out likelihood was measured.</p>';
  const rows = r.likelihood
    .map(
      (l) =>
        `<tr><td>${esc(l.label)}</td><td>${l.nats.toFixed(3)}${l.stderr !== undefined ? ` ± ${l.stderr.toFixed(3)}` : ''}</td>` +
        `<td>${l.bitsPerDim !== undefined ? l.bitsPerDim.toFixed(4) : '–'}</td><td class="kind-${l.kind}">${KIND_TEXT[l.kind]}</td><td>${esc(l.reference ?? '')}</td></tr>`,
    )
    .join('');
  return `<table><thead><tr><th>held-out NLL</th><th>nats</th><th>bits/dim</th><th>kind</th><th>read against</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function familySection(r: FamilyReport): string {
  const images = r.images
    .map((im) => {
      const data = readFileSync(im.path).toString('base64');
      return `<figure><img alt="${esc(im.caption)}" src="data:image/png;base64,${data}"><figcaption>${esc(im.caption)}</figcaption></figure>`;
    })
    .join('');
  const text = r.text?.length ? `<pre class="samples">${esc(r.text.join('\n'))}</pre>` : '';
  const calibration = r.calibration
    ? `<figure class="calibration">${r.calibration.svg.replace(/^<\?xml[^>]*>\s*/, '')}<figcaption>${esc(r.calibration.caption)} (${esc(r.calibration.metric ?? 'ECE')} ${r.calibration.ece.toFixed(4)})</figcaption></figure>`
    : '';
  return (
    `<section id="${esc(r.family)}"><h2>${esc(r.family)}</h2><p>${esc(r.title)}; trained for ${r.seconds.toFixed(0)} s.</p>` +
    `<h3>Held-out likelihood</h3>${likelihoodTable(r)}` +
    `<h3>Samples</h3><div class="images">${images}</div>${text}` +
    `<h3>Loss curve</h3>${lossCurveSvg(r.lossCurve)}${calibration ? `<h3>Calibration</h3>${calibration}` : ''}</section>`
  );
}

/** The report page as an HTML string. */
export function reportHtml(reports: FamilyReport[], meta: { generated: string; command: string }): string {
  const nav = reports.map((r) => `<a href="#${esc(r.family)}">${esc(r.family)}</a>`).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>likelihood report</title>
<style>
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left}
.images{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}img{image-rendering:pixelated;max-width:100%}
figcaption{font-size:.85em;color:#555}.samples{background:#f6f6f6;padding:.5em;white-space:pre-wrap}
.kind-exact{color:#1a7f37}.kind-bound{color:#9a6700}.kind-estimate{color:#0969da}
.calibration svg{max-width:420px;height:auto}
</style></head><body>
<h1>likelihood: one report across model families</h1>
<p>Every family is trained by maximising (a bound on) the likelihood of its data; each section states whether its
held-out figure is exact, a bound or an estimate. Generated ${esc(meta.generated)} by <code>${esc(meta.command)}</code>.</p>
<nav>${nav}</nav>
${reports.map(familySection).join('\n')}
</body></html>
`;
}

/** Writes the report atomically and returns its path. */
export function writeReport(path: string, reports: FamilyReport[], meta: { generated: string; command: string }): string {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, reportHtml(reports, meta));
  renameSync(tmp, path);
  return path;
}
