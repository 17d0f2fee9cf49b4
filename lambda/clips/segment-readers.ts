import { createHash } from 'node:crypto';
import { initKey, type ClipManifest } from '../../contract/index.ts';
import { readFmp4Init } from '../../media/clip/fmp4-init-reader.ts';
import { fmp4SegmentReader } from '../../media/clip/fmp4-segment-reader.ts';
import type { SegmentReader } from '../../media/clip/segment-samples.ts';
import { readTsSegment } from '../../media/clip/ts-segment-reader.ts';
import { MediaError } from '../../media/media-error.ts';
import { ClipExportError } from './clip-export-error.ts';
import type { ClipSourceSegment } from './clip-sources.ts';

/** Reads an object's bytes, or undefined when it does not exist. */
export type ObjectReader = (key: string) => Promise<Uint8Array | undefined>;

export interface ClipSegmentReaders {
  /** The container adapter for a segment: MPEG-TS, or fMP4 against its init section (read, checked and parsed once per clip). */
  readerFor(s: ClipSourceSegment): Promise<SegmentReader>;
  /** The init sections read so far, for the manifest. */
  inits(): NonNullable<ClipManifest['inits']>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Container adapters for one clip. fMP4 segments need their init section (EXT-X-MAP,
 * clear, `init/{deviceId}/{initId}.mp4`), whose id is the first 16 bytes of the SHA-256 of
 * its bytes: it is checked against that before it is believed, as segments are checked
 * against the camera's checksum.
 */
export function clipSegmentReaders(deviceId: string, readObject: ObjectReader): ClipSegmentReaders {
  const cache = new Map<string, Promise<SegmentReader>>();
  const used: NonNullable<ClipManifest['inits']> = [];

  async function loadInit(initId: string, s: ClipSourceSegment): Promise<SegmentReader> {
    const key = initKey({ deviceId, initId });
    const bytes = await readObject(key);
    if (!bytes)
      throw new ClipExportError(
        'source_missing',
        `the init section ${key} that the segment at ${iso(s.startMs)} needs is gone: fMP4 segments cannot be read without it`,
      );
    const digest = createHash('sha256').update(bytes).digest();
    if (digest.subarray(0, 16).toString('hex') !== initId)
      throw new ClipExportError('source_changed', `the init section ${key} does not have the SHA-256 its name says: the clip is not made`);
    let reader: SegmentReader;
    try {
      reader = fmp4SegmentReader(readFmp4Init(bytes));
    } catch (err) {
      if (err instanceof MediaError) throw new ClipExportError('unreadable_segment', `the init section ${key} cannot be read: ${err.message}`, { cause: err });
      throw err;
    }
    used.push({ initId, source: key, sha256: digest.toString('base64') });
    return reader;
  }

  return {
    async readerFor(s) {
      if (s.container === 'ts') return readTsSegment;
      if (s.container !== 'fmp4')
        throw new ClipExportError('unsupported_container', `the segment at ${iso(s.startMs)} is in a '${s.container}' container, which clips cannot read`);
      if (s.initId === undefined)
        throw new ClipExportError('unreadable_segment', `the fMP4 segment at ${iso(s.startMs)} names no init section in the index: it cannot be read`);
      let p = cache.get(s.initId);
      if (!p) cache.set(s.initId, (p = loadInit(s.initId, s)));
      return p;
    },
    inits: () => [...used],
  };
}
