/**
 * Every model family the CLI knows: its subcommand and its part of the default run.
 * A new family adds one entry here and a directory `src/<family>/` with `command.ts` and `demo.ts`.
 */
import type { Command } from 'commander';
import { diffusionCommand } from './diffusion/command.js';
import { gptCommand } from './gpt/command.js';
import { gptDemo } from './gpt/demo.js';
import { diffusionDemo } from './diffusion/demo.js';
import type { DemoOptions, FamilyReport } from './report/types.js';

export interface Family {
  name: string;
  command: () => Command;
  demo: (o: DemoOptions) => Promise<FamilyReport> | FamilyReport;
}

export const FAMILIES: Family[] = [
  { name: 'gpt', command: gptCommand, demo: (o) => gptDemo({ ...o, samples: 20 }) },
  { name: 'diffusion', command: diffusionCommand, demo: (o) => diffusionDemo(o) },
];
