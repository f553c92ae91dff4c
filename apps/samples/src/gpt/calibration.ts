import { reliabilityDiagram, renderReliabilitySvg } from '@likelihood/calibration';
import { type GPT, nextTokenPredictions } from '@likelihood/gpt';
import type { CalibrationFigure } from '../report/types.js';

/** Reliability of the model's top next-token probability on a held-out token sequence. */
export function nextTokenCalibration(model: GPT, heldOut: Int32Array, caption: string): CalibrationFigure {
  const { logits, targets } = nextTokenPredictions(model, heldOut, { maxWindows: 64 });
  const d = reliabilityDiagram(logits.softmax(-1), targets, { nBins: 10, title: 'next-token reliability' });
  return { caption: `${caption}: ${d.n} tokens`, svg: renderReliabilitySvg(d), ece: d.ece };
}
