import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadWrappingPublicKey } from '../../contract/index.ts';
import { ConfigError } from '../core/agent-errors.ts';
import { deviceConfigSchema, type DeviceConfig } from './device-config-schema.ts';

/**
 * Validates a parsed device.json and lists every problem at once (schema errors, then
 * files that cannot be read, then a public key that does not parse). Relative paths are
 * resolved against `baseDir`.
 */
export function parseDeviceConfig(raw: unknown, baseDir: string = process.cwd(), file?: string): DeviceConfig {
  const parsed = deviceConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
    throw new ConfigError(problems, { file });
  }
  const c = resolvePaths(parsed.data, baseDir);
  const problems: string[] = [];
  for (const [name, path] of [
    ['credentials.certificateFile', c.credentials.certificateFile],
    ['credentials.privateKeyFile', c.credentials.privateKeyFile],
    ['credentials.caFile', c.credentials.caFile],
    ['s3.caFile', c.s3.caFile],
    ['contentKeyPublicKeyFile', c.contentKeyPublicKeyFile],
    ...(c.source.type === 'file' ? [['source.path', c.source.path]] : []),
  ] as const) {
    if (path === undefined) continue;
    try {
      readFileSync(path);
    } catch (e) {
      problems.push(`${name}: cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  }
  if (!problems.some((p) => p.startsWith('contentKeyPublicKeyFile'))) {
    try {
      loadWrappingPublicKey(contentKeyPublicKey(c));
    } catch (e) {
      problems.push(`${c.contentKeyPublicKeyFile ? 'contentKeyPublicKeyFile' : 'contentKeyPublicKeyPem'}: ${(e as Error).message}`);
    }
  }
  if (problems.length) throw new ConfigError(problems, { file });
  return c;
}

/** Reads, parses and validates a device.json file. */
export function loadDeviceConfig(file: string): DeviceConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError([`cannot read the config file (${(cause as NodeJS.ErrnoException).code ?? cause})`], { file, cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ConfigError([`not valid JSON: ${(cause as Error).message}`], { file, cause });
  }
  return parseDeviceConfig(raw, dirname(resolve(file)), file);
}

/** The PEM/base64 text of the content-key public key, inline or from its file. */
export function contentKeyPublicKey(c: DeviceConfig): string {
  return c.contentKeyPublicKeyPem ?? readFileSync(c.contentKeyPublicKeyFile!, 'utf8');
}

function resolvePaths(c: DeviceConfig, baseDir: string): DeviceConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const opt = (p: string | undefined) => (p === undefined ? undefined : abs(p));
  return {
    ...c,
    credentials: {
      ...c.credentials,
      certificateFile: abs(c.credentials.certificateFile),
      privateKeyFile: abs(c.credentials.privateKeyFile),
      caFile: abs(c.credentials.caFile),
    },
    contentKeyPublicKeyFile: opt(c.contentKeyPublicKeyFile),
    s3: { ...c.s3, caFile: opt(c.s3.caFile) },
    buffer: { ...c.buffer, spoolDir: abs(c.buffer.spoolDir) },
    stateDir: abs(c.stateDir),
    control: c.control ? { ...c.control, socketPath: opt(c.control.socketPath) } : undefined,
    source: { ...c.source, path: opt(c.source.path), audioPath: opt(c.source.audioPath) },
  };
}
