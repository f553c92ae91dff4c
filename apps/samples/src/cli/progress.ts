import cliProgress from 'cli-progress';

/** Progress of a training loop: a bar on a terminal, plain lines otherwise. */
export interface TrainingProgress {
  /** Starts at `step` of the total; the elapsed time and ETA count from here. */
  start(step: number): void;
  /** Reports `step` with the fields' values; `force` writes a plain line even within the interval (evaluations). */
  update(step: number, values: Record<string, string>, force?: boolean): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Where to write (default process.stderr). */
  stream?: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown };
  /** Plain lines (no terminal): at most one per this many seconds, plus forced ones and the last step (default 10). */
  everySeconds?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

/** 59 s, 3m07s, 1h02m. */
export function fmtSeconds(s: number): string {
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${s.toFixed(0)}s`;
}

/**
 * Training progress named `name` over `total` steps, showing `fields`: templates such as
 * 'loss {loss}' or '{tps} tok/s' whose {keys} `update` fills in. On a terminal it is a cli-progress
 * bar; otherwise (a log file, CI, a pipe) plain lines, because the bar's own non-terminal output
 * runs on a timer that a synchronous training loop never lets fire, so a redirected run would
 * print nothing until the end.
 */
export function trainingProgress(name: string, total: number, fields: readonly string[], o: ProgressOptions = {}): TrainingProgress {
  const stream = o.stream ?? process.stderr;
  const keys = fields.flatMap((f) => [...f.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));
  const dashes = Object.fromEntries(keys.map((k) => [k, '-']));
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${name} {bar} {value}/{total} | ${fields.join(' | ')} | {duration_formatted} (eta {eta_formatted})`,
        hideCursor: true,
        etaBuffer: 50,
        stream: stream as NodeJS.WriteStream,
      },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (step) => bar.start(total, step, dashes),
      update: (step, values) => bar.update(step, values),
      stop: () => bar.stop(),
    };
  }
  const now = o.now ?? (() => performance.now());
  const every = (o.everySeconds ?? 10) * 1000;
  let t0 = 0;
  let first = 0;
  let last = -Infinity;
  return {
    start(step) {
      t0 = now();
      first = step;
    },
    update(step, values, force = false) {
      const t = now();
      if (t - last < every && !force && step !== total) return;
      last = t;
      const elapsed = (t - t0) / 1000;
      const done = step - first;
      const eta = done > 0 ? ((total - step) * elapsed) / done : Number.NaN;
      const shown = fields.map((f) => f.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '-'));
      stream.write(`${name} step ${step}/${total} | ${shown.join(' | ')} | ${fmtSeconds(elapsed)}${Number.isFinite(eta) && step < total ? ` (eta ${fmtSeconds(eta)})` : ''}\n`);
    },
    stop() {},
  };
}
