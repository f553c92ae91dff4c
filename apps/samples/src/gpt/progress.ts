import type { ProgressEvent } from '@likelihood/gpt';
import cliProgress from 'cli-progress';

export interface ProgressDisplay {
  start(iter: number): void;
  update(e: ProgressEvent, val: number | undefined): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Where to write (default process.stderr). */
  stream?: NodeJS.WriteStream | { isTTY?: boolean; write(s: string): unknown };
  /** Plain lines (no terminal): at most one per this many seconds, plus evaluation steps and the last step (default 10). */
  everySeconds?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

const fmtSeconds = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`);

/**
 * Training progress: a cli-progress bar on a terminal; otherwise (a log file, CI, a pipe) plain
 * lines, because the bar's own non-TTY output runs on a timer that a synchronous training loop
 * never lets fire, so a redirected run printed nothing until the end.
 */
export function progressDisplay(maxIters: number, o: ProgressOptions = {}): ProgressDisplay {
  const stream = o.stream ?? process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: 'gpt {bar} {value}/{total} | loss {loss} | val {val} | lr {lr} | {tps} tok/s | {duration_formatted} (eta {eta_formatted})',
        hideCursor: true,
        etaBuffer: 50,
        stream: stream as NodeJS.WriteStream,
      },
      cliProgress.Presets.shades_classic,
    );
    return {
      start: (iter) => bar.start(maxIters, iter, { loss: '-', val: '-', lr: '-', tps: '-' }),
      update: (e, val) => bar.update(e.iter, { loss: e.loss.toFixed(4), val: val?.toFixed(4) ?? '-', lr: e.lr.toExponential(2), tps: Math.round(e.tokensPerSec) }),
      stop: () => bar.stop(),
    };
  }
  const now = o.now ?? (() => performance.now());
  const every = (o.everySeconds ?? 10) * 1000;
  let t0 = 0;
  let first = 0;
  let last = -Infinity;
  return {
    start(iter) {
      t0 = now();
      first = iter;
    },
    update(e, val) {
      const t = now();
      if (t - last < every && !e.eval && e.iter !== e.maxIters) return;
      last = t;
      const elapsed = (t - t0) / 1000;
      const done = e.iter - first;
      const eta = done > 0 ? ((e.maxIters - e.iter) * elapsed) / done : Number.NaN;
      stream.write(
        `gpt step ${e.iter}/${e.maxIters} | loss ${e.loss.toFixed(4)} | val ${val?.toFixed(4) ?? '-'} | lr ${e.lr.toExponential(2)} | ${Math.round(e.tokensPerSec)} tok/s | ${fmtSeconds(elapsed)}` +
          `${Number.isFinite(eta) && e.iter < e.maxIters ? ` (eta ${fmtSeconds(eta)})` : ''}\n`,
      );
    },
    stop() {},
  };
}
