/** Time source, injectable so tests and local mode control "now". */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };
