/**
 * Calls `onStall` when `kick` has not been called for `stallMs` (once per stall; the
 * next `kick` re-arms it). Unref'd: never keeps the process alive.
 */
export class StallWatchdog {
  private last = Date.now();
  private stalled = false;
  private readonly timer: NodeJS.Timeout;

  constructor(stallMs: number, onStall: (idleMs: number) => void) {
    this.timer = setInterval(
      () => {
        const idle = Date.now() - this.last;
        if (!this.stalled && idle >= stallMs) {
          this.stalled = true;
          onStall(idle);
        }
      },
      Math.max(50, Math.min(1000, stallMs / 4)),
    );
    this.timer.unref();
  }

  kick(): void {
    this.last = Date.now();
    this.stalled = false;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
