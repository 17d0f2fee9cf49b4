import { box } from './box-writer.ts';
import { Brand, HandlerType, MOVIE_TIMESCALE_HZ, VIDEO_TIMESCALE_HZ } from './iso-bmff-constants.ts';
import {
  dataInformationBox,
  fileTypeBox,
  handlerBox,
  mediaHeaderBox,
  movieHeaderBox,
  sampleTableBox,
  soundMediaHeaderBox,
  trackExtendsBox,
  trackHeaderBox,
  videoMediaHeaderBox,
} from './movie-boxes.ts';
import { aacSampleEntry, visualSampleEntry } from './sample-entries.ts';
import type { AudioTrack, VideoTrack } from './tracks.ts';

/** Track ids: video first, audio second (the moof's trafs use the same). */
export const TrackId = { VIDEO: 1, AUDIO: 2 } as const;

/**
 * The init segment (RFC 8216 EXT-X-MAP, a CMAF header): ftyp then moov:
 *   ftyp  major iso6, compatible iso6 mp41
 *   moov  mvhd (timescale 1000, no duration)
 *         trak (video, id 1): tkhd, mdia (mdhd 90 kHz, hdlr vide, minf (vmhd, dinf, stbl (stsd avc1|hvc1 + avcC|hvcC, empty tables))))
 *         trak (audio, id 2): tkhd, mdia (mdhd at the sample rate, hdlr soun, minf (smhd, dinf, stbl (stsd mp4a + esds, empty tables))))
 *         mvex  trex per track
 * Deterministic: the same tracks give the same bytes (so its hash can name it).
 */
export function buildInitSegment(video: VideoTrack, audio?: AudioTrack): Uint8Array {
  const traks = [videoTrak(video)];
  const trexes = [trackExtendsBox(TrackId.VIDEO)];
  if (audio) {
    traks.push(audioTrak(audio));
    trexes.push(trackExtendsBox(TrackId.AUDIO));
  }
  const moov = box('moov', movieHeaderBox(MOVIE_TIMESCALE_HZ, traks.length + 1), ...traks, box('mvex', ...trexes));
  const ftyp = fileTypeBox('ftyp', Brand.ISO6, [Brand.ISO6, Brand.MP41]);
  const out = new Uint8Array(ftyp.byteLength + moov.byteLength);
  out.set(ftyp, 0);
  out.set(moov, ftyp.byteLength);
  return out;
}

function videoTrak(t: VideoTrack): Uint8Array {
  const displayWidth = t.sar && t.sar.height > 0 ? (t.width * t.sar.width) / t.sar.height : t.width;
  const entry = visualSampleEntry(t.sampleEntry, t.width, t.height, t.configBox, t.decoderConfig, t.sar);
  const minf = box('minf', videoMediaHeaderBox(), dataInformationBox(), sampleTableBox(entry));
  const mdia = box('mdia', mediaHeaderBox(VIDEO_TIMESCALE_HZ), handlerBox(HandlerType.VIDEO, 'VideoHandler'), minf);
  return box('trak', trackHeaderBox(TrackId.VIDEO, false, displayWidth, t.height), mdia);
}

function audioTrak(t: AudioTrack): Uint8Array {
  const entry = aacSampleEntry(t.channels, t.sampleRateHz, t.audioSpecificConfig);
  const minf = box('minf', soundMediaHeaderBox(), dataInformationBox(), sampleTableBox(entry));
  const mdia = box('mdia', mediaHeaderBox(t.sampleRateHz), handlerBox(HandlerType.AUDIO, 'SoundHandler'), minf);
  return box('trak', trackHeaderBox(TrackId.AUDIO, true), mdia);
}
