import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pesStarts, readPackets } from '../../fixtures/ts-inspect.ts';
import { ffmpegWarnings } from '../../fixtures/playlist-judges.ts';
import { makeClip, readSegments, sleep, until } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

/** The library API takes G.711 (what many cameras' audio chips give) when ffmpeg is there to transcode it. */
describe('agent.putG711Audio', () => {
  let clip: Uint8Array[];
  let alaw: Uint8Array;
  const stack = useAgentStack({
    beforeAll: (s) => {
      clip = makeClip(s.dir, 4);
      const file = join(s.dir, 'tone.alaw');
      execFileSync('/usr/bin/ffmpeg', [
        '-v',
        'error',
        '-y',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=8000:duration=4',
        '-c:a',
        'pcm_alaw',
        '-f',
        'alaw',
        file,
      ]);
      alaw = readFileSync(file);
    },
  });

  it('records G.711 A-law as AAC beside the video, on the capture times given, with no gap at segment joins', async () => {
    const agent = await stack.startAgent(stack.config());
    const base = Date.UTC(2025, 2, 1, 12);
    // 40 ms ticks as firmware calls: one video frame and 320 samples (40 ms at 8 kHz) each, in real time.
    for (let i = 0; i < 100; i++) {
      agent.putVideoFrame(clip[i]!, base + i * 40);
      agent.putG711Audio(alaw.subarray(i * 320, (i + 1) * 320), { law: 'alaw' }, base + i * 40);
      await sleep(40);
    }
    await sleep(500); // the transcoder's last frames
    agent.cutSegment();
    await until('uploaded', () => agent.status().segmentsUploaded >= 4 && agent.status().backlog.objects === 0, 30_000);
    await agent.stop();
    const segs = await readSegments(stack, { fromMs: base, toMs: base + 10_000 });
    expect(segs.map((s) => s.meta.durationMs)).toEqual([1000, 1000, 1000, 1000]);
    expect(segs.map((s) => s.meta.codecs.split(',')[1])).toEqual(['mp4a.40.2', 'mp4a.40.2', 'mp4a.40.2', 'mp4a.40.2']);
    // Audio covers each segment: AAC frames of 128 ms at 8 kHz, PTS rising across joins, no hole over one frame.
    const audioPts = segs.flatMap((s) =>
      pesStarts(readPackets(s.plain))
        .filter((p) => p.pid === 0x101)
        .map((p) => p.pts!),
    );
    for (let i = 1; i < audioPts.length; i++) {
      expect(audioPts[i]!).toBeGreaterThan(audioPts[i - 1]!);
      expect(audioPts[i]! - audioPts[i - 1]!, `audio PES ${i}`).toBeLessThanOrEqual(8 * 1024 * (90_000 / 8000) + 1);
    }
    const file = join(stack.dir, 'g711.ts');
    writeFileSync(file, Buffer.concat(segs.map((s) => s.plain)));
    const probe = execFileSync('/usr/bin/ffprobe', [
      '-v',
      'error',
      '-select_streams',
      'a:0',
      '-show_entries',
      'stream=codec_name,sample_rate:packet=pts_time',
      '-of',
      'json',
      file,
    ]).toString();
    const j = JSON.parse(probe) as { streams: { codec_name: string; sample_rate: string }[]; packets: { pts_time: string }[] };
    expect(j.streams[0]).toEqual({ codec_name: 'aac', sample_rate: '8000' });
    const first = Number(j.packets[0]!.pts_time);
    const last = Number(j.packets.at(-1)!.pts_time);
    expect(last - first).toBeGreaterThan(3.5);
    expect(ffmpegWarnings(file)).toBe('');
  }, 60_000);
});
