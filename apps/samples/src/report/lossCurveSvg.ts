import type { LossPoint } from './types.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A loss curve as a small inline SVG: the training loss (thin, grey) and held-out values (dots, blue). */
export function lossCurveSvg(points: LossPoint[], opts: { width?: number; height?: number; label?: string } = {}): string {
  const W = opts.width ?? 480;
  const H = opts.height ?? 240;
  const m = { l: 56, r: 12, t: 12, b: 36 };
  const finite = points.filter((p) => Number.isFinite(p.loss));
  if (finite.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><text x="8" y="20">no loss recorded</text></svg>`;
  const values = finite.flatMap((p) => (p.val !== undefined && Number.isFinite(p.val) ? [p.loss, p.val] : [p.loss]));
  // Robust y-range: the first steps of training are often far above the rest; clip to the 2nd–100th percentile.
  const sorted = [...values].sort((a, b) => a - b);
  const lo = sorted[0]!;
  const hi = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.98))]!;
  const span = hi > lo ? hi - lo : 1;
  const s0 = finite[0]!.step;
  const s1 = Math.max(s0 + 1, finite[finite.length - 1]!.step);
  const x = (s: number) => m.l + ((s - s0) / (s1 - s0)) * (W - m.l - m.r);
  const y = (v: number) => m.t + (1 - (Math.min(v, hi) - lo) / span) * (H - m.t - m.b);
  const path = finite.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.step).toFixed(1)},${y(p.loss).toFixed(1)}`).join('');
  const dots = finite
    .filter((p) => p.val !== undefined && Number.isFinite(p.val))
    .map((p) => `<circle cx="${x(p.step).toFixed(1)}" cy="${y(p.val!).toFixed(1)}" r="3" fill="#1f77b4"/>`)
    .join('');
  const ticks = [lo, lo + span / 2, hi]
    .map((v) => `<text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${v.toPrecision(4)}</text>`)
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">` +
    `<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#ccc"/>` +
    `<path d="${path}" fill="none" stroke="#888" stroke-width="1"/>${dots}${ticks}` +
    `<text x="${m.l}" y="${H - 8}" font-size="11">step ${s0}</text><text x="${W - m.r}" y="${H - 8}" font-size="11" text-anchor="end">${s1}</text>` +
    `<text x="${(W + m.l) / 2}" y="${H - 8}" font-size="11" text-anchor="middle">${esc(opts.label ?? 'training loss (grey), held-out (blue)')}</text>` +
    '</svg>'
  );
}
