import type { AgentParts } from './compose-agent.ts';

export interface StopOptions {
  /** When everything must be done (UTC ms, the agent's clock). */
  readonly deadlineMs: number;
  readonly now: () => number;
  /** Uploads run (no privacy pause): finish the open segment and give them the time left. */
  readonly uploading: boolean;
  readonly noteError: (err: Error) => void;
}

/**
 * Shutdown, in order: the open segment is finished (unless in privacy pause), the open
 * event ends, the segment queue runs out (until 0.5 s before the deadline), uploads get
 * the time left but 1 s, then whatever still waits is spooled for the next start.
 */
export async function stopParts(p: AgentParts, o: StopOptions): Promise<void> {
  if (o.uploading) {
    try {
      p.segmenter.end();
    } catch (err) {
      o.noteError(err as Error);
    }
  }
  p.heartbeat.stop();
  p.events.shutdown();
  p.queue.run(async () => p.committer.release(p.policy.releaseAll()));
  await withDeadline(p.queue.idle(), o.deadlineMs - o.now() - 500);
  if (o.uploading) await p.uploader.drained(Math.max(0, o.deadlineMs - o.now() - 1000));
  await p.uploader.stop(0);
  await withDeadline(p.backlog.spillAll(), Math.max(100, o.deadlineMs - o.now()));
  p.keys.forget();
  p.closePutter();
  await p.seqState.close().catch((err: Error) => o.noteError(err));
  await p.spool.close();
}

async function withDeadline(p: Promise<unknown>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  await Promise.race([p.catch(() => {}), new Promise<void>((r) => (t = setTimeout(r, Math.max(0, ms))))]);
  clearTimeout(t);
}
