import { afterAll, afterEach, beforeAll } from 'vitest';
import { createAgent, type Agent, type AgentDeps } from '../../device/agent/agent.ts';
import type { DeviceConfig } from '../../device/config/index.ts';
import { silentLogger } from '../../device/core/json-logger.ts';
import { startStack, type Stack } from './agent-harness.ts';

export interface AgentStackOptions {
  /** Once, after the stack started: what the tests of the block share (a clip, a file, a listener). */
  readonly beforeAll?: (stack: Stack) => Promise<void> | void;
  /** Timeout of that beforeAll (ffmpeg work on a loaded machine). */
  readonly beforeAllTimeoutMs?: number;
  /** After each test, once its agents stopped: undo what the test changed (proxy and IoT faults, disks). */
  readonly afterEach?: (stack: Stack) => Promise<void> | void;
}

/** The agent test stack of one describe block, plus agents that stop after each test. */
export interface AgentStack extends Stack {
  /** Creates an agent (silent log unless `deps.log`), starts it, and stops it after the test if the test did not. */
  startAgent(config: DeviceConfig, deps?: AgentDeps): Promise<Agent>;
}

/**
 * The set-up the agent integration tests share: in the calling describe block, starts the
 * real stack (agent-harness.ts: s3rver behind the S3 front and the fault proxy, the
 * mutual-TLS IoT stand-in) before its tests, stops every agent a test started (and runs
 * `afterEach`) after each test, and closes the stack after the block. The returned object
 * is that Stack (read it inside tests and hooks), and starts agents.
 */
export function useAgentStack(o: AgentStackOptions = {}): AgentStack {
  let stack: Stack | undefined;
  const agents: Agent[] = [];
  const s = (): Stack => {
    if (!stack) throw new Error('the agent stack is not running: use it inside tests and hooks of the describe block that called useAgentStack()');
    return stack;
  };
  beforeAll(async () => {
    stack = await startStack();
    await o.beforeAll?.(stack);
  }, o.beforeAllTimeoutMs);
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    if (stack) await o.afterEach?.(stack);
  });
  afterAll(async () => {
    await stack?.close();
    stack = undefined;
  });
  const fields = ['dir', 'iot', 's3', 'front', 'proxy', 'contentPrivateKey', 'reader'] as const;
  const view: Omit<AgentStack, (typeof fields)[number]> = {
    config: (over) => s().config(over),
    close: () => s().close(),
    async startAgent(config, deps = {}) {
      const agent = createAgent(config, { log: silentLogger, ...deps });
      agents.push(agent);
      await agent.start();
      return agent;
    },
  };
  // The stack's fields, read from the running stack (it starts in beforeAll, after this returns).
  for (const key of fields) Object.defineProperty(view, key, { get: () => s()[key], enumerable: true });
  return view as AgentStack;
}
