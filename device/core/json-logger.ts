import { redactSecrets } from './redact-secrets.ts';

/**
 * Structured JSON logs, one object per line: `{"time":..., "level":..., "msg":..., ...fields}`.
 * Small on purpose: the agent runs on cameras, not in Lambda. Every line passes through
 * `redactSecrets`, so a camera URL's password never reaches a log, whoever logged it.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVEL_RANK = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevelName = keyof typeof LEVEL_RANK;

export interface LogWriter {
  write(line: string): unknown;
}

/** Errors become `{name, message, code?, cause?}` so JSON.stringify keeps them. */
function plain(v: unknown): unknown {
  if (v instanceof Error) {
    const e = v as Error & { code?: unknown; statusCode?: unknown; retryable?: unknown };
    return {
      name: e.name,
      message: e.message,
      ...(e.code !== undefined ? { code: e.code } : {}),
      ...(e.statusCode !== undefined ? { statusCode: e.statusCode } : {}),
      ...(e.retryable !== undefined ? { retryable: e.retryable } : {}),
      ...(e.cause !== undefined ? { cause: plain(e.cause) } : {}),
    };
  }
  return v;
}

export function createJsonLogger(options: { level?: LogLevelName; out?: LogWriter; fields?: LogFields; now?: () => number } = {}): Logger {
  const min = LEVEL_RANK[options.level ?? 'info'];
  const out = options.out ?? process.stderr;
  const base = options.fields ?? {};
  const now = options.now ?? Date.now;
  const emit = (level: LogLevelName, msg: string, fields?: LogFields) => {
    if (LEVEL_RANK[level] < min) return;
    const record: LogFields = { time: new Date(now()).toISOString(), level, msg, ...base };
    for (const [k, v] of Object.entries(fields ?? {})) record[k] = plain(v);
    out.write(`${redactSecrets(JSON.stringify(record))}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createJsonLogger({ ...options, fields: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (library users who bring no logger). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
