/**
 * The clip export's media path over segment files, as one process (for bench:clip's
 * time and peak memory): read each AES-128 segment, decrypt, read the TS, remux into the
 * MP4 (Mp4ClipWriter) and write it out as it goes. Usage: export-segments.ts LIST OUT
 * where LIST is JSON {key, segments: [{file, iv, startMs, discSeq}]}. Prints JSON
 * {seconds, bytes, maxRssMb} on stdout.
 */
import { createDecipheriv } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { Mp4ClipWriter } from '../../media/clip/mp4-clip-writer.ts';
import { readTsSegment } from '../../media/clip/ts-segment-reader.ts';

interface List {
  key: string;
  segments: { file: string; iv: string; startMs: number; durationMs: number; discSeq: number }[];
}

const [listFile, outFile] = process.argv.slice(2);
const list = JSON.parse(await readFile(listFile!, 'utf8')) as List;
const key = Buffer.from(list.key, 'hex');
const t0 = performance.now();
const first = list.segments[0]!;
const last = list.segments[list.segments.length - 1]!;
const writer = new Mp4ClipWriter({ startMs: first.startMs, durationMs: last.startMs + last.durationMs - first.startMs });
const out = await open(outFile!, 'w');
let bytes = 0;
for (const s of list.segments) {
  const d = createDecipheriv('aes-128-cbc', key, Buffer.from(s.iv, 'hex'));
  const plain = Buffer.concat([d.update(await readFile(s.file)), d.final()]);
  for (const c of writer.push(readTsSegment(plain), { startMs: s.startMs, discSeq: s.discSeq })) {
    await out.write(c);
    bytes += c.byteLength;
  }
}
for (const c of writer.finish()) {
  await out.write(c);
  bytes += c.byteLength;
}
await out.close();
process.stdout.write(JSON.stringify({ seconds: (performance.now() - t0) / 1000, bytes, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
