/**
 * Every model family the CLI knows: its subcommand and its part of the default run.
 * A new family adds one entry here and a directory `src/<family>/` with `command.ts` and `demo.ts`.
 */
import type { Command } from 'commander';
import { flowCommand } from './flow/command.js';
import { flowDemo } from './flow/demo.js';
import { ebmCommand } from './ebm/command.js';
import { ebmDemo } from './ebm/demo.js';
import { diffusionCommand } from './diffusion/command.js';
import { gptCommand } from './gpt/command.js';
import { gptDemo } from './gpt/demo.js';
import { diffusionDemo } from './diffusion/demo.js';
import type { DemoOptions, FamilyReport } from './report/types.js';
import { vaeCommand } from './vae/command.js';
import { vaeDemo } from './vae/demo.js';

export interface Family {
  name: string;
  command: () => Command;
  demo: (o: DemoOptions) => Promise<FamilyReport> | FamilyReport;
}

export const FAMILIES: Family[] = [
  { name: 'gpt', command: gptCommand, demo: (o) => gptDemo({ ...o, samples: 20 }) },
  { name: 'vae', command: vaeCommand, demo: vaeDemo },
  { name: 'flow', command: flowCommand, demo: (o) => flowDemo(o) },
  { name: 'diffusion', command: diffusionCommand, demo: (o) => diffusionDemo(o) },
  { name: 'ebm', command: ebmCommand, demo: (o) => ebmDemo(o) },
];
