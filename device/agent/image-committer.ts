import { randomBytes } from 'node:crypto';
import { IMAGE_CONTENT_TYPE, imageKey, jpegProblem, toImageS3Metadata } from '../../contract/index.ts';
import type { Backlog } from '../buffer/backlog.ts';
import type { AgentCounters } from '../core/agent-counters.ts';
import { ControlError } from '../core/agent-errors.ts';
import type { Logger } from '../core/json-logger.ts';
import { ItemKind } from '../core/upload-item.ts';
import type { KeyRotator } from '../keys/key-rotator.ts';
import { encryptSegment } from '../media/encrypt/encrypt-segment.ts';

export interface ImageCommitterOptions {
  readonly deviceId: string;
  readonly keys: KeyRotator;
  readonly backlog: Backlog;
  readonly counters: AgentCounters;
  readonly log: Logger;
  readonly now: () => number;
  /** The event open now, if any: a picture taken during it is kept with event retention. */
  readonly openEventId: () => string | undefined;
  /** Largest JPEG taken (plain bytes). */
  readonly maxBytes: number;
}

/** What `ImageCommitter.check` returns for a picture it takes. */
export interface CheckedImage {
  readonly tsMs: number;
  readonly eventId: string | undefined;
}

/** Pictures each take their own 8 random bytes as an id (16 hex digits): a name never repeats. */
const IMAGE_ID_BYTES = 8;

/**
 * From a JPEG to an object in the backlog, the way segments go: checked (SOI/EOI framing,
 * size), AES-128-CBC under the current data key with an IV of its own, named under
 * `images/{deviceId}/` (or `event-images/` while an event is open, kept as long as event
 * footage), and queued write-once behind the wrapped key that opens it.
 */
export class ImageCommitter {
  constructor(private readonly o: ImageCommitterOptions) {}

  /**
   * Checks a picture before anything is queued: throws ControlError saying what is wrong
   * (not a JPEG, cut short, too big, a bad time). Synchronous, so a caller learns at once.
   */
  check(jpeg: Uint8Array, tsMs?: number): CheckedImage {
    if (!(jpeg instanceof Uint8Array)) throw new ControlError('putImage takes the JPEG as a Uint8Array (or Buffer)');
    const problem = jpegProblem(jpeg, this.o.maxBytes);
    if (problem) throw new ControlError(problem);
    const at = tsMs ?? this.o.now();
    if (!Number.isFinite(at) || at < 0 || at > 253_402_300_799_999) throw new ControlError(`tsMs must be UTC ms (a number from 0), got ${tsMs}`);
    return { tsMs: Math.round(at), eventId: this.o.openEventId() };
  }

  /** Encrypts and queues a picture `check` accepted; resolves once it is in the backlog (spooled). Returns its object key. */
  async commit(jpeg: Uint8Array, checked: CheckedImage): Promise<string> {
    const key = await this.o.keys.current();
    const iv = randomBytes(16);
    const encrypted = encryptSegment(jpeg, key.key, iv);
    const imageId = randomBytes(IMAGE_ID_BYTES).toString('hex');
    const objectKey = imageKey({ deviceId: this.o.deviceId, tsMs: checked.tsMs, imageId, event: checked.eventId !== undefined });
    const metadata = toImageS3Metadata({
      tsMs: checked.tsMs,
      keyId: key.keyId,
      iv: iv.toString('hex'),
      ...(checked.eventId !== undefined ? { eventId: checked.eventId } : {}),
    });
    await this.o.backlog.add(
      { kind: ItemKind.IMAGE, objectKey, contentType: IMAGE_CONTENT_TYPE, metadata, keyId: key.keyId, createdMs: this.o.now() },
      encrypted,
    );
    this.o.counters.imagesRecorded++;
    this.o.log.debug('picture recorded', { objectKey, bytes: jpeg.byteLength });
    return objectKey;
  }
}
