import { type CoverageCurve, renderCoverageSvg } from '@likelihood/calibration';
import type { CalibrationFigure } from './types.js';

/**
 * A coverage curve (highestDensityCoverage or sampleQuantileCoverage from @likelihood/calibration)
 * as the report's calibration figure: its SVG, and its mean |observed − nominal| as the error.
 */
export function coverageFigure(curve: CoverageCurve, opts: { caption: string; title: string; xLabel?: string }): CalibrationFigure {
  return {
    caption: opts.caption,
    svg: renderCoverageSvg(curve, { title: opts.title, xLabel: opts.xLabel }),
    ece: curve.calibrationError,
    metric: 'mean |observed − nominal| coverage error',
  };
}
