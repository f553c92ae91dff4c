// scikit-learn's 8×8 digits from ../shared/data, binarised (pixel ≥ 8 of 16 → 1), for tests and
// examples. Returns null when the shared data folder is absent.
import { join } from 'node:path';
import type { Tensor } from '@likelihood/core';
import { csvToTensor, findSharedData, parseCsv, readBytes } from '@likelihood/datasets';

export function loadBinarizedDigits(): { images: Tensor; labels: number[] } | null {
  const dir = findSharedData('digits');
  if (!dir) return null;
  const text = new TextDecoder().decode(readBytes(join(dir, 'digits.csv.gz'))); // readBytes gunzips
  const all = csvToTensor(parseCsv(text, { header: false }), { dtype: 'float64' }); // [1797, 65]
  const pixels = all.narrow(1, 0, 64);
  const labels = Array.from(all.narrow(1, 64, 1).storage as Float64Array);
  return { images: pixels.ge(8).to('float64'), labels };
}

