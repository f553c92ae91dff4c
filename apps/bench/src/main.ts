/**
 * Benchmarks: our backends side by side with peers, all measured in one run.
 *
 *   npx -y pnpm@10.34.8 --filter @likelihood/bench bench -- --suite core [--quick] [--json out.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { ours } from './ours.js';
import { type Peer, loadTfjs } from './peers.js';
import { machineInfo } from './machine.js';
import { SUITES } from './suites.js';
import { timeMedian } from './timing.js';

interface Row {
  case: string;
  unit: string;
  results: Record<string, number>;
}

const program = new Command()
  .name('bench')
  .option('--suite <name>', `which suite to run (${SUITES.map((x) => x.name).join(', ')})`, 'core')
  .option('--quick', 'fewer sizes and shorter timing budgets')
  .option('--json <path>', 'where to write the JSON results', resolve(import.meta.dirname, '../results/core.json'))
  .option('--peers <list>', 'comma-separated peers to include: tfjs-cpu,tfjs-wasm', 'tfjs-cpu,tfjs-wasm');
program.parse(process.argv.filter((a, i) => i < 2 || a !== '--'));
const opts = program.opts<{ suite: string; quick?: boolean; json: string; peers: string }>();

async function main() {
  const suite = SUITES.find((x) => x.name === opts.suite);
  if (!suite) throw new Error(`--suite: unknown suite '${opts.suite}'; expected one of ${SUITES.map((x) => x.name).join(', ')}`);
  if (suite.name !== 'core') {
    const json = opts.json.endsWith('core.json') ? resolve(import.meta.dirname, `../results/${suite.name}.json`) : opts.json;
    return suite.run({ quick: !!opts.quick, json });
  }
  const machine = machineInfo();
  const wanted = new Set(opts.peers.split(',').filter(Boolean));
  const budget = opts.quick ? 150 : 500;
  const rows: Row[] = [];
  // Each peer gets the whole suite in turn (tfjs has one global backend at a time).
  const makers: Array<() => Promise<Peer | null>> = [async () => ours('ts'), async () => ours('auto')];
  if (wanted.has('tfjs-cpu')) makers.push(() => loadTfjs('cpu'));
  if (wanted.has('tfjs-wasm')) makers.push(() => loadTfjs('wasm'));

  const sizes = opts.quick ? [64, 512] : [64, 128, 256, 512, 1024];
  const cases: Array<{ name: string; unit: string; run: (p: Peer) => number }> = [];
  for (const n of sizes) {
    cases.push({ name: `matmul ${n}³`, unit: 'GFLOP/s', run: (p) => (2 * n * n * n) / timeMedian(p.matmul(1, n, n, n), { budgetMs: budget }) / 1e6 });
  }
  const gpt: Array<[string, number, number, number, number]> = [
    ['matmul 768×128·128×384', 1, 768, 128, 384],
    ['matmul 768×128·128×512', 1, 768, 128, 512],
    ['matmul 768×512·512×128', 1, 768, 512, 128],
    ['bmm 48×(64×32·32×64)', 48, 64, 32, 64],
  ];
  for (const [name, b, m, k, n] of gpt) {
    cases.push({ name, unit: 'GFLOP/s', run: (p) => (2 * b * m * k * n) / timeMedian(p.matmul(b, m, k, n), { budgetMs: budget }) / 1e6 });
  }
  const N = 1 << 20;
  for (const op of ['add', 'mul', 'exp'] as const) {
    cases.push({ name: `${op} 1M float32`, unit: 'Melem/s', run: (p) => N / timeMedian(p.unary(op, N), { budgetMs: budget }) / 1e3 });
  }
  cases.push({ name: 'softmax [512, 1024] last dim', unit: 'Melem/s', run: (p) => (512 * 1024) / timeMedian(p.softmax(512, 1024), { budgetMs: budget }) / 1e3 });

  for (const c of cases) rows.push({ case: c.name, unit: c.unit, results: {} });
  const names: string[] = [];
  for (const make of makers) {
    const peer = await make();
    if (!peer) continue;
    names.push(peer.name);
    cases.forEach((c, i) => {
      rows[i]!.results[peer.name] = c.run(peer);
      process.stderr.write(`  ${peer.name.padEnd(12)} ${c.name.padEnd(32)} ${rows[i]!.results[peer.name]!.toFixed(2)} ${c.unit}\n`);
    });
    peer.dispose();
  }

  console.log(`\nsuite core — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  const ratios: Array<[string, string]> = [['ours-ts', 'tfjs-cpu'], ['ours-wasm', 'tfjs-wasm']].filter(
    ([a, b]) => names.includes(a!) && names.includes(b!),
  ) as Array<[string, string]>;
  const header = ['case', 'unit', ...names, ...ratios.map(([a, b]) => `${a} / ${b}`)];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const r of rows) {
    const cells = names.map((n) => (r.results[n] !== undefined ? r.results[n]!.toFixed(2) : '–'));
    const ratio = ratios.map(([a, b]) => `${(r.results[a]! / r.results[b]!).toFixed(2)}×`);
    console.log(`| ${[r.case, r.unit, ...cells, ...ratio].join(' | ')} |`);
  }
  mkdirSync(dirname(opts.json), { recursive: true });
  writeFileSync(opts.json, `${JSON.stringify({ suite: 'core', machine, rows }, null, 2)}\n`);
  console.log(`\nwrote ${opts.json}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
