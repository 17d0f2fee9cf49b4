import type { VideoCodec } from '../video/video-unit.ts';
import { Fmp4Container } from './fmp4-container.ts';
import { ContainerKind, type SegmentContainer } from './segment-container.ts';
import { TsContainer } from './ts-container.ts';
import type { SegmentStream } from '../../../media/ts/segment-stream.ts';

/**
 * `segmentTicks`: the segments' expected duration (90 kHz ticks), which MPEG-TS sizes its
 * segment buffer by; `stream`: MPEG-TS segments go out in parts as they are muxed (fMP4
 * segments are always handed over whole).
 */
export function createContainer(kind: ContainerKind, segmentTicks?: number, stream?: SegmentStream): SegmentContainer {
  return kind === ContainerKind.FMP4 ? new Fmp4Container() : new TsContainer(segmentTicks, stream);
}

/** MPEG-TS for H.264 (every player since 2009), fMP4 for H.265 (HLS carries HEVC in fMP4: Apple's authoring rules, Chromecast, hls.js). */
export function defaultContainerFor(codec: VideoCodec): ContainerKind {
  return codec === 'h265' ? ContainerKind.FMP4 : ContainerKind.TS;
}

/** Throws `makeError(message)` when `container` cannot carry `codec`: H.265 goes in fMP4 only. */
export function refuseCodecIn(container: ContainerKind | undefined, codec: VideoCodec, makeError: (message: string) => Error): void {
  if (container === ContainerKind.TS && codec === 'h265') {
    throw makeError(
      'the video is H.265 (HEVC), which camrec records in fMP4 segments only (HLS players expect HEVC in fragmented MP4, not MPEG-TS): ' +
        'set the container to fmp4 (device.json "container": "fmp4", camrec segment --container fmp4), or leave it unset (fMP4 is the default for H.265); nothing of this stream is recorded in MPEG-TS',
    );
  }
}
