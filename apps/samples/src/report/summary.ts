import type { FamilyReport } from './types.js';

const KIND_NOTE = { exact: 'exact', bound: 'bound (≥ true NLL)', estimate: 'estimate' } as const;

/** The default run's final table: one row per held-out likelihood figure. */
export function printSummary(reports: FamilyReport[]): void {
  const rows = reports.flatMap((r) =>
    r.likelihood.map((l) => [
      r.family,
      l.label,
      l.nats.toFixed(3) + (l.stderr !== undefined ? ` ± ${l.stderr.toFixed(3)}` : ''),
      l.bitsPerDim?.toFixed(4) ?? '–',
      KIND_NOTE[l.kind],
      `${r.seconds.toFixed(0)} s`,
    ]),
  );
  const header = ['family', 'held-out NLL', 'nats', 'bits/dim', 'kind', 'train time'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  for (const row of rows) console.log(line(row));
}
