import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWholeTs, makeClip, readSegments, sleep, until } from '../../support/agent-harness.ts';
import { useAgentStack } from '../../support/agent-stack.ts';

const ROOT = resolve(import.meta.dirname, '../../..');

/** Runs `camrec agent` as a child; collects the object keys it logged as recorded. */
function runAgent(configFile: string, recorded: Set<string>): { child: ChildProcess; exited: Promise<number | null>; started: () => boolean } {
  let started = false;
  const child = spawn(process.execPath, [join(ROOT, 'bin/camrec.js'), 'agent', '--config', configFile, '--status-seconds', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let buf = '';
  child.stderr!.on('data', (c: Buffer) => {
    buf += c.toString('utf8');
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const rec = JSON.parse(line) as { msg?: string; objectKey?: string };
        if (rec.msg === 'segment recorded' && rec.objectKey) recorded.add(rec.objectKey);
        if (rec.msg === 'agent started') started = true;
      } catch {
        // not a log line
      }
    }
  });
  return { child, exited: new Promise((r) => child.on('exit', (code) => r(code))), started: () => started };
}

describe('kill -9 at any point', () => {
  let clipFile: string;
  const stack = useAgentStack({
    beforeAll: (s) => {
      const frames = makeClip(s.dir, 4);
      clipFile = join(s.dir, 'clip.h264');
      writeFileSync(clipFile, Buffer.concat(frames));
    },
  });

  for (const writeThrough of [true, false]) {
    it(`no segment lost, duplicated or corrupt after repeated kill -9 (writeThrough ${writeThrough})`, async () => {
      const cfg = stack.config({
        buffer: { spoolDir: join(stack.dir, `spool-${writeThrough}`), writeThrough },
        source: { type: 'file', path: clipFile, fps: 25, loop: true },
        log: { level: 'debug' },
      });
      const file = join(stack.dir, `device-${writeThrough}.json`);
      writeFileSync(file, JSON.stringify({ ...cfg, s3: { ...cfg.s3 } }));
      const recorded = new Set<string>();
      const startedAt = Date.now();
      const kills = writeThrough ? 2 : 1;
      // Network down: everything recorded goes through the spool; kill at random moments.
      await stack.proxy.setFault({ kind: 'refuse' });
      for (let k = 0; k < kills; k++) {
        const before = recorded.size;
        const { child, exited } = runAgent(file, recorded);
        await until('a few segments recorded', () => recorded.size >= before + 2, 30_000);
        await sleep(Math.floor(Math.random() * 1000));
        child.kill('SIGKILL');
        await exited;
      }
      // Network back for one last run that drains the spool, then a clean stop.
      await stack.proxy.setFault(undefined);
      const last = runAgent(file, recorded);
      const landed = async () => (await readSegments(stack, { fromMs: startedAt })).length;
      await until('last run started', last.started, 30_000);
      await until('spool drained', async () => (await landed()) >= recorded.size - (writeThrough ? 0 : 2 * kills), 40_000);
      await sleep(500);
      last.child.kill('SIGTERM');
      expect(await last.exited).toBe(0);

      const segs = await readSegments(stack, { fromMs: startedAt });
      const keys = new Set(segs.map((s) => s.key));
      const missing = [...recorded].filter((k) => !keys.has(k));
      // Write-through: every segment the agent called recorded survives. Memory first: at
      // most the segments still in their first PUT when killed (concurrency 2) per kill.
      expect(missing.length).toBeLessThanOrEqual(writeThrough ? 0 : 2 * kills);
      for (const s of segs) expect(isWholeTs(s.plain)).toBe(true);
      expect(new Set(segs.map((s) => s.meta.startMs)).size).toBe(segs.length); // never twice under different keys
      const seqs = segs.map((s) => s.meta.seq);
      expect(new Set(seqs).size).toBe(seqs.length);
      const byStart = [...segs].sort((a, b) => a.meta.startMs - b.meta.startMs).map((s) => s.meta.seq);
      expect(byStart).toEqual([...byStart].sort((a, b) => a - b)); // seq never goes back across restarts
      expect(new Set(segs.map((s) => s.meta.discSeq)).size).toBeGreaterThanOrEqual(kills + 1); // each boot is a discontinuity
      await stack.proxy.setFault(undefined);
    });
  }
});
