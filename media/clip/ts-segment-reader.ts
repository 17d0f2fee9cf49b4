import { parseAdtsHeader } from '../aac/adts-header.ts';
import { annexBNalUnits } from '../bitstream/annexb-nal-units.ts';
import type { AudioSample, VideoSample } from '../fmp4/fmp4-input.ts';
import { avcVideoTrack } from '../fmp4/tracks.ts';
import { NalType, nalType } from '../h264/nal-unit-type.ts';
import { MediaInputError } from '../media-error.ts';
import { StreamType } from '../ts/ts-constants.ts';
import { TsDemuxer } from '../ts/ts-demuxer.ts';
import type { SegmentSamples } from './segment-samples.ts';

/** PTS/DTS are 33-bit counters of the 90 kHz clock. */
const PTS_WRAP = 2 ** 33;
const HALF_WRAP = 2 ** 32;
const PTS_HZ = 90_000;

/** `t` unwrapped to the 2^33 period nearest `near` (a segment is far shorter than the 26.5 h period). */
export function unwrapNear(t: number, near: number): number {
  let v = t + Math.round((near - t) / PTS_WRAP) * PTS_WRAP;
  if (v - near > HALF_WRAP) v -= PTS_WRAP;
  else if (near - v > HALF_WRAP) v += PTS_WRAP;
  return v;
}

/**
 * The MPEG-TS input adapter: one decrypted camrec TS segment (H.264 video, optional AAC in
 * ADTS) -> SegmentSamples. Video PES = one access unit (as camrec's muxer writes it); its
 * NAL units are taken without start codes, SPS/PPS remembered for the track. Audio PES may
 * hold several ADTS frames: frame k gets the PES pts + k frames. Times are unwrapped past
 * 2^33 against the segment's first video dts, so a segment that spans a wrap stays
 * increasing. A segment with no IDR-led picture or no SPS/PPS throws MediaInputError
 * (nothing in it can start a clip).
 */
export function readTsSegment(segment: Uint8Array): SegmentSamples {
  const video: VideoSample[] = [];
  const audio: AudioSample[] = [];
  const problems: string[] = [];
  let sps: Uint8Array | undefined;
  let pps: Uint8Array | undefined;
  let audioConfig: SegmentSamples['audioConfig'];
  let anchor: number | undefined;
  const demuxer = new TsDemuxer({
    onProgram() {},
    onError: (m) => problems.push(m),
    onPes(pes) {
      if (pes.pts === undefined) {
        problems.push(`a PES on PID ${pes.pid} has no PTS: skipped`);
        return;
      }
      if (pes.streamType === StreamType.H264) {
        const rawDts = pes.dts ?? pes.pts;
        anchor ??= rawDts;
        const dts = unwrapNear(rawDts, anchor);
        const pts = unwrapNear(pes.pts, dts);
        const nals = annexBNalUnits(pes.data);
        let isSync = false;
        let hasSlice = false;
        for (const nal of nals) {
          const t = nalType(nal);
          if (t === NalType.SPS) sps = nal.slice();
          else if (t === NalType.PPS) pps = nal.slice();
          else if (t === NalType.IDR) {
            isSync = true;
            hasSlice = true;
          } else if (t === NalType.SLICE) hasSlice = true;
        }
        if (!hasSlice) {
          problems.push(`a video PES at dts ${dts} holds no coded slice: skipped`);
          return;
        }
        if (video.length && dts <= video[video.length - 1]!.dts) {
          problems.push(`video dts ${dts} does not increase: picture skipped`);
          return;
        }
        video.push({ dts, pts, isSync, nals });
      } else if (pes.streamType === StreamType.AAC_ADTS) {
        const pts = unwrapNear(pes.pts, anchor ?? pes.pts);
        let at = 0;
        let k = 0;
        while (at < pes.data.byteLength) {
          const h = parseAdtsHeader(pes.data, at);
          if (!h || at + h.frameBytes > pes.data.byteLength) {
            problems.push(`audio PES at pts ${pts}: ${pes.data.byteLength - at} bytes are not whole ADTS frames: skipped`);
            break;
          }
          audioConfig ??= { audioObjectType: h.audioObjectType, sampleRateHz: h.sampleRateHz, channelConfiguration: h.channels };
          audio.push({ pts: pts + Math.round((k * h.samples * PTS_HZ) / h.sampleRateHz), data: pes.data.subarray(at + h.headerBytes, at + h.frameBytes) });
          at += h.frameBytes;
          k++;
        }
      }
    },
  });
  demuxer.push(segment);
  demuxer.flush();
  if (!video.length || !sps || !pps) {
    throw new MediaInputError(
      `the segment has ${video.length ? 'no SPS/PPS' : 'no H.264 pictures'}${problems.length ? ` (${problems[0]})` : ''}: it is not a camrec TS segment or it is corrupt`,
      { offset: 0 },
    );
  }
  const firstSync = video.findIndex((v) => v.isSync);
  if (firstSync < 0) throw new MediaInputError('the segment has no IDR picture: it cannot be played on its own', { offset: 0 });
  if (firstSync > 0) {
    problems.push(`${firstSync} pictures before the segment's first IDR: skipped`);
    video.splice(0, firstSync);
  }
  audio.sort((a, b) => a.pts - b.pts);
  const track = avcVideoTrack({ sps: [sps], pps: [pps] });
  return {
    video,
    audio,
    videoTrack: () => track,
    // As the fMP4 reader names it: the same settings in either container fit one clip track.
    videoConfigKey: `${track.codec}:${Buffer.from(track.decoderConfig).toString('hex')}`,
    ...(audioConfig ? { audioConfig } : {}),
    problems,
  };
}
