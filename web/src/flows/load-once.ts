/**
 * A chunk the page loads once, when first asked for (an `import()`): every
 * caller shares the one load, and a failed load (the network went) is
 * forgotten, so that the next call tries again. Pure.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = null;
      throw err;
    });
    return loading;
  };
}
