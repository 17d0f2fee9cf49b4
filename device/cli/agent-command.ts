import { parseArgs } from 'node:util';
import { createAgent } from '../agent/agent.ts';
import { ConfigError } from '../core/agent-errors.ts';
import { createJsonLogger } from '../core/json-logger.ts';
import { loadDeviceConfig } from '../config/load-device-config.ts';

const USAGE = `usage: camrec agent --config device.json

Runs the camera agent: records the configured source, encrypts each segment (HLS
AES-128), and uploads it to S3 with IoT credentials. Logs are JSON lines on stderr.

options:
  --config FILE        device configuration (see device/config/device.example.json)
  --status-seconds N   log a status line every N seconds (default 60, 0 = never)
  -h, --help           this text

signals: SIGTERM/SIGINT finish or spool the open segment and exit within 5 s;
         SIGHUP reloads the configuration: what the file changed applies at once
         (a switch flipped on the control endpoint stays unless the file changes it).
`;

/** Hard limit for a clean shutdown after SIGTERM. */
const EXIT_DEADLINE_MS = 5000;
const STOP_BUDGET_MS = 4000;

export async function run(argv: string[]): Promise<number> {
  let values: { config?: string; 'status-seconds'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { config: { type: 'string' }, 'status-seconds': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (e) {
    process.stderr.write(`camrec agent: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.config) {
    process.stderr.write(`camrec agent: --config is required\n\n${USAGE}`);
    return 2;
  }
  const file = values.config;
  let config;
  try {
    config = loadDeviceConfig(file);
  } catch (e) {
    process.stderr.write(`camrec agent: ${(e as Error).message}\n`);
    return e instanceof ConfigError ? 2 : 1;
  }
  const log = createJsonLogger({ level: config.log.level, fields: { deviceId: config.deviceId } });
  const agent = createAgent(config, { log });
  try {
    await agent.start();
  } catch (err) {
    log.error('agent could not start', { err });
    return 1;
  }
  if (agent.controlAddress) log.info('control endpoint', { address: agent.controlAddress });
  const statusSeconds = Number(values['status-seconds'] ?? 60);
  const statusTimer = statusSeconds > 0 ? setInterval(() => log.info('status', { status: agent.status() }), statusSeconds * 1000) : undefined;

  const code = await new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      clearInterval(statusTimer);
      const hard = setTimeout(() => {
        log.error('shutdown took too long; exiting');
        resolve(1);
      }, EXIT_DEADLINE_MS);
      hard.unref();
      agent.stop(STOP_BUDGET_MS).then(
        () => {
          clearTimeout(hard);
          log.info('status', { status: agent.status() });
          resolve(0);
        },
        (err) => {
          log.error('shutdown failed', { err });
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGHUP', () => {
      try {
        agent.reload(loadDeviceConfig(file));
      } catch (err) {
        log.error('config reload refused; keeping the running configuration', { err });
      }
    });
  });
  // Something outside our control (a stdin reader, a stuck socket) must not keep us alive.
  setTimeout(() => process.exit(code), 500).unref();
  return code;
}
