import { createDecipheriv } from 'node:crypto';
import HLS from 'hls-parser';
import { pesStarts, readPackets } from '../fixtures/ts-inspect.ts';

/** One media segment of a playlist, fetched and decrypted (AES-128, the playlist's key and IV). */
export interface FetchedSegment {
  uri: string;
  extinfS: number;
  discontinuity: boolean;
  ts: Uint8Array;
}

/** Fetches every segment of a media playlist and decrypts it with node:crypto (an independent AES). */
export async function fetchDecryptedSegments(playlistUrl: string): Promise<{ targetDuration: number; segments: FetchedSegment[] }> {
  const text = await (await fetch(playlistUrl)).text();
  const pl = HLS.parse(text) as HLS.types.MediaPlaylist;
  const keys = new Map<string, Buffer>();
  const out: FetchedSegment[] = [];
  for (const s of pl.segments) {
    const uri = new URL(s.uri, playlistUrl).href;
    const res = await fetch(uri);
    if (!res.ok) throw new Error(`GET ${uri}: ${res.status}`);
    let ts: Uint8Array = new Uint8Array(await res.arrayBuffer());
    if (s.key && s.key.method === 'AES-128') {
      const keyUri = new URL(s.key.uri!, playlistUrl).href;
      let key = keys.get(keyUri);
      if (!key) {
        key = Buffer.from(await (await fetch(keyUri)).arrayBuffer());
        keys.set(keyUri, key);
      }
      const d = createDecipheriv('aes-128-cbc', key, Buffer.from(s.key.iv!));
      ts = Buffer.concat([d.update(ts), d.final()]);
    }
    out.push({ uri, extinfS: s.duration, discontinuity: s.discontinuity ?? false, ts });
  }
  return { targetDuration: pl.targetDuration, segments: out };
}

/** Video DTS and audio PTS of every PES, in file order, unwrapped across the 33-bit wrap. */
export function timestampsOf(segments: readonly FetchedSegment[]): { videoDts: number[]; audioPts: number[]; videoFrames: number[] } {
  const videoDts: number[] = [];
  const audioPts: number[] = [];
  const videoFrames: number[] = [];
  const unwrap = (list: number[], v: number) => {
    const last = list.at(-1);
    let x = v;
    if (last !== undefined) while (x - last < -(2 ** 32)) x += 2 ** 33;
    list.push(x);
  };
  for (const s of segments) {
    let frames = 0;
    for (const p of pesStarts(readPackets(s.ts))) {
      if (p.pid === 0x100) {
        unwrap(videoDts, p.dts ?? p.pts!);
        frames++;
      } else if (p.pid === 0x101) unwrap(audioPts, p.pts!);
    }
    videoFrames.push(frames);
  }
  return { videoDts, audioPts, videoFrames };
}
