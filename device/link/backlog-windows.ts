/**
 * `upload.backlogWindows`: the daily times at which the agent may drain its backlog (live
 * segments, keys and events always go). Each window is "HH:MM-HH:MM" in the camera's
 * local time; one that ends before it starts runs past midnight ("22:00-06:00").
 * "00:00-24:00" is all day. No windows: the backlog may drain any time.
 */
export interface DailyWindow {
  /** Minutes after local midnight, [startMin, endMin); endMin may be 1440. */
  readonly startMin: number;
  readonly endMin: number;
}

const WINDOW_RE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;
const DAY_MIN = 24 * 60;

/** Parses one window; throws RangeError saying what is wrong and what is expected. */
export function parseDailyWindow(text: string): DailyWindow {
  const m = WINDOW_RE.exec(text);
  const bad = () => new RangeError(`backlog window ${JSON.stringify(text)} must be "HH:MM-HH:MM" in local time, e.g. "01:00-05:00" or "22:00-06:00"`);
  if (!m) throw bad();
  const [h1, m1, h2, m2] = m.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || m1 > 59 || h2 > 24 || m2 > 59 || (h2 === 24 && m2 !== 0)) throw bad();
  const startMin = h1 * 60 + m1;
  const endMin = h2 * 60 + m2;
  if (startMin === endMin) throw new RangeError(`backlog window ${JSON.stringify(text)} is empty: its start and end are the same`);
  return { startMin, endMin };
}

const minuteOfDay = (d: Date) => d.getHours() * 60 + d.getMinutes() + d.getSeconds() / 60 + d.getMilliseconds() / 60_000;

function inWindow(w: DailyWindow, min: number): boolean {
  return w.startMin < w.endMin ? min >= w.startMin && min < w.endMin : min >= w.startMin || min < w.endMin;
}

export class BacklogWindows {
  private windows: readonly DailyWindow[];
  constructor(texts: readonly string[] = []) {
    this.windows = texts.map(parseDailyWindow);
  }

  /** Replaces the windows (run-time reload). */
  set(texts: readonly string[]): void {
    this.windows = texts.map(parseDailyWindow);
  }

  get configured(): boolean {
    return this.windows.length > 0;
  }

  /** Whether the backlog may drain at `atMs`. */
  isOpen(atMs: number): boolean {
    if (!this.windows.length) return true;
    const min = minuteOfDay(new Date(atMs));
    return this.windows.some((w) => inWindow(w, min));
  }

  /** Milliseconds until the next window opens (0 when one is open). */
  msUntilOpen(atMs: number): number {
    if (this.isOpen(atMs)) return 0;
    const min = minuteOfDay(new Date(atMs));
    let best = DAY_MIN;
    for (const w of this.windows) best = Math.min(best, (w.startMin - min + DAY_MIN) % DAY_MIN);
    return Math.max(1000, Math.ceil(best * 60_000));
  }
}
