import { readFileSync } from 'node:fs';

/** Reads a committed JSON fixture (written by a script under the package's `fixtures/`). */
export function loadFixture<T = unknown>(url: URL | string): T {
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}
