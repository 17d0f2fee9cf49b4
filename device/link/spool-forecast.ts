/**
 * How long until the disk spool is full, at the rate it has been growing: the status
 * answer's `spool.fullInSeconds`. Fed one sample a second (the agent's tick); the slope is
 * taken over the last minute (at least 5 s of samples), so a single big segment does not
 * swing it. Null while the spool is not growing.
 */
export class SpoolForecast {
  private readonly samples: { atMs: number; bytes: number }[] = [];
  constructor(private readonly windowMs = 60_000) {}

  sample(atMs: number, bytes: number): void {
    this.samples.push({ atMs, bytes });
    while (this.samples.length > 2 && this.samples[0]!.atMs < atMs - this.windowMs) this.samples.shift();
  }

  /** Spool growth in bytes per second over the window (negative while it drains). */
  growthBytesPerSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.atMs - first.atMs < 5000) return 0;
    return ((last.bytes - first.bytes) / (last.atMs - first.atMs)) * 1000;
  }

  /** Seconds until `maxBytes` at the current growth, or null when it is not growing. */
  fullInSeconds(maxBytes: number): number | null {
    const last = this.samples[this.samples.length - 1];
    const g = this.growthBytesPerSecond();
    if (!last || g <= 0) return null;
    return Math.max(0, Math.round((maxBytes - last.bytes) / g));
  }
}
