import { randomBytes } from 'node:crypto';
import { segmentContentType, segmentKey, toS3Metadata } from '../../contract/index.ts';
import type { Backlog } from '../buffer/backlog.ts';
import type { MemoryBuffer, MemorySlot } from '../buffer/memory-buffer.ts';
import type { AgentCounters } from '../core/agent-counters.ts';
import type { Logger } from '../core/json-logger.ts';
import { ItemKind } from '../core/upload-item.ts';
import type { KeyRotator } from '../keys/key-rotator.ts';
import type { SequenceState } from '../keys/sequence-state.ts';
import type { InitSections } from '../upload/init-sections.ts';
import { encryptSegment, encryptSegmentInPlace } from '../media/encrypt/encrypt-segment.ts';
import { segmentBuffer } from '../media/live-segmenter.ts';
import type { RecordingPolicy } from '../recording/recording-policy.ts';
import type { SegmentQueue } from './segment-queue.ts';
import type { MediaSegment, SegmenterPort } from './segmenter-port.ts';

/** A finished, encrypted segment waiting for the recording policy. */
export interface PendingSegment {
  readonly startMs: number;
  readonly durationMs: number;
  readonly media: Omit<MediaSegment, 'bytes'>;
  readonly plainBytes: number;
  readonly keyId: string;
  readonly ivHex: string;
  encrypted: Uint8Array | undefined;
  /** Gives `encrypted`'s memory back to the segmenter (it was encrypted in place) once copied; at most once. */
  recycle?: () => void;
  slot: MemorySlot | undefined;
}

/** Two segments further apart than this (ms) are a gap: the second starts a discontinuity. */
const GAP_TOLERANCE_MS = 1500;

export interface SegmentCommitterOptions {
  readonly deviceId: string;
  readonly queue: SegmentQueue;
  readonly segmenter: SegmenterPort;
  readonly keys: KeyRotator;
  /** fMP4: publishes each init section once, before the first segment that names it. */
  readonly inits: InitSections;
  readonly policy: RecordingPolicy<PendingSegment>;
  readonly memory: MemoryBuffer;
  readonly seqState: SequenceState;
  readonly backlog: Backlog;
  readonly counters: AgentCounters;
  readonly log: Logger;
  readonly now: () => number;
  /** While privacy pause is on: when it began (UTC ms); segments starting then or later are not recorded. */
  readonly pausedSinceMs: () => number | undefined;
}

/**
 * From a finished segment to an object in the backlog: AES-128 with a fresh IV under the
 * current data key, the recording policy (continuous, or held for pre-record and
 * committed around events), then numbering (seq persisted before use, a new disc-seq
 * after a gap or an encoder change) and the backlog, which spools it before its first
 * PUT. Segments come through the bounded SegmentQueue: one beyond its bound is dropped
 * here, counted and logged.
 */
export class SegmentCommitter {
  private committedAny = false;
  private lastCommittedEndMs: number | undefined;
  /** The init section the last committed segment named (fMP4). */
  private lastInitId: string | undefined;

  constructor(private readonly o: SegmentCommitterOptions) {}

  /** The segmenter finished `seg`: queue it, or drop it (counted, logged) when the queue is full. */
  accept(seg: MediaSegment): void {
    if (this.o.queue.offerSegment(seg.bytes.byteLength, () => this.handle(seg))) return;
    this.o.segmenter.recycle?.(seg.bytes);
    this.o.counters.segmentsDropped++;
    this.o.log.error('segment dropped: committing is behind (the disk is stalling); the next recorded segment starts a discontinuity', {
      startMs: Math.round(seg.startMs),
      durationMs: Math.round(seg.durationMs),
      bytes: seg.bytes.byteLength,
      segmentsWaiting: this.o.queue.segmentsIn,
      bytesWaiting: this.o.queue.bytesIn,
      maxBytes: this.o.queue.maxBytes,
    });
  }

  /** Commits segments the policy let go (an event reached back into pre-record), oldest first. */
  async commitAll(xs: readonly PendingSegment[]): Promise<void> {
    for (const s of xs) await this.commit(s);
  }

  /** Lets go of held segments the policy no longer needs. */
  release(xs: readonly PendingSegment[]): void {
    for (const x of xs) {
      if (x.slot) this.o.memory.release(x.slot);
      x.slot = undefined;
      this.dropEncrypted(x);
    }
  }

