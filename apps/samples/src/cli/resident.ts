import { residentStats, setResidentBytes } from '@likelihood/core';

/**
 * Runs `fn` with core's resident kernel outputs on (`mb` MiB; 0 or undefined leaves them as they
 * are), turning them off again afterwards if this call turned them on. A region set already
 * (LIKELIHOOD_RESIDENT_MB, or a caller's own setResidentBytes) wins over `mb`. Resident outputs
 * pay off only in a loop that awaits `releaseResidentOutputs()` between steps.
 */
export async function withResidentOutputs<T>(mb: number | undefined, fn: () => Promise<T>): Promise<T> {
  const setHere = !!mb && residentStats().capacity === 0;
  if (setHere) setResidentBytes(mb * 2 ** 20);
  try {
    return await fn();
  } finally {
    if (setHere) setResidentBytes(0);
  }
}
