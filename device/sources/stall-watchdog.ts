/**
 * Calls `onStall` when `kick` has not been called for `stallMs` (once per stall; the
 * next `kick` re-arms it). Unref'd: never keeps the process alive.
 *
 * A stall is decided one event-loop turn after the timer finds the source idle: after the
 * loop was blocked (a busy process, a slow synchronous load), the timer runs before the
 * reads that piled up meanwhile, so the last kick it sees is as old as the block. The
 * check waits for those reads (setImmediate runs after the loop's I/O phase), and a
 * source that did send data is not restarted for the process's own pause.
 */
export class StallWatchdog {
  private last = Date.now();
  private stalled = false;
  private checking = false;
  private running = true;
  private readonly timer: NodeJS.Timeout;

  constructor(stallMs: number, onStall: (idleMs: number) => void) {
    const stalledNow = (): boolean => !this.stalled && Date.now() - this.last >= stallMs;
    this.timer = setInterval(
      () => {
        if (this.checking || !stalledNow()) return;
        this.checking = true;
        setImmediate(() => {
          this.checking = false;
          if (!this.running || !stalledNow()) return;
          this.stalled = true;
          onStall(Date.now() - this.last);
        });
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
    this.running = false;
    clearInterval(this.timer);
  }
}
