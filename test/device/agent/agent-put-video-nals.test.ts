import { describe, expect, it } from 'vitest';
import { liveSegmenterFactory, type SegmenterPort } from '../../../device/agent/segmenter-port.ts';
import { silentLogger } from '../../../device/core/json-logger.ts';
import { isWholeTs, makeClip, nalsOf, readSegments } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

describe('agent.putVideoNals (s3rver + S3 front + mTLS IoT provider)', () => {
  let clip: Uint8Array[][];
  const stack = useAgentStack({
    beforeAll: (s) => {
      clip = makeClip(s.dir, 4).map(nalsOf);
    },
  });

  it('records access units given as NAL units: every segment encrypted, uploaded and timed as given', async () => {
    const agent = await stack.startAgent(stack.config());
    const t0 = Date.UTC(2025, 2, 1, 12);
    clip.forEach((nals, i) => agent.putVideoNals(nals, t0 + i * 40));
    await agent.stop();
    expect(agent.status()).toMatchObject({ segmentsRecorded: 4, segmentsUploaded: 4, segmentsDropped: 0 });
    const segs = await readSegments(stack, { fromMs: t0, toMs: t0 + 4000 });
    expect(segs.map((s) => s.meta.startMs)).toEqual([t0, t0 + 1000, t0 + 2000, t0 + 3000]);
    for (const s of segs) expect(isWholeTs(s.plain)).toBe(true);
  });

  it('a segmenter without putVideoNals gets the units joined into one Annex-B access unit (putVideoFrame)', async () => {
    const frames: Uint8Array[] = [];
    const agent = await stack.startAgent(stack.config(), {
      log: silentLogger,
      segmenterFactory: (options) => {
        const real = liveSegmenterFactory(options);
        const port: SegmenterPort = {
          pushVideo: (c, t) => real.pushVideo(c, t),
          putVideoFrame: (au, p, d) => {
            frames.push(Uint8Array.from(au));
            real.putVideoFrame(au, p, d);
          },
          pushAudio: (c, t) => real.pushAudio(c, t),
          putAudioFrame: (f, t) => real.putAudioFrame(f, t),
          setAudioEnabled: (on) => real.setAudioEnabled(on),
          closeSegment: () => real.closeSegment(),
          end: () => real.end(),
          stats: () => real.stats(),
        };
        return port;
      },
    });
    const t0 = Date.UTC(2025, 2, 1, 13);
    clip.forEach((nals, i) => agent.putVideoNals(nals, t0 + i * 40));
    await agent.stop();
    expect(frames).toHaveLength(clip.length);
    const sc = Buffer.from([0, 0, 0, 1]);
    frames.forEach((f, i) => expect(Buffer.from(f).equals(Buffer.concat(clip[i]!.flatMap((n) => [sc, n]))), `frame ${i}`).toBe(true));
    expect(agent.status()).toMatchObject({ segmentsRecorded: 4, segmentsUploaded: 4 });
    expect((await readSegments(stack, { fromMs: t0, toMs: t0 + 4000 })).map((s) => s.meta.startMs)).toEqual([t0, t0 + 1000, t0 + 2000, t0 + 3000]);
  });
});
