// Locating this workplace's shared data folder (../shared/data next to the repo checkout).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '@likelihood/core';

/** The nearest folder at or above `start` holding pnpm-workspace.yaml (the repo root), else null. */
export function findRepoRoot(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/**
 * The path of `../shared/data/<name>` relative to the repo root (found from this file, then from
 * the working directory), or null when it does not exist. For tests and benchmarks: data sets
 * such as 'mnist', 'fashion-mnist', 'tinyshakespeare', 'names', 'iris'.
 */
export function findSharedData(name: string): string | null {
  if (typeof name !== 'string' || name === '' || name.split(/[\\/]/).includes('..')) {
    throw new ArgumentError(`findSharedData: name must be a folder or file name under shared/data without '..', found '${String(name)}'`);
  }
  const here = dirname(fileURLToPath(import.meta.url));
  for (const start of [here, process.cwd()]) {
    const root = findRepoRoot(start);
    if (!root) continue;
    const p = join(root, '..', 'shared', 'data', name);
    if (existsSync(p)) return p;
  }
  return null;
}
