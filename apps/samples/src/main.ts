/**
 * likelihood samples: train and sample each model family from the command line.
 *
 *   tsx --conditions=source apps/samples/src/main.ts            # default run: every family's demo
 *   tsx --conditions=source apps/samples/src/main.ts gpt train names.txt --max-iters 2000
 *   tsx --conditions=source apps/samples/src/main.ts gpt sample --checkpoint out/gpt.safetensors --stop '\n'
 */
import { resolve } from 'node:path';
import { Command } from 'commander';
import { gptCommand } from './gpt/command.js';
import { gptDemo } from './gpt/demo.js';

const program = new Command()
  .name('likelihood-samples')
  .description('train and sample likelihood models; with no command, runs every family\'s demo')
  .option('--seconds <s>', 'training budget per family in the default run', (v) => Number(v), 90)
  .addCommand(gptCommand())
  .action((o: { seconds: number }) => {
    // The default run; later families add their demos here.
    gptDemo({ seconds: o.seconds, samples: 20, out: resolve(import.meta.dirname, '../out/gpt-names.safetensors') });
  });

program.parseAsync(process.argv.filter((a, i) => i < 2 || a !== '--')).catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
