import { ItemKind } from '../core/upload-item.ts';
import type { BacklogEntry } from './backlog-entry.ts';

export interface TakeOptions {
  /** false: only keys, events and the live segment (outside the backlog windows). */
  backlog?: boolean;
  /** false: only keys and events (a capped link already busy with a segment). */
  segments?: boolean;
}

/**
 * The next entry to PUT (not marked), or undefined: keys, init sections and events first
 * (oldest first); then the newest segment; otherwise the oldest (other workers drain the
 * backlog oldest-first). A segment or picture waits while its wrapped key (or a segment's
 * fMP4 init section) is still queued; entries waiting for their retryAtMs are passed over.
 */
export function pickNext(entries: Iterable<BacklogEntry>, isLive: (e: BacklogEntry) => boolean, nowMs: number, opts: TakeOptions): BacklogEntry | undefined {
  const all = [...entries];
  let keyOrEvent: BacklogEntry | undefined;
  const pendingKeys = new Set<string>();
  const pendingInits = new Set<string>();
  let oldest: BacklogEntry | undefined;
  let newest: BacklogEntry | undefined;
  for (const e of all) {
    if (e.item.kind === ItemKind.KEY && e.item.keyId) pendingKeys.add(e.item.keyId);
    if (e.item.kind === ItemKind.INIT && e.item.initId) pendingInits.add(e.item.initId);
  }
  for (const e of all) {
    if (e.inFlight || (e.retryAtMs !== undefined && e.retryAtMs > nowMs)) continue;
    if (e.item.kind !== ItemKind.SEGMENT) {
      // A picture, like a segment, waits for the wrapped key that opens it.
      if (e.item.kind === ItemKind.IMAGE && e.item.keyId && pendingKeys.has(e.item.keyId)) continue;
      if (!keyOrEvent || e.item.createdMs < keyOrEvent.item.createdMs) keyOrEvent = e;
      continue;
    }
    if ((e.item.keyId && pendingKeys.has(e.item.keyId)) || (e.item.initId && pendingInits.has(e.item.initId))) continue;
    if (!oldest || (e.item.seq ?? 0) < (oldest.item.seq ?? 0)) oldest = e;
    if (!newest || (e.item.seq ?? 0) > (newest.item.seq ?? 0)) newest = e;
  }
  const newestInFlight = all.some((e) => e.inFlight && e.item.kind === ItemKind.SEGMENT && newest && (e.item.seq ?? 0) > (newest.item.seq ?? 0));
  const live = newest && !newestInFlight && isLive(newest) ? newest : undefined;
  const segment = opts.segments === false ? undefined : opts.backlog === false ? live : newest && !newestInFlight ? newest : oldest;
  return keyOrEvent ?? segment;
}
