import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { RawAnswer } from './abuse-stack.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What an answer to a client must never contain, besides the deployment's own names and secrets. */
const LEAK_PATTERNS = [
  /\n\s+at\s/, // a stack trace line
  /\.(ts|js|mjs|cjs):\d+/, // a source position
  /node_modules/,
  /file:\/\//,
  /\b(TypeError|ReferenceError|SyntaxError|RangeError)\b/,
  /ENOENT|EACCES|ECONNREFUSED/,
] as const;

export interface LeakContext {
  /** Names a client has no business seeing in an error: bucket, table, data dir... */
  readonly names: readonly string[];
  /** Secret values: token secret, secret access keys, session tokens, private key text. */
  readonly secrets: readonly string[];
}

/** The error message of a JSON refusal: `{error: {code, message}}` (handlers) or `{message}` (API Gateway's authorizer). */
export function refusalMessage(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const o = json as { error?: { message?: unknown }; message?: unknown };
  if (typeof o.error?.message === 'string') return o.error.message;
  return typeof o.message === 'string' ? o.message : undefined;
}

/**
 * Asserts a refusal as a client sees it: the expected 4xx, a JSON body with a message,
 * and nothing internal in the body or the headers.
 */
export function expectCleanRefusal(answer: RawAnswer, status: number, ctx: LeakContext, what: string): { code?: string; message: string } {
  expect(answer.status, `${what}: status (body ${answer.body.toString('utf8').slice(0, 300)})`).toBe(status);
  expect(String(answer.headers['content-type']), `${what}: content-type`).toMatch(/^application\/json/);
  const text = answer.body.toString('utf8');
  let json: unknown;
  expect(() => (json = JSON.parse(text)), `${what}: body is JSON`).not.toThrow();
  const message = refusalMessage(json);
  expect(message, `${what}: has an error message`).toBeTypeOf('string');
  expectNothingLeaked(answer, ctx, what);
  const code = (json as { error?: { code?: string } }).error?.code;
  return { code, message: message! };
}

export function expectNothingLeaked(answer: RawAnswer, ctx: LeakContext, what: string): void {
  const everything = [answer.body.toString('utf8'), ...Object.entries(answer.headers).map(([k, v]) => `${k}: ${String(v)}`)].join('\n');
  for (const p of LEAK_PATTERNS) expect(everything, `${what}: leaks ${p}`).not.toMatch(p);
  for (const name of [...ctx.names, REPO_ROOT.replace(/\/$/, '')]) expect(everything.includes(name), `${what}: leaks the name ${name}`).toBe(false);
  for (const s of ctx.secrets) expect(everything.includes(s), `${what}: leaks a secret`).toBe(false);
}
