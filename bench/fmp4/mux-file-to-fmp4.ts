import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnnexBSplitter } from '../../media/bitstream/annexb-splitter.ts';
import { encryptSegmentInPlace } from '../../device/media/encrypt/encrypt-segment.ts';
import { ReadBufferPool } from '../../device/media/file/read-buffer-pool.ts';
import { Fmp4Muxer, fmp4SegmentBuffer } from '../../media/fmp4/fmp4-muxer.ts';
import type { VideoSample } from '../../media/fmp4/fmp4-input.ts';
import { avcVideoTrack, hevcVideoTrack, type VideoTrack } from '../../media/fmp4/tracks.ts';
import { AccessUnitAssembler } from '../../media/h264/access-unit-assembler.ts';
import { HevcAccessUnitAssembler } from '../../media/h265/access-unit-assembler.ts';
import { HevcParameterSets } from '../../media/h265/parameter-sets.ts';

const READ_BYTES = 1 << 20;

/**
 * The in-process path the benchmark times, built from this branch's stages until the
 * staged pipeline lands: 1 MB reads into reused buffers (as `camrec segment` reads) ->
 * Annex-B splitter -> access units (H.265 or H.264) -> cut at the first sync picture
 * at/after `segmentSeconds` (timestamps from the frame rate, no B-frames) -> Fmp4Muxer ->
 * AES-128 in place (unless `encrypt` is false) -> one write per segment (+ init and a
 * playlist). Returns the bytes read and the segments written.
 */
export function muxFileToFmp4(
  input: string,
  outDir: string,
  codec: 'hevc' | 'h264',
  o: { segmentSeconds: number; fps: number; encrypt?: boolean },
): { inputBytes: number; segments: number; outputBytes: number } {
  mkdirSync(outDir, { recursive: true });
  const key = randomBytes(16);
  const frameTicks = Math.round(90_000 / o.fps);
  const segmentTicks = o.segmentSeconds * 90_000;
  let muxer: Fmp4Muxer | undefined;
  let pending: VideoSample[] = [];
  /** Stream offset of the first pending picture: read buffers before it can be reused. */
  let pendingFrom = Number.POSITIVE_INFINITY;
  let dts = 0;
  let segments = 0;
  let outputBytes = 0;
  const playlist: string[] = [];

  const flush = (endDts: number): void => {
    if (!pending.length || !muxer) return;
    const plain = muxer.writeSegment({ video: pending, videoEndDts: endDts });
    const iv = randomBytes(16);
    const body = o.encrypt === false ? plain : encryptSegmentInPlace(fmp4SegmentBuffer(plain), plain.byteLength, key, iv);
    const name = `seg-${String(segments).padStart(5, '0')}.m4s`;
    writeFileSync(join(outDir, name), body);
    if (o.encrypt !== false) playlist.push(`#EXT-X-KEY:METHOD=AES-128,URI="key.bin",IV=0x${iv.toString('hex')}`);
    playlist.push(`#EXTINF:${((endDts - pending[0]!.dts) / 90_000).toFixed(3)},`, name);
    outputBytes += body.byteLength;
    segments++;
    muxer.recycle(plain);
    pending = [];
    pendingFrom = Number.POSITIVE_INFINITY;
  };
  const picture = (nals: Uint8Array[], isSync: boolean, offset: number, track: () => VideoTrack): void => {
    if (!muxer) {
      if (!isSync) return;
      muxer = new Fmp4Muxer({ video: track(), decodeShiftTicks: 0 });
      writeFileSync(join(outDir, 'init.mp4'), muxer.initSegment);
    }
    if (isSync && pending.length && dts - pending[0]!.dts >= segmentTicks) flush(dts);
    // NAL units are views into the read buffer they came from: it is not reused while they wait.
    if (!pending.length) pendingFrom = offset;
    pending.push({ dts, pts: dts, isSync, nals });
    dts += frameTicks;
  };

  let push: (e: Parameters<AnnexBSplitter['push']>[0]) => void;
  let end: () => void;
  let heldFrom: () => number;
  if (codec === 'hevc') {
    const sets = new HevcParameterSets();
    const asm = new HevcAccessUnitAssembler((au) => {
      if (au.vps.length || au.sps.length || au.pps.length) sets.update(au);
      if (au.hasVcl && !au.corrupt) picture(au.nals, au.isIrap, au.offset, () => hevcVideoTrack(sets.arrays()));
    });
    const splitter = new AnnexBSplitter((e) => asm.push(e));
    push = (chunk) => splitter.push(chunk);
    end = () => {
      splitter.flush();
      asm.flush();
    };
    heldFrom = () => Math.min(splitter.heldFrom, asm.heldFrom ?? Number.POSITIVE_INFINITY, pendingFrom);
  } else {
    let sps: Uint8Array | undefined;
    let pps: Uint8Array | undefined;
    const asm = new AccessUnitAssembler((au) => {
      if (au.sps) sps = au.sps.nal.slice();
      if (au.pps.length) pps = au.pps[0]!.slice();
      if (au.hasVcl && !au.corrupt) picture(au.nals, au.isIdr, au.offset, () => avcVideoTrack({ sps: [sps!], pps: [pps!] }));
    });
    const splitter = new AnnexBSplitter((e) => asm.push(e));
    push = (chunk) => splitter.push(chunk);
    end = () => {
      splitter.flush();
      asm.flush();
    };
    heldFrom = () => Math.min(splitter.heldFrom, asm.heldFrom ?? Number.POSITIVE_INFINITY, pendingFrom);
  }

  const fd = openSync(input, 'r');
  // Enough 1 MB buffers for a segment of pictures waiting to be muxed (6 s at ~3 MB/s) and some.
  const reads = new ReadBufferPool(READ_BYTES, 48);
  let inputBytes = 0;
  try {
    for (;;) {
      const chunk = reads.take(heldFrom(), inputBytes);
      const n = readSync(fd, chunk, 0, chunk.byteLength, null);
      reads.filled(chunk, inputBytes, inputBytes + n);
      if (n === 0) break;
      inputBytes += n;
      push(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  end();
  flush(dts);
  writeFileSync(join(outDir, 'key.bin'), key);
  const target = Math.ceil(Math.max(o.segmentSeconds, ...playlist.filter((l) => l.startsWith('#EXTINF')).map((l) => Number(l.slice(8, -1)))));
  writeFileSync(
    join(outDir, 'index.m3u8'),
    [
      '#EXTM3U',
      '#EXT-X-VERSION:7',
      `#EXT-X-TARGETDURATION:${target}`,
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXT-X-MAP:URI="init.mp4"',
      ...playlist,
      '#EXT-X-ENDLIST',
      '',
    ].join('\n'),
  );
  return { inputBytes, segments, outputBytes };
}
