/** One row of a suite's table: our value and each peer's (a number, or why it is missing). */
export interface PeerRow {
  case: string;
  unit: string;
  results: Record<string, number | string | undefined>;
}

/**
 * Prints a markdown table of `rows` with a column per peer and a ratio column per peer:
 * likelihood / peer, or peer / likelihood for rows where `higherIsBetter(unit)` (throughputs), so
 * every ratio reads as "times the peer's time".
 */
export function printPeerTable(rows: PeerRow[], peers: string[], opts: { ratioLabel?: string; higherIsBetter?: (unit: string) => boolean } = {}): void {
  const { ratioLabel = '', higherIsBetter = () => false } = opts;
  const header = ['case', 'unit', 'likelihood', ...peers, ...peers.map((p) => `likelihood / ${p}${ratioLabel}`)];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  const fmt = (v: number | string | undefined) => (v === undefined ? '–' : typeof v === 'number' ? v.toFixed(2) : v);
  for (const r of rows) {
    const a = r.results.likelihood as number;
    const ratios = peers.map((p) => {
      const b = r.results[p];
      return typeof b === 'number' ? `${(higherIsBetter(r.unit) ? b / a : a / b).toFixed(2)}×` : '–';
    });
    console.log(`| ${[r.case, r.unit, fmt(a), ...peers.map((p) => fmt(r.results[p])), ...ratios].join(' | ')} |`);
  }
}
