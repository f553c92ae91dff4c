/**
 * Every TypeScript example in the docs and READMEs runs: each ```ts block is written to a file in
 * this directory (so `@likelihood/*` imports resolve to the workspace sources) and executed with tsx.
 * A block that is deliberately a fragment says so on its first line: `// fragment: <why>`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const sources = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(root, 'docs', f)),
  ...readdirSync(join(root, 'packages')).map((p) => join(root, 'packages', p, 'README.md')),
  ...readdirSync(join(root, 'apps')).map((p) => join(root, 'apps', p, 'README.md')),
].filter((f) => {
  try {
    readFileSync(f);
    return true;
  } catch {
    return false;
  }
});

interface Example {
  file: string;
  line: number;
  code: string;
}

function examples(file: string): Example[] {
  const out: Example[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && !lines[j]!.startsWith('```')) j++;
    out.push({ file, line: start + 1, code: lines.slice(start, j).join('\n') });
    i = j;
  }
  return out;
}

const all = sources.flatMap(examples);
const tsx = join(root, 'node_modules', '.bin', 'tsx');

describe('documentation examples run', () => {
  it('finds the examples', () => {
    expect(all.length).toBeGreaterThanOrEqual(15);
  });
  for (const ex of all) {
    const name = `${relative(root, ex.file)}:${ex.line}`;
    const fragment = /^\s*\/\/ fragment:/.test(ex.code);
    it.skipIf(fragment)(name, () => {
      const path = join(import.meta.dirname, `.example-${relative(root, ex.file).replace(/[^\w]+/g, '-')}-${ex.line}.ts`);
      writeFileSync(path, ex.code);
      // Examples run "from the repo root": they read repo paths such as packages/gpt/fixtures, and
      // the files they write (checkpoints, diagrams) land in a scratch directory that links to them.
      const cwd = mkdtempSync(join(tmpdir(), 'docs-example-'));
      for (const dir of ['packages', 'apps', 'docs']) symlinkSync(join(root, dir), join(cwd, dir));
      try {
        execFileSync(tsx, ['--conditions=source', path], { cwd, stdio: 'pipe', timeout: 120_000 });
      } catch (e) {
        const err = e as { stderr?: Buffer; stdout?: Buffer };
        throw new Error(`${name} failed:\n${err.stderr?.toString() ?? ''}${err.stdout?.toString().slice(-2000) ?? ''}`);
      } finally {
        rmSync(path, { force: true });
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});
