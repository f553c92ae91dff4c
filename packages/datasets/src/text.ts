// Text and CSV files from disk (Node), gzip-aware.
import { type CsvOptions, type CsvTable, parseCsv } from './csv.js';
import { readBytes } from './gzip.js';

/** Reads a UTF-8 text file (gunzipped first when it starts with the gzip magic). */
export function loadText(path: string): string {
  return new TextDecoder('utf-8').decode(readBytes(path));
}

/** Reads and parses a CSV file (raw or gzip). Turn numeric columns into a tensor with `csvToTensor`. */
export function loadCsv(path: string, opts: CsvOptions = {}): CsvTable {
  return parseCsv(loadText(path), opts);
}
