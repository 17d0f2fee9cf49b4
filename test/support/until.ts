import { setTimeout as sleep } from 'node:timers/promises';

/** What an `until` waits for: a falsy value (undefined, null, false, 0, '') means "not yet". */
type NotYet = undefined | null | false | 0 | '';

export interface UntilOptions {
  /** How long to keep trying. @default 30_000 */
  readonly timeoutMs?: number;
  /** Pause between tries. @default 100 */
  readonly intervalMs?: number;
  /** What to add to the timeout error, so a failure on a loaded machine says what was seen (page state, server output). */
  readonly detail?: () => unknown;
}

/**
 * Polls `fn` until it returns a truthy value, and returns that; tries once more at the
 * deadline, then throws `timed out after N ms waiting for {what}` with `detail()`. The one
 * poll helper of the tests: wait on a condition, never a fixed sleep. `opts` may be the
 * timeout in ms.
 */
export async function until<T>(what: string, fn: () => T | NotYet | Promise<T | NotYet>, opts: UntilOptions | number = {}): Promise<T> {
  const { timeoutMs = 30_000, intervalMs = 100, detail } = typeof opts === 'number' ? { timeoutMs: opts } : opts;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const last = Date.now() >= deadline;
    const v = await fn();
    if (v) return v;
    if (last) {
      let extra = '';
      if (detail) {
        try {
          const d = await detail();
          extra = `; ${typeof d === 'string' ? d : JSON.stringify(d)}`;
        } catch (e) {
          extra = `; (detail failed: ${String(e)})`;
        }
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${extra}`);
    }
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
