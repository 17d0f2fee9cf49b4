import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AgentStatus } from '../../device/core/agent-status.ts';
import { applyLogLine, type CameraLedger } from './camera-ledger.ts';

const CAMREC = fileURLToPath(new URL('../../bin/camrec.js', import.meta.url));

/**
 * One camera as a `camrec agent --config FILE` child process, the way it runs on a
 * camera: killable with SIGKILL, restartable on the same config (same spool and state).
 * Every stderr line is appended to `logFile` and fed to the camera's ledger.
 */
export class AgentChild {
  private child: ChildProcess | undefined;
  private exitedP: Promise<number | null> = Promise.resolve(null);
  private control: string | undefined;
  private readonly log: WriteStream;
  kills = 0;
  restarts = 0;

  constructor(
    readonly ledger: CameraLedger,
    private readonly configFile: string,
    logFile: string,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The control endpoint of the current run, once it logged it. */
  get controlUrl(): string | undefined {
    return this.control;
  }

  start(): void {
    this.control = undefined;
    const child = spawn(process.execPath, [CAMREC, 'agent', '--config', this.configFile, '--status-seconds', '0'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NODE_NO_WARNINGS: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    this.child = child;
    let buf = '';
    child.stderr!.on('data', (c: Buffer) => {
      this.log.write(c);
      buf += c.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const { controlAddress } = applyLogLine(this.ledger, line);
        if (controlAddress && child === this.child) this.control = controlAddress;
      }
    });
    this.exitedP = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** SIGKILL now; resolves once the process is gone. */
  async kill9(): Promise<void> {
    if (!this.running) return;
    if (this.child!.killed) return void (await this.exitedP);
    this.kills++;
    this.child!.kill('SIGKILL');
    await this.exitedP;
    this.control = undefined;
  }

  async restart(): Promise<void> {
    this.restarts++;
    this.start();
  }

  /** SIGTERM (clean stop: the open segment is finished or spooled); resolves with the exit code. */
  async stop(): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    const code = await this.exitedP;
    this.control = undefined;
    return code;
  }

  async status(timeoutMs = 1500): Promise<AgentStatus | undefined> {
    if (!this.control || !this.running) return undefined;
    try {
      const res = await fetch(`${this.control}/v1/status`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!res.ok) return undefined;
      return (await res.json()) as AgentStatus;
    } catch {
      return undefined;
    }
  }

  /** Starts an event through the control API (as a motion detector would). */
  async startEvent(type: string, durationSeconds: number): Promise<boolean> {
    if (!this.control) return false;
    try {
      const res = await fetch(`${this.control}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type, durationSeconds }),
        signal: AbortSignal.timeout(2000),
      });
      return res.status === 201;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.log.end(() => r()));
  }
}
