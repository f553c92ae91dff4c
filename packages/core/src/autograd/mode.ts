/** Global autograd switches: grad recording and anomaly detection. */
let gradEnabled = true;
let anomalyEnabled = false;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` with gradient recording off (torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs `fn` with gradient recording on, even inside `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export function setGradEnabled(on: boolean): void {
  gradEnabled = on;
}

export function isAnomalyEnabled(): boolean {
  return anomalyEnabled;
}

/**
 * Anomaly mode: every op (forward and backward) checks its float output, and the first op that
 * turns finite inputs into NaN/Inf throws an AnomalyError naming it. With a function argument
 * the mode is on only while it runs; with a boolean it is switched globally.
 */
export function detectAnomaly<T>(fnOrOn: (() => T) | boolean): T | undefined {
  if (typeof fnOrOn === 'boolean') {
    anomalyEnabled = fnOrOn;
    return undefined;
  }
  const prev = anomalyEnabled;
  anomalyEnabled = true;
  try {
    return fnOrOn();
  } finally {
    anomalyEnabled = prev;
  }
}