  private async handle(seg: MediaSegment): Promise<void> {
    const pausedSince = this.o.pausedSinceMs();
    if (pausedSince !== undefined && seg.startMs >= pausedSince) return;
    const key = await this.o.keys.current();
    const iv = randomBytes(16);
    // Encrypted in place in the segment's own buffer (no second segment-sized copy); once the
    // ciphertext is copied into the memory buffer or the spool, the buffer goes back to the segmenter.
    const room = this.o.segmenter.recycle ? segmentBuffer(seg.bytes) : undefined;
    const encrypted = room ? encryptSegmentInPlace(room, seg.bytes.byteLength, key.key, iv) : encryptSegment(seg.bytes, key.key, iv);
    const { bytes: _bytes, ...media } = seg;
    const p: PendingSegment = {
      startMs: Math.round(seg.startMs),
      durationMs: Math.max(1, Math.round(seg.durationMs)),
      media,
      plainBytes: seg.bytes.length,
      keyId: key.keyId,
      ivHex: iv.toString('hex'),
      encrypted,
      slot: undefined,
    };
    if (room) p.recycle = () => this.o.segmenter.recycle?.(seg.bytes);
    const d = this.o.policy.offer(p);
    this.release(d.release);
    if (!d.commit.includes(p)) this.hold(p);
    await this.commitAll(d.commit);
  }

  /** Keeps a pre-record segment in the memory buffer (dropping the oldest held one if full). */
  private hold(p: PendingSegment): void {
    if (!p.encrypted) return;
    for (;;) {
      const slot = this.o.memory.put(p.encrypted);
      if (slot) {
        p.slot = slot;
        this.dropEncrypted(p);
        return;
      }
      const oldest = this.o.policy.dropOldestHeld();
      if (!oldest || oldest === p) {
        this.dropEncrypted(p);
        return;
      }
      this.release([oldest]);
    }
  }

  /** Forgets a segment's ciphertext and gives its memory back to the segmenter (copied or dropped by now). */
  private dropEncrypted(p: PendingSegment): void {
    p.encrypted = undefined;
    const recycle = p.recycle;
    p.recycle = undefined;
    recycle?.();
  }

  private async commit(p: PendingSegment): Promise<void> {
    const body = p.slot ?? p.encrypted;
    if (!body) return; // a held segment that lost its place in the buffer
    const { seqState } = this.o;
    const seq = await seqState.takeSeq();
    const gap = this.lastCommittedEndMs !== undefined && Math.abs(p.startMs - this.lastCommittedEndMs) > GAP_TOLERANCE_MS;
    const { container = 'ts', init } = p.media;
    // fMP4: the init section is queued (durably, like a wrapped key) before the first segment that names it.
    const initId = init ? await this.o.inits.ensure(init) : undefined;
    // Another init section (a new configuration) is a discontinuity: players reload the init there.
    const newInit = initId !== this.lastInitId;
    this.lastInitId = initId;
    const discSeq = this.committedAny && (p.media.discontinuity || gap || newInit) ? await seqState.bumpDisc() : seqState.discSeq;
    this.committedAny = true;
    this.lastCommittedEndMs = p.startMs + p.durationMs;
    let metadata: Record<string, string>;
    let objectKey: string;
    try {
      objectKey = segmentKey({ deviceId: this.o.deviceId, startMs: p.startMs, seq, container });
      metadata = toS3Metadata({
        startMs: p.startMs,
        durationMs: p.durationMs,
        seq,
        discSeq,
        keyId: p.keyId,
        iv: p.ivHex,
        codecs: p.media.codecs,
        width: p.media.width,
        height: p.media.height,
        container,
        ...(initId ? { initId } : {}),
      });
    } catch (err) {
      this.o.counters.segmentsDropped++;
      this.release([p]);
      throw err;
    }
    p.slot = undefined;
    p.encrypted = undefined;
    await this.o.backlog.add(
      {
        kind: ItemKind.SEGMENT,
        objectKey,
        contentType: segmentContentType(container),
        metadata,
        seq,
        keyId: p.keyId,
        ...(initId ? { initId } : {}),
        startMs: p.startMs,
        createdMs: this.o.now(),
      },
      body,
      // The ciphertext in the segmenter's buffer: the backlog sends the first PUT from it (or
      // copies it) and gives it back to the segmenter once no PUT reads it.
      body instanceof Uint8Array ? () => this.dropEncrypted(p) : undefined,
    );
    this.o.counters.segmentsRecorded++;
    this.o.counters.bytesRecorded += p.plainBytes;
    this.o.log.debug('segment recorded', { objectKey, seq, discSeq, durationMs: p.durationMs, bytes: p.plainBytes });
  }
}
