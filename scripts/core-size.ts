/** Prints the size of @likelihood/core (non-test source lines per folder) and its primitive count. */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../packages/core/src/', import.meta.url).pathname;
const perDir = new Map<string, number>();
let total = 0;
const walk = (dir: string) => {
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p);
    else if (f.endsWith('.ts') && !f.endsWith('.test.ts')) {
      const n = readFileSync(p, 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('//')).length;
      const d = relative(root, dir) || '.';
      perDir.set(d, (perDir.get(d) ?? 0) + n);
      total += n;
    }
  }
};
walk(root);
const prims = readFileSync(join(root, 'primitives.ts'), 'utf8').match(/^\s{2}[A-Z]\w*:/gm)?.length ?? 0;
for (const [d, n] of [...perDir].sort()) console.log(`${d.padEnd(28)} ${String(n).padStart(6)}`);
console.log(`${'total'.padEnd(28)} ${String(total).padStart(6)} lines (non-blank, non-comment)`);
console.log(`primitives: ${prims}`);
