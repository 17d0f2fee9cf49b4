import { createHash } from 'node:crypto';
import type { AdtsHeader } from '../../../media/aac/adts-header.ts';
import type { AudioSample, VideoSample } from '../../../media/fmp4/fmp4-input.ts';
import { Fmp4Muxer } from '../../../media/fmp4/fmp4-muxer.ts';
import { aacAudioTrack, avcVideoTrack, hevcVideoTrack } from '../../../media/fmp4/tracks.ts';
import type { QueuedAudio } from '../audio/audio-queue.ts';
import type { VideoConfig, VideoUnit } from '../video/video-unit.ts';
import type { ContainerSegment, InitSection, SegmentContainer } from './segment-container.ts';

/** moof/traf/trun bytes per picture and per fragment, at most (the cap check only needs a bound). */
const SAMPLE_TABLE_BYTES = 16;
const FRAGMENT_HEADER_BYTES = 256;
/** ADTS header: 7 bytes, 9 with CRC (protection_absent = 0, the last bit of byte 1). */
const adtsHeaderBytes = (frame: Uint8Array): number => ((frame[1]! & 0x01) === 1 ? 7 : 9);

/**
 * Fragmented MP4 segments (`media/fmp4`'s muxer): one init section per stream
 * configuration (video parameter sets + whether and which AAC audio), named by the hash
 * of its bytes, and media segments of styp + moof + mdat. Pictures are kept as views of
 * the input until the segment ends (the muxer sizes the segment exactly and copies each
 * NAL unit once); `heldFrom` says how far back that reaches.
 *
 * A new configuration (other parameter sets, audio switched on or off) gets a new muxer
 * and init section; when the video is the same, it keeps the decode shift, so decode
 * times run on across the change.
 */
export class Fmp4Container implements SegmentContainer {
  readonly kind = 'fmp4' as const;
  private video: VideoSample[] = [];
  private audio: AudioSample[] = [];
  private heldOffset = Number.POSITIVE_INFINITY;
  private held = 0;
  private config: VideoConfig | undefined;
  private audioHeader: AdtsHeader | undefined;
  private current: { muxer: Fmp4Muxer; config: VideoConfig; audioKey: string; init: InitSection } | undefined;

  get bytes(): number {
    return this.held;
  }

  get heldFrom(): number {
    return this.heldOffset;
  }

  bytesFor(u: VideoUnit): number {
    return u.nalBytes + 4 * u.nals.length + SAMPLE_TABLE_BYTES;
  }

  begin(video: VideoConfig, audio: AdtsHeader | undefined): void {
    this.discard();
    this.config = video;
    this.audioHeader = audio;
    this.held = FRAGMENT_HEADER_BYTES;
  }

  addAudio(audio: AdtsHeader): void {
    this.audioHeader = audio;
  }

  writeVideo(u: VideoUnit, pts: number, dts: number): void {
    this.video.push({ dts, pts, isSync: u.isKey, nals: u.nals });
    if (u.offset < this.heldOffset) this.heldOffset = u.offset;
    this.held += this.bytesFor(u);
  }

  writeAudio(frames: readonly QueuedAudio[]): void {
    for (const f of frames) {
      const data = f.frame.subarray(adtsHeaderBytes(f.frame));
      this.audio.push({ pts: f.ticks, data });
      this.held += data.byteLength + 4;
    }
  }

  finish(endDts: number): ContainerSegment {
    const c = this.muxerFor(this.config!, this.audioHeader);
    const bytes = c.muxer.writeSegment({ video: this.video, audio: this.audio, videoEndDts: endDts });
    this.discard();
    return { bytes, init: c.init };
  }

  discard(): void {
    this.video = [];
    this.audio = [];
    this.heldOffset = Number.POSITIVE_INFINITY;
    this.held = 0;
  }

  recycle(bytes: Uint8Array): void {
    this.current?.muxer.recycle(bytes);
  }

  /** The muxer (and init section) for this configuration: the current one, or a new one. */
  private muxerFor(config: VideoConfig, audio: AdtsHeader | undefined): NonNullable<Fmp4Container['current']> {
    const audioKey = audio ? `${audio.audioObjectType}/${audio.sampleRateHz}/${audio.channels}` : '';
    const cur = this.current;
    if (cur && cur.config === config && cur.audioKey === audioKey) return cur;
    const sets = { vps: [...config.vps], sps: [...config.sps], pps: [...config.pps] };
    const shift = cur && cur.config === config ? cur.muxer.decodeShiftTicks : undefined;
    const muxer = new Fmp4Muxer({
      video: config.codec === 'h265' ? hevcVideoTrack(sets) : avcVideoTrack(sets),
      ...(audio
        ? { audio: aacAudioTrack({ audioObjectType: audio.audioObjectType, sampleRateHz: audio.sampleRateHz, channelConfiguration: audio.channels }) }
        : {}),
      ...(shift !== undefined ? { decodeShiftTicks: shift } : {}),
    });
    this.current = { muxer, config, audioKey, init: { id: initSectionId(muxer.initSegment), bytes: muxer.initSegment } };
    return this.current;
  }
}

/** 32 lowercase hex digits: the first 16 bytes of the SHA-256 of an init section. */
export function initSectionId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 32);
}
