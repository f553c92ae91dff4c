// Test helper, not part of the package (tsconfig.build.json leaves src/testing out): runs an ES
// module script in a fresh Node process (tsx, from the repository root, so it can import
// './packages/core/src/index.ts') and returns the JSON object it printed.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

/** Runs `script` with Node flags `flags` (default `--expose-gc`) and extra `env`; expects a clean exit and no stderr. */
export function runNodeScript(script: string, flags: string[] = ['--expose-gc'], env: Record<string, string> = {}): Record<string, unknown> {
  const r = spawnSync(process.execPath, [...flags, '--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LIKELIHOOD_RESIDENT_MB: '', ...env },
  });
  expect(r.error, String(r.error)).toBeUndefined();
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
