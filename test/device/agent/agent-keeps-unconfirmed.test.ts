import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../device/agent/agent.ts';
import { createJsonLogger, type Logger } from '../../../device/core/json-logger.ts';
import { failingDisk, type FailingDisk } from '../../support/failing-disk.ts';
import { isWholeTs, listKeys, makeClip, readSegments, until } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

/**
 * "A segment leaves the camera only after S3 confirmed it": the agent against s3rver
 * behind the local S3 front and the fault proxy, with S3 answering what a wrong setting
 * or a concurrent writer makes it answer, and with a spool on a disk that fails. Every
 * segment must land once the cause is gone; none may be dropped meanwhile; the status and
 * the log must say what is wrong.
 */
const day = (n: number) => Date.UTC(2024, 5, n, 12);
const DAY_MS = 86_400_000;

/** A logger that keeps every line, to check that the agent said it loudly. */
function recordingLogger(): Logger & { lines: { level: string; msg: string; fields?: Record<string, unknown> }[] } {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const log = createJsonLogger({
    level: 'debug',
    out: { write: (line: string) => (lines.push(JSON.parse(line)), true) } as never,
  });
  return Object.assign(log, { lines });
}

describe('the agent keeps every segment S3 has not confirmed (s3rver + S3 front + fault proxy)', () => {
  let clip: Uint8Array[];
  let agent: Agent | undefined;
  const stack = useAgentStack({
    beforeAll: (s) => {
      clip = makeClip(s.dir, 6);
    },
    afterEach: async (s) => {
      await s.proxy.setFault(undefined);
    },
  });

  const feed = (a: Agent, base: number) => {
    clip.forEach((f, i) => a.putVideoFrame(f, base + i * 40));
    a.cutSegment();
  };

  async function expectAllLanded(base: number, count: number): Promise<void> {
    const segs = await readSegments(stack, { fromMs: base, toMs: base + DAY_MS });
    expect(segs).toHaveLength(count);
    const seqs = segs.map((s) => s.meta.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    for (const s of segs) expect(isWholeTs(s.plain)).toBe(true);
  }

  it.each([
    ['409 ConditionalRequestConflict (a concurrent conditional write; AWS says retry)', 409, 'ConditionalRequestConflict', 'conflict'],
    ['404 NoSuchBucket (a wrong bucket in device.json)', 404, 'NoSuchBucket', 'configuration'],
    ['301 PermanentRedirect (the bucket is in another region)', 301, 'PermanentRedirect', 'configuration'],
  ] as const)('%s: every segment is kept, and lands once S3 accepts', async (_, status, code, kind) => {
    const base = day(status === 409 ? 1 : status === 404 ? 2 : 3);
    await stack.proxy.setFault({ kind: 'http-status', status, code });
    stack.proxy.cutAll();
    const log = recordingLogger();
    agent = await stack.startAgent(stack.config(), { log });
    feed(agent, base);
    await until(`${code} answered at least 4 times`, () => agent!.status().uploadFailures >= 4 && agent!.status().segmentsRecorded === 6);
    const st = agent.status();
    expect(st.segmentsDropped).toBe(0);
    expect(st.segmentsUploaded).toBe(0);
    expect(st.backlog.segments).toBe(6);
    if (kind === 'configuration') {
      expect(st.uploadBlocked).toMatchObject({ kind: 'configuration', code });
      expect(log.lines.some((l) => l.level === 'error' && /UPLOADS BLOCKED/.test(l.msg))).toBe(true);
    }
    expect(await listKeys(stack, 'segments')).not.toContain(expect.stringContaining(String(base)));
    await stack.proxy.setFault(undefined);
    await until('all 6 landed', () => agent!.status().segmentsUploaded === 6 && agent!.status().backlog.objects === 0, 30_000);
    expect(agent.status().uploadBlocked).toBeNull();
    expect(agent.status().segmentsDropped).toBe(0);
    await expectAllLanded(base, 6);
  });

  it('requests signed for the wrong region (AuthorizationHeaderMalformed from the S3 front): kept; after fixing region and restarting, all land', async () => {
    const base = day(4);
    const wrong = stack.config({ region: 'eu-central-1' });
    agent = await stack.startAgent(wrong, { log: recordingLogger() });
    feed(agent, base);
    await until('refused several times', () => agent!.status().uploadFailures >= 3 && agent!.status().segmentsRecorded === 6);
    expect(agent.status().uploadBlocked).toMatchObject({ kind: 'configuration', code: 'AuthorizationHeaderMalformed' });
    expect(agent.status().uploadBlocked?.message).toMatch(/region/);
    expect(agent.status().segmentsDropped).toBe(0);
    await agent.stop();
    // The operator fixes device.json; the agent restarts on the same spool and state.
    agent = await stack.startAgent({ ...wrong, region: 'us-east-1' }, { log: recordingLogger() });
    await until('the spool drained', () => agent!.status().backlog.objects === 0, 30_000);
    await expectAllLanded(base, 6);
  });

  it('a spool entry that fails to read at run time (EISDIR) is kept and read again, not dropped', async () => {
    const base = day(5);
    await stack.proxy.setFault({ kind: 'refuse' });
    stack.proxy.cutAll();
    const config = stack.config({ upload: { concurrency: 1, retryBaseSeconds: 0.05, retryMaxSeconds: 0.3, requestTimeoutSeconds: 5 } });
    agent = await stack.startAgent(config, { log: recordingLogger() });
    feed(agent, base);
    await until('all spooled', () => agent!.status().segmentsRecorded === 6 && agent!.status().spool.entries >= 7);
    // One segment's spool file turns into something that cannot be read (the read fails with EISDIR).
    const victim = readdirSync(config.buffer.spoolDir)
      .filter((f) => f.startsWith('s-'))
      .sort()[2]!;
    const path = join(config.buffer.spoolDir, victim);
    const bytes = readFileSync(path);
    renameSync(path, `${path}.bytes`);
    mkdirSync(path);
    await stack.proxy.setFault(undefined);
    await until('the unreadable entry was tried', () => agent!.status().spoolReadErrors > 0 && agent!.status().segmentsUploaded === 5, 30_000);
    expect(agent.status().segmentsDropped).toBe(0);
    expect(agent.status().spoolCorrupt).toBe(0);
    expect(agent.status().backlog.segments).toBe(1);
    // The disk recovers: the same entry is read and uploaded.
    rmSync(path, { recursive: true });
    writeFileSync(path, bytes);
    await until('the last one landed', () => agent!.status().backlog.objects === 0, 30_000);
    await expectAllLanded(base, 6);
  });

  it('at start-up, a proven-corrupt entry is deleted and counted; one that fails to read is kept on disk', async () => {
    const base = day(6);
    await stack.proxy.setFault({ kind: 'refuse' });
    stack.proxy.cutAll();
    const config = stack.config();
    agent = await stack.startAgent(config, { log: recordingLogger() });
    feed(agent, base);
    await until('all spooled', () => agent!.status().segmentsRecorded === 6 && agent!.status().spool.entries >= 7);
    await agent.stop();
    const files = readdirSync(config.buffer.spoolDir)
      .filter((f) => f.startsWith('s-'))
      .sort();
    const corruptFile = join(config.buffer.spoolDir, files[0]!);
    const bad = readFileSync(corruptFile);
    writeFileSync(corruptFile, bad.subarray(0, bad.length - 10)); // truncated: the header's size no longer matches
    const stuck = join(config.buffer.spoolDir, files[1]!);
    const stuckBytes = readFileSync(stuck);
    rmSync(stuck);
    mkdirSync(stuck);
    await stack.proxy.setFault(undefined);
    agent = await stack.startAgent(config, { log: recordingLogger() });
    await until('the readable ones landed', () => agent!.status().backlog.objects === 0, 30_000);
    expect(agent.status().spoolCorrupt).toBe(1);
    expect(agent.status().spool.unreadable).toBe(1);
    expect(readdirSync(config.buffer.spoolDir)).toContain(files[1]); // still on disk
    expect((await readSegments(stack, { fromMs: base, toMs: base + DAY_MS })).length).toBe(4);
    await agent.stop();
    rmSync(stuck, { recursive: true });
    writeFileSync(stuck, stuckBytes);
    agent = await stack.startAgent(config, { log: recordingLogger() });
    await until('the kept one landed', () => agent!.status().backlog.objects === 0, 30_000);
    expect((await readSegments(stack, { fromMs: base, toMs: base + DAY_MS })).length).toBe(5);
  });
});

describe('a spool on a disk that fails, with write-through on (the default)', () => {
  let clip: Uint8Array[];
  let agent: Agent | undefined;
  const disks: FailingDisk[] = [];
  const stack = useAgentStack({
    beforeAll: (s) => {
      clip = makeClip(s.dir, 6);
    },
    afterEach: async (s) => {
      for (const d of disks.splice(0)) await d.dispose();
      await s.proxy.setFault(undefined);
    },
  });

  it.each(['full', 'read-only'] as const)(
    'a %s disk: segments stay in memory and land, the spool is reported failed, and a key rotation still works',
    async (mode) => {
      const base = mode === 'full' ? day(10) : day(11);
      const disk = await failingDisk(join(stack.dir, `spool-${mode}`), mode);
      disks.push(disk);
      let skewMs = 0;
      const config = stack.config({ buffer: { spoolDir: disk.dir, spoolMaxBytes: 64 * 1024 * 1024 }, keyRotationSeconds: 10 });
      const log = recordingLogger();
      agent = await stack.startAgent(config, { log, now: () => Date.now() + skewMs });
      expect(agent.status().spool.failed).toBeNull();
      await disk.fail();
      clip.forEach((f, i) => agent!.putVideoFrame(f, base + i * 40));
      agent.cutSegment();
      await until('first batch landed', () => agent!.status().segmentsUploaded === 6 && agent!.status().backlog.objects === 0, 30_000);
      const st = agent.status();
      expect(st.segmentsDropped).toBe(0);
      expect(st.spoolWriteErrors).toBeGreaterThan(0);
      const failures = log.lines.filter((l) => l.level === 'error' && /SPOOL FAILED/.test(l.msg));
      expect(JSON.stringify(failures)).toContain(disk.failure);
      // A read-only (or vanished) disk stays failed; a full one takes writes again as confirmed entries free space.
      if (disk.failure !== 'ENOSPC') expect(st.spool.failed?.message).toMatch(new RegExp(disk.failure));
      // Key rotation while the disk is dead: the new wrapped key cannot be spooled either.
      skewMs += 11_000;
      clip.forEach((f, i) => agent!.putVideoFrame(f, base + 60_000 + i * 40));
      agent.cutSegment();
      await until('second batch landed', () => agent!.status().segmentsUploaded === 12 && agent!.status().backlog.objects === 0, 30_000);
      expect(agent.status().segmentsDropped).toBe(0);
      const segs = await readSegments(stack, { fromMs: base, toMs: base + DAY_MS });
      expect(segs).toHaveLength(12);
      expect(new Set(segs.map((s) => s.meta.keyId)).size).toBe(2);
      for (const s of segs) expect(isWholeTs(s.plain)).toBe(true);
      // The disk comes back: the next spool write clears the failure.
      await disk.heal();
      await stack.proxy.setFault({ kind: 'refuse' });
      stack.proxy.cutAll();
      clip.slice(0, 50).forEach((f, i) => agent!.putVideoFrame(f, base + 120_000 + i * 40));
      agent.cutSegment();
      await until('spooling again', () => agent!.status().spool.failed === null, 30_000);
    },
  );
});
