/**
 * A change signal: `next()` resolves at the next `wake()` (or when its AbortSignal aborts),
 * so a waiter sleeps until something changed instead of polling.
 */
export class ChangeSignal {
  private waiters: (() => void)[] = [];

  /** Resolves at the next change or when `signal` aborts. */
  next(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Something changed: every waiter resolves. */
  wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}
