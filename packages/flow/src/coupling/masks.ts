// Binary masks for coupling layers: 1 marks the part passed through unchanged (and fed to
// the conditioner), 0 the part transformed. Alternate parities between layers so every
// coordinate gets transformed.
import { ArgumentError, Tensor } from '@likelihood/core';

function checkDim(op: string, name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new ArgumentError(`${op}: ${name} must be a positive integer, found ${v}`);
}

/** [features]: 1 at even indices (parity 0) or odd ones (parity 1), RealNVP's 1-D alternating mask. */
export function alternatingMask(features: number, parity: 0 | 1 = 0): Tensor {
  checkDim('alternatingMask', 'features', features);
  if (features < 2) throw new ArgumentError(`alternatingMask: a coupling needs at least 2 features, found ${features}`);
  const m = new Float32Array(features);
  for (let i = 0; i < features; i++) m[i] = i % 2 === parity ? 1 : 0;
  return new Tensor(m, [features], 'float32');
}

/** [channels, height, width]: 1 where (row + col) % 2 == parity, RealNVP's spatial checkerboard. */
export function checkerboardMask(channels: number, height: number, width: number, parity: 0 | 1 = 0): Tensor {
  for (const [n, v] of [['channels', channels], ['height', height], ['width', width]] as const) checkDim('checkerboardMask', n, v);
  if (height * width < 2) throw new ArgumentError(`checkerboardMask: needs at least 2 pixels, found ${height}×${width}`);
  const m = new Float32Array(channels * height * width);
  for (let c = 0; c < channels; c++) for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) m[(c * height + i) * width + j] = (i + j) % 2 === parity ? 1 : 0;
  return new Tensor(m, [channels, height, width], 'float32');
}

/** [channels, height, width]: 1 on the first half of the channels (parity 0) or the second (parity 1), RealNVP's channel-wise mask. */
export function channelMask(channels: number, height: number, width: number, parity: 0 | 1 = 0): Tensor {
  for (const [n, v] of [['channels', channels], ['height', height], ['width', width]] as const) checkDim('channelMask', n, v);
  if (channels < 2) throw new ArgumentError(`channelMask: needs at least 2 channels, found ${channels}`);
  const half = Math.floor(channels / 2);
  const m = new Float32Array(channels * height * width);
  for (let c = 0; c < channels; c++) {
    const first = c < half;
    const v = first === (parity === 0) ? 1 : 0;
    m.fill(v, c * height * width, (c + 1) * height * width);
  }
  return new Tensor(m, [channels, height, width], 'float32');
}

/** Validates an arbitrary mask: only 0s and 1s, and both present (else the layer is no coupling). */
export function checkMask(op: string, mask: Tensor): void {
  let ones = 0;
  const s = mask.storage;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (v !== 0 && v !== 1) throw new ArgumentError(`${op}: mask must hold only 0 and 1, found ${v} at flat index ${i}`);
    ones += v;
  }
  if (ones === 0 || ones === s.length) {
    throw new ArgumentError(`${op}: mask must have both 1s (kept) and 0s (transformed), found ${ones === 0 ? 'only 0s' : 'only 1s'} in ${s.length} entries`);
  }
}
