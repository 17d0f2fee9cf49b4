import { describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../../device/agent/agent.ts';
import { silentLogger } from '../../../device/core/json-logger.ts';
import { VideoStage } from '../../../device/media/video/video-stage.ts';
import type { AssembledUnit } from '../../../device/media/video/video-unit.ts';
import { AnnexBSplitter, DEFAULT_MAX_NAL_BYTES } from '../../../media/bitstream/annexb-splitter.ts';
import { makeClip, nalsOf } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

/** The access units as the raw-file source's assembler splits them (assemble only, no parser). */
function assembledUnitsOf(frames: readonly Uint8Array[]): AssembledUnit[] {
  const out: AssembledUnit[] = [];
  const stage = new VideoStage({ maxFrameBytes: DEFAULT_MAX_NAL_BYTES, onUnit: () => undefined, onAssembled: (u) => out.push(u) });
  const s = new AnnexBSplitter((e) => stage.push(e));
  for (const f of frames) s.push(f);
  s.flush();
  stage.flush();
  return out;
}

/** Whether the promise has settled by the next turn of the event loop. */
const settled = (p: Promise<void>): Promise<boolean> => Promise.race([p.then(() => true), new Promise<boolean>((r) => setImmediate(() => r(false)))]);

describe('agent.firstVideoFrame (s3rver + S3 front + mTLS IoT provider)', () => {
  let clip: Uint8Array[];
  const stack = useAgentStack({
    beforeAll: (s) => {
      clip = makeClip(s.dir, 1);
    },
  });

  /** Every way video reaches the agent, each handing over the clip's first frame. */
  const entryPoints: Record<string, (agent: Agent, t0: number) => void> = {
    putVideoFrame: (agent, t0) => agent.putVideoFrame(clip[0]!, t0),
    putVideoNals: (agent, t0) => agent.putVideoNals(nalsOf(clip[0]!), t0),
    putVideoAssembled: (agent, t0) => agent.putVideoAssembled(assembledUnitsOf(clip)[0]!, t0),
    pushVideo: (agent, t0) => agent.pushVideo(clip[0]!, t0),
  };

  for (const [name, put] of Object.entries(entryPoints)) {
    it(`settles once the first video frame comes in by ${name}, not before`, async () => {
      const agent = await stack.startAgent(stack.config());
      expect(await settled(agent.firstVideoFrame)).toBe(false);
      put(agent, Date.now());
      expect(await settled(agent.firstVideoFrame)).toBe(true);
      expect(agent.status()).toMatchObject({ inputErrors: 0 });
    });
  }

  it('video the agent does not take (before start, in privacy pause) does not count', async () => {
    const agent = createAgent(stack.config(), { log: silentLogger });
    agent.putVideoFrame(clip[0]!);
    agent.putVideoAssembled(assembledUnitsOf(clip)[0]!);
    expect(await settled(agent.firstVideoFrame)).toBe(false);
    await agent.start();
    try {
      agent.setPrivacy(true);
      agent.putVideoFrame(clip[0]!);
      agent.putVideoNals(nalsOf(clip[0]!));
      agent.pushVideo(clip[0]!);
      expect(await settled(agent.firstVideoFrame)).toBe(false);
      agent.setPrivacy(false);
      agent.putVideoFrame(clip[0]!);
      expect(await settled(agent.firstVideoFrame)).toBe(true);
    } finally {
      await agent.stop();
    }
  });
});
