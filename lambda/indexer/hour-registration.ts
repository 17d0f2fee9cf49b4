import type { StateAdvanceResult } from '../index/segment-index.ts';

/** How the cloud packs history; the indexer needs it to tell the compactor which hours to pack. */
export interface PackingConfig {
  /** The pack hour: one hour in the cloud, shorter in local mode's demo. */
  readonly periodMs: number;
  /** An hour is packed this long after it closes, so late uploads from a camera's spool land first. */
  readonly graceMs: number;
  /**
   * Days a segment item lives. Packed history is read from pack items, so a segment item
   * only has to outlive its hour's packing and the deletion of its hot copy (`drain`).
   */
  readonly hotIndexDays: number;
}

/**
 * Whether the indexer must register the segment's pack hour (one extra write) after
 * advancing the device state. It must whenever a pack run of the hour might not see the
 * segment or the hour might never be packed:
 * - the state did not advance (a replay, a retry after a crash, or an older segment
 *   arriving late, e.g. from a backlog uploaded newest first): the state says nothing
 *   about this segment's hour;
 * - the state named another hour before (the device's first segment of a new hour);
 * - the segment is indexed when its hour is already due for packing, or close to it
 *   (a run may have read the hour's segments already: registering bumps the hour's
 *   revision, so that run leaves the hour open instead of marking it packed).
 * Otherwise (the common case: the next segment of the hour the device is recording) the
 * state update alone is the only write.
 */
export function mustRegisterHour(hourMs: number, advance: StateAdvanceResult, nowMs: number, p: PackingConfig): boolean {
  if (advance === 'stale') return true;
  if (advance.previous?.packHourMs !== hourMs) return true;
  return nowMs >= hourMs + p.periodMs + p.graceMs / 2;
}

/** When the compactor should pack the hour: `grace` after it closes, or after now for a late segment. */
export function hourDueMs(hourMs: number, nowMs: number, p: PackingConfig): number {
  return Math.max(hourMs + p.periodMs, nowMs) + p.graceMs;
}
