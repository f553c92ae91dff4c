/**
 * Memoises a model loader on the weights' bytes: the page hands a demo the same Uint8Array for
 * every click on "sample", so the model is built and loaded once per weights file.
 */
export function loadOnce<T>(load: (bytes: Uint8Array) => T): (bytes: Uint8Array) => T {
  let cached: { bytes: Uint8Array; value: T } | undefined;
  return (bytes) => {
    if (cached?.bytes !== bytes) cached = { bytes, value: load(bytes) };
    return cached.value;
  };
}
