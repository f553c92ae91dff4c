import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { csvToTensor, parseCsv } from './csv.js';
import { findSharedData } from './shared.js';
import { loadCsv, loadText } from './text.js';

describe('parseCsv', () => {
  it('handles quotes, escaped quotes, delimiters and newlines inside quotes, CRLF, BOM, blank lines', () => {
    const t = parseCsv('\ufeffname,"x, y",z\r\n"a ""b""",1,2\r\n\r\n"multi\nline",3,""\n');
    expect(t.columns).toEqual(['name', 'x, y', 'z']);
    expect(t.rows).toEqual([
      ['a "b"', '1', '2'],
      ['multi\nline', '3', ''],
    ]);
  });

  it('supports other delimiters and no header', () => {
    const t = parseCsv('1;2\n3;4', { delimiter: ';', header: false });
    expect(t.columns).toEqual(['0', '1']);
    expect(csvToTensor(t).toArray()).toEqual([[1, 2], [3, 4]]);
  });

  it('numeric columns by name or index to float tensors', () => {
    const t = parseCsv('id,a,b\nx,1.5,-2e3\ny,nan,4\n');
    const m = csvToTensor(t, { columns: ['b', 1], dtype: 'float64' });
    expect(m.dtype).toBe('float64');
    expect(m.shape).toEqual([2, 2]);
    expect(m.storage[0]).toBe(-2000);
    expect(m.storage[1]).toBe(1.5);
    expect(Number.isNaN(m.storage[3])).toBe(true);
  });

  it('gives clear errors', () => {
    expect(() => parseCsv('a,b\n1,2,3\n')).toThrow(/every row must have 2 fields \(as the header\), found 3 in data row 0/);
    expect(() => parseCsv('a\n"open\n')).toThrow(/ends inside a quoted field/);
    expect(() => parseCsv('a\nb"c\n')).toThrow(/quote inside an unquoted field on line 2/);
    expect(() => parseCsv('a', { delimiter: '::' })).toThrow(/delimiter must be one character/);
    const t = parseCsv('id,a\nx,1\n');
    expect(() => csvToTensor(t)).toThrow(/column 'id' must be numeric, found "x" in data row 0/);
    expect(() => csvToTensor(t, { columns: ['c'] })).toThrow(/columns entry "c" is not a column/);
  });

  it('loadCsv and loadText read raw and gzip files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'csv-test-'));
    writeFileSync(join(dir, 'a.csv'), 'u,v\n1,2\n');
    writeFileSync(join(dir, 'a.csv.gz'), gzipSync('u,v\n1,2\n'));
    expect(loadCsv(join(dir, 'a.csv'))).toEqual(loadCsv(join(dir, 'a.csv.gz')));
    expect(loadText(join(dir, 'a.csv.gz'))).toBe('u,v\n1,2\n');
  });

  const iris = findSharedData('iris/iris.csv');
  it.skipIf(!iris)(`iris from ../shared/data: 150 × 5, class counts 50/50/50${iris ? '' : ' (SKIPPED: ../shared/data/iris is absent)'}`, () => {
    const x = csvToTensor(loadCsv(iris!));
    expect(x.shape).toEqual([150, 5]);
    const c = [0, 0, 0];
    for (let i = 0; i < 150; i++) c[x.storage[i * 5 + 4]!]!++;
    expect(c).toEqual([50, 50, 50]);
    expect(x.storage[0]).toBeCloseTo(5.1, 6);
  });

  const digits = findSharedData('digits/digits.csv.gz');
  it.skipIf(!digits)(`sklearn digits from ../shared/data (gzip, no header): 1797 × 65${digits ? '' : ' (SKIPPED: ../shared/data/digits is absent)'}`, () => {
    const x = csvToTensor(loadCsv(digits!, { header: false }));
    expect(x.shape).toEqual([1797, 65]);
    expect(x.amax().item()).toBe(16);
  });
});
