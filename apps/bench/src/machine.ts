import { cpus, loadavg, totalmem } from 'node:os';

/** The machine a suite ran on, written into every results JSON (the load says how busy it was). */
export function machineInfo() {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    date: new Date().toISOString(),
    loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
  };
}
