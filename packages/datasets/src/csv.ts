// A small RFC 4180 CSV parser (quoted fields, "" escapes, CRLF, newlines inside quotes) and
// numeric columns → tensor. Pure: no node imports. `loadCsv` (Node) is in text.ts.
import { ArgumentError, type FloatDType, Tensor } from '@likelihood/core';

export interface CsvOptions {
  /** Field separator, one character. Default ','. */
  delimiter?: string;
  /** Whether the first row names the columns. Default true. */
  header?: boolean;
}

export interface CsvTable {
  /** Column names (from the header row, else '0', '1', ...). */
  columns: string[];
  /** The data rows as strings; every row has columns.length fields. */
  rows: string[][];
}

/** Parses CSV text into rows of string fields. Blank lines are skipped; ragged rows throw. */
export function parseCsv(text: string, opts: CsvOptions = {}): CsvTable {
  const delim = opts.delimiter ?? ',';
  if (typeof delim !== 'string' || delim.length !== 1 || delim === '"' || delim === '\n' || delim === '\r') {
    throw new ArgumentError(`parseCsv: delimiter must be one character other than a quote or newline, found ${JSON.stringify(delim)}`);
  }
  if (typeof text !== 'string') throw new ArgumentError(`parseCsv: text must be a string, found ${typeof text}`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // BOM
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false; // inside quotes
  let wasQuoted = false; // current field was quoted (keeps "" as an empty field)
  let line = 1;
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0] === '' && !wasQuoted)) rows.push(row);
    row = [];
    field = '';
    wasQuoted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') {
      if (field !== '') throw new ArgumentError(`parseCsv: text has a quote inside an unquoted field on line ${line}: '${field}"'`);
      quoted = true;
      wasQuoted = true;
    } else if (c === delim) {
      row.push(field);
      field = '';
      wasQuoted = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      line++;
    } else {
      if (wasQuoted) throw new ArgumentError(`parseCsv: text has characters after a closing quote on line ${line}`);
      field += c;
    }
  }
  if (quoted) throw new ArgumentError(`parseCsv: text ends inside a quoted field (opened before line ${line})`);
  if (field !== '' || row.length > 0 || wasQuoted) endRow();

  const header = opts.header ?? true;
  let columns: string[];
  if (header) {
    if (rows.length === 0) throw new ArgumentError('parseCsv: header is true but text has no rows');
    columns = rows.shift()!;
  } else columns = (rows[0] ?? []).map((_, j) => String(j));
  rows.forEach((r, i) => {
    if (r.length !== columns.length) {
      throw new ArgumentError(`parseCsv: every row must have ${columns.length} fields (as the ${header ? 'header' : 'first row'}), found ${r.length} in data row ${i}`);
    }
  });
  return { columns, rows };
}

export interface CsvTensorOptions {
  /** Columns to take, by name or index, in order. Default: all. */
  columns?: readonly (string | number)[];
  dtype?: FloatDType;
}

/** Numeric columns of a table as a float tensor [rows, columns]. Non-numbers throw, naming row and column. */
export function csvToTensor(table: CsvTable, opts: CsvTensorOptions = {}): Tensor {
  const cols = (opts.columns ?? table.columns.map((_, j) => j)).map((c) => {
    const j = typeof c === 'number' ? c : table.columns.indexOf(c);
    if (!Number.isInteger(j) || j < 0 || j >= table.columns.length) {
      throw new ArgumentError(`csvToTensor: columns entry ${JSON.stringify(c)} is not a column; expected one of ${JSON.stringify(table.columns)} or 0..${table.columns.length - 1}`);
    }
    return j;
  });
  const dtype = opts.dtype ?? 'float32';
  const n = table.rows.length;
  const out = dtype === 'float64' ? new Float64Array(n * cols.length) : new Float32Array(n * cols.length);
  for (let i = 0; i < n; i++) {
    const r = table.rows[i]!;
    for (let k = 0; k < cols.length; k++) {
      const s = r[cols[k]!]!.trim();
      const v = s === '' ? Number.NaN : Number(s);
      if (Number.isNaN(v) && !/^nan$/i.test(s)) {
        throw new ArgumentError(`csvToTensor: column '${table.columns[cols[k]!]}' must be numeric, found ${JSON.stringify(r[cols[k]!])} in data row ${i}`);
      }
      out[i * cols.length + k] = v;
    }
  }
  return new Tensor(out, [n, cols.length], dtype);
}
