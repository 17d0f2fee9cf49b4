import { PTS_HZ, PTS_WRAP } from '../../../media/ts/ts-constants.ts';

const TICKS_PER_MS = PTS_HZ / 1000;
const HALF_WRAP = PTS_WRAP / 2;

/**
 * 33-bit PTS/DTS (they wrap every 26.5 h) to a count that keeps growing. One per
 * connection, shared by its streams (their times are close, so one reference serves
 * both). A value from just before a wrap that arrives just after it stays before it.
 */
export class TimestampUnwrapper {
  private last: number | undefined;
  private base = 0;

  unwrap(ts33: number): number {
    let v = ts33 + this.base;
    const last = this.last;
    if (last !== undefined) {
      if (v - last < -HALF_WRAP) {
        this.base += PTS_WRAP;
        v += PTS_WRAP;
      } else if (v - last > HALF_WRAP) {
        v -= PTS_WRAP;
      }
    }
    if (last === undefined || v > last) this.last = v;
    return v;
  }
}

export interface ConnectionClockOptions {
  /** Arrival time watched before the mapping is fixed. @default 1000 */
  readonly calibrationMs?: number;
  /** Units held at most while calibrating (bounds memory whatever the source does). @default 300 */
  readonly maxHeldUnits?: number;
  /**
   * The earliest time (90 kHz, wall-clock ticks) this connection may start at: where an
   * earlier connection of the same source ended (its last frame plus that frame's duration,
   * `RunEnd`). A connection whose own mapping would put its first unit before it starts
   * there instead, so decode and audio times rise across a reconnect by at least a frame.
   */
  readonly floorTicks?: number;
}

/**
 * Maps one connection's source clock (unwrapped 90 kHz) to wall-clock ticks
 * (UTC ms x 90) with one offset, fixed once per connection and never re-stamped by
 * arrival: `wall = source + offset`.
 *
 * The offset is the smallest `arrival - source` seen over the first second: a source
 * sends nothing while ffmpeg probes (~1.5 s) and then a burst of frames at once, so the
 * first frame's arrival would put every time ~1 s in the future; the frames after the
 * burst arrive as they are captured (plus a steady network delay), and the smallest
 * difference is theirs. Units seen meanwhile are held and handed on, in order, once the
 * offset is fixed. Pure: arrival times are given, nothing is read from a clock.
 */
export class ConnectionClock<T> {
  private offset: number | undefined;
  private minDelta = Number.POSITIVE_INFINITY;
  private minSource = Number.POSITIVE_INFINITY;
  private firstArrivalMs: number | undefined;
  private held: T[] = [];
  private readonly calibrationMs: number;
  private readonly maxHeld: number;

  constructor(private readonly o: ConnectionClockOptions = {}) {
    this.calibrationMs = o.calibrationMs ?? 1000;
    this.maxHeld = o.maxHeldUnits ?? 300;
  }

  get calibrated(): boolean {
    return this.offset !== undefined;
  }

  /**
   * A unit with its (earliest) source time and arrival time (UTC ms). Returns the units
   * whose wall-clock time is now known, in arrival order (none while calibrating).
   */
  add(unit: T, sourceTicks: number, arrivalMs: number): T[] {
    if (this.offset !== undefined) return [unit];
    this.firstArrivalMs ??= arrivalMs;
    this.minDelta = Math.min(this.minDelta, arrivalMs * TICKS_PER_MS - sourceTicks);
    this.minSource = Math.min(this.minSource, sourceTicks);
    this.held.push(unit);
    if (arrivalMs - this.firstArrivalMs < this.calibrationMs && this.held.length < this.maxHeld) return [];
    return this.fix();
  }

  /** End of the connection while still calibrating: fix the offset with what was seen. */
  drain(): T[] {
    return this.offset === undefined && this.held.length ? this.fix() : [];
  }

  /** Wall-clock ticks of a source time (after calibration). */
  toWallTicks(sourceTicks: number): number {
    return sourceTicks + this.offset!;
  }

  private fix(): T[] {
    let offset = Math.round(this.minDelta);
    const floor = this.o.floorTicks;
    if (floor !== undefined && this.minSource + offset < floor) offset = floor - this.minSource;
    this.offset = offset;
    const out = this.held;
    this.held = [];
    return out;
  }
}
