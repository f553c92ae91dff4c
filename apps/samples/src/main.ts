/**
 * likelihood samples: train and sample each model family from the command line.
 *
 *   tsx --conditions=source apps/samples/src/main.ts            # default run: every family's demo
 *   tsx --conditions=source apps/samples/src/main.ts gpt train names.txt --max-iters 2000
 *   tsx --conditions=source apps/samples/src/main.ts gpt sample --checkpoint out/gpt.safetensors --stop '\n'
 */
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { FAMILIES } from './families.js';
import { writeReport } from './report/html.js';
import { printSummary } from './report/summary.js';
import type { FamilyReport } from './report/types.js';

// Fused multiply-add kernels (5–10 % off a GPT step, docs/benchmarks.md) also on Node 20, where V8 has relaxed SIMD
// behind a flag; core reads this on its first kernel call. LIKELIHOOD_RELAXED_SIMD=0 opts out.
process.env.LIKELIHOOD_RELAXED_SIMD ??= '1';

const program = new Command()
  .name('likelihood-samples')
  .description("train and sample likelihood models; with no command, runs every family's demo")
  .option('--seconds <s>', 'training budget per family in the default run', (v) => Number(v), 75)
  .option('--only <families>', 'comma-separated families for the default run', FAMILIES.map((f) => f.name).join(','))
  .option('--out-dir <dir>', 'checkpoints, images and the report', resolve(import.meta.dirname, '../out'))
  .option('--full', "benchmark scale: each family's issue-target configuration (hours, not minutes)");
for (const f of FAMILIES) program.addCommand(f.command());
program.action(async (o: { seconds: number; only: string; outDir: string; full?: boolean }) => {
  const wanted = new Set(o.only.split(','));
  const unknown = [...wanted].filter((w) => !FAMILIES.some((f) => f.name === w));
  if (unknown.length > 0) throw new Error(`--only: unknown families ${unknown.join(', ')}; expected some of ${FAMILIES.map((f) => f.name).join(', ')}`);
  const reports: FamilyReport[] = [];
  for (const f of FAMILIES) {
    if (wanted.has(f.name)) reports.push(await f.demo({ seconds: o.full && program.getOptionValueSource('seconds') === 'default' ? 1800 : o.seconds, outDir: o.outDir, full: !!o.full }));
  }
  printSummary(reports);
  const page = writeReport(join(o.outDir, 'report.html'), reports, {
    generated: new Date().toISOString(),
    command: `likelihood-samples ${process.argv.slice(2).join(' ')}`.trim(),
  });
  console.log(`\nreport: ${page}`);
});

program.parseAsync(process.argv.filter((a, i) => i < 2 || a !== '--')).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
