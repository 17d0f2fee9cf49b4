import type { AgentStatus } from '../../device/core/agent-status.ts';
import type { AgentChild } from './agent-child.ts';

const POLL_MS = 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one fault did, for the fault table. */
export interface FaultOutcome {
  label: string;
  camera: string | undefined;
  startS: number;
  endS: number;
  /** Seconds from the fault's end until the backlog drained (undefined: not before the run ended). */
  recoveryS: number | undefined;
  note: string;
}

/** A fault whose recovery is timed: once it ended, the first poll at which every camera it hit has drained. */
export interface FaultWatch {
  outcome: FaultOutcome;
  endAtMs: number | undefined;
  cams: number[];
}

/**
 * Polls every agent's status once a second while the soak runs: each camera's largest
 * backlog and spool, its last answer, and each watched fault's recovery time.
 */
export class BacklogWatch {
  readonly maxBacklog: { maxSegments: number; maxSpoolBytes: number }[];
  /** Each camera's last status answer (undefined while it does not answer). */
  readonly last: (AgentStatus | undefined)[];
  readonly watches: FaultWatch[] = [];
  private polling = true;
  private readonly loop: Promise<void>;

  constructor(private readonly agents: readonly AgentChild[]) {
    this.maxBacklog = agents.map(() => ({ maxSegments: 0, maxSpoolBytes: 0 }));
    this.last = agents.map(() => undefined);
    this.loop = this.poll();
  }

  /** True when every camera answered with at most one segment waiting. */
  get drained(): boolean {
    return this.last.every((s) => s && s.backlog.segments <= 1);
  }

  /** Waits until every backlog drained or `timeoutMs` passed. */
  async waitDrained(timeoutMs: number): Promise<void> {
    const drainBy = Date.now() + timeoutMs;
    while (Date.now() < drainBy && !this.drained) await sleep(POLL_MS);
  }

  async stop(): Promise<void> {
    this.polling = false;
    await this.loop;
  }

  private async poll(): Promise<void> {
    while (this.polling) {
      const statuses = await Promise.all(this.agents.map((a) => a.status()));
      const now = Date.now();
      statuses.forEach((s, i) => {
        this.last[i] = s;
        if (!s) return;
        this.maxBacklog[i]!.maxSegments = Math.max(this.maxBacklog[i]!.maxSegments, s.backlog.segments);
        this.maxBacklog[i]!.maxSpoolBytes = Math.max(this.maxBacklog[i]!.maxSpoolBytes, s.spool.bytes);
      });
      for (const w of this.watches) {
        if (w.endAtMs === undefined || w.outcome.recoveryS !== undefined || now < w.endAtMs) continue;
        if (w.cams.every((i) => statuses[i] && statuses[i]!.backlog.segments <= 1)) w.outcome.recoveryS = Math.round((now - w.endAtMs) / 100) / 10;
      }
      await sleep(POLL_MS);
    }
  }
}
