/**
 * Serialises work per key: each call waits for the calls before it on the same key, so two
 * racing conditional PUTs to one key see each other (one 200, one 412). Keys with nothing
 * queued are forgotten.
 */
export function keyLock(): <T>(key: string, fn: () => Promise<T>) => Promise<T> {
  /** key -> tail of the queue of calls on it. */
  const keyLocks = new Map<string, Promise<void>>();
  return async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
    const previous = keyLocks.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = previous.then(() => mine);
    keyLocks.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (keyLocks.get(key) === tail) keyLocks.delete(key);
    }
  };
}
