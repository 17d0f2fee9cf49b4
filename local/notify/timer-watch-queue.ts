import type { WatchMessage, WatchQueue } from '../../lambda/liveness/watch-queue.ts';

/**
 * Local mode's offline-watch queue: a timer per message in this process, delivering to
 * `deliver` (the same checker core the cloud's SQS-fed function runs). A delivery that
 * throws is tried again a few seconds later, as SQS would.
 */
export function timerWatchQueue(
  deliver: (m: WatchMessage) => Promise<unknown>,
  onError: (err: Error) => void,
): WatchQueue & { stop(): void; readonly pending: number } {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const schedule = (message: WatchMessage, delayMs: number, attempt = 0) => {
    if (stopped) return;
    const t = setTimeout(
      () => {
        timers.delete(t);
        deliver(message).catch((err: Error) => {
          onError(err);
          if (attempt < 5) schedule(message, 2000 * (attempt + 1), attempt + 1);
        });
      },
      Math.max(0, delayMs),
    );
    timers.add(t);
  };
  return {
    async schedule(message, delayMs) {
      schedule(message, delayMs);
    },
    get pending() {
      return timers.size;
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
