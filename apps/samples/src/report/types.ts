/**
 * What every family's demo returns, so the default run can print one table and write one report
 * page (out/report.html, issue 13) without knowing any family's internals.
 */

/** How a held-out likelihood figure relates to the true log p(x). */
export type LikelihoodKind =
  /** exact log-likelihood (flow, GPT, small EBM with exact log Z) */
  | 'exact'
  /** a lower bound on log p(x) (VAE ELBO/IWAE, diffusion VLB) */
  | 'bound'
  /** a stochastic estimate (AIS, importance sampling with error bars) */
  | 'estimate';

export interface LikelihoodFigure {
  /** what was measured, e.g. 'test NLL, IWAE k=500' */
  label: string;
  /** negative log-likelihood per example (or per token for text), in nats */
  nats: number;
  /** the same figure per dimension (pixel, coordinate) or per character, in bits */
  bitsPerDim?: number;
  kind: LikelihoodKind;
  /** ± one standard error where the figure is an estimate */
  stderr?: number;
  /** a reference value to read it against, e.g. 'true entropy 2.84 nats' */
  reference?: string;
}

export interface LossPoint {
  step: number;
  /** training objective (the family's negative log-likelihood or its bound) */
  loss: number;
  /** held-out value where one was evaluated at this step */
  val?: number;
}

export interface ReportImage {
  caption: string;
  /** PNG file written under the run's output directory */
  path: string;
}

export interface CalibrationFigure {
  /** what was calibrated, e.g. 'next-character probabilities on held-out names' */
  caption: string;
  /** the diagram as an SVG document (@likelihood/calibration's renderReliabilitySvg, or renderCoverageSvg for density models) */
  svg: string;
  /** the figure's calibration error: the ECE of a reliability diagram, the mean |observed − nominal| of a coverage curve */
  ece: number;
  /** what `ece` measures, shown beside it (default 'ECE') */
  metric?: string;
}

export interface FamilyReport {
  /** the CLI name, e.g. 'gpt' */
  family: string;
  /** one line saying what was trained on what */
  title: string;
  likelihood: LikelihoodFigure[];
  lossCurve: LossPoint[];
  images: ReportImage[];
  /** text samples (GPT) */
  text?: string[];
  /** a reliability diagram of the model's predictive probabilities on held-out data, or a coverage curve of a density model's regions */
  calibration?: CalibrationFigure;
  seconds: number;
}

/** Options every family's demo accepts in the default run. */
export interface DemoOptions {
  /** training budget in seconds */
  seconds: number;
  /** directory for checkpoints and PNGs */
  outDir: string;
  /**
   * Benchmark scale (`--full`): the family's issue-target configuration where it has one (e.g. the
   * GPT on tiny Shakespeare at nanoGPT's CPU config); otherwise a longer run within `seconds`.
   */
  full?: boolean;
}
