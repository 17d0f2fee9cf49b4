import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { signedFetch } from '../auth/signed-fetch.ts';
import { LocalUsageError } from '../local-error.ts';
import { apiTarget, checkApiTarget, checkIsoTimes, parseClientArgs, resolveApiTarget, type ApiTarget } from './api-target.ts';

const USAGE = `usage: camrec clip --camera ID --start ISO --end ISO [--out FILE] [--timeout S]
                   [--data-dir DIR | --api URL --region R]

Asks the playback API to export [start, end) of a camera as one MP4 (at most 1 hour;
it starts at the keyframe at or before start), waits until it is ready (printing
progress and the range the MP4 covers), and downloads it to FILE (default
{camera}-{start}.mp4); prints the clip id and the SHA-256 its manifest gives. Against the
local stack (credentials from DIR/local.json, default .camrec) or a deployed stack (--api,
signed with the default AWS credential chain).
`;

export interface ClipCommandRequest {
  camera: string;
  start: string;
  end: string;
  out: string;
  timeoutMs: number;
  target: ApiTarget;
  /** The wait before the first status read; each later wait doubles, up to 5 s. @default 500 */
  firstWaitMs?: number;
}

export function parseClipArgs(argv: string[]): ClipCommandRequest {
  const values = parseClientArgs(argv, {
    camera: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    out: { type: 'string' },
    timeout: { type: 'string' },
  } as const);
  const problems: string[] = [];
  if (!values.camera) problems.push('--camera ID is required');
  checkIsoTimes(values, ['start', 'end'], true, problems);
  const timeout = values.timeout === undefined ? 900 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout < 1) problems.push(`--timeout ${values.timeout} must be whole seconds`);
  checkApiTarget(values, problems);
  if (problems.length) throw new LocalUsageError(problems.join('; '));
  const start = new Date(values.start!).toISOString();
  return {
    camera: values.camera!,
    start,
    end: new Date(values.end!).toISOString(),
    out: values.out ?? `${values.camera!.replace(/[^A-Za-z0-9_-]/g, '_')}-${start.replace(/[:.]/g, '')}.mp4`,
    timeoutMs: timeout * 1000,
    target: apiTarget(values),
  };
}

interface ClipAnswer {
  clipId: string;
  state: string;
  downloadUrl?: string;
  sha256?: string;
  sizeBytes?: number;
  covered?: { start: string; end: string; durationMs: number };
  error?: { code: string; message: string };
}

/** Exports, waits, downloads. Resolves with the clip's answer once the file is written. */
export async function makeClip(req: ClipCommandRequest, progress: (line: string) => void = () => {}): Promise<ClipAnswer> {
  const { apiUrl, region, credentials } = await resolveApiTarget(req.target);
  const base = `${apiUrl}/v1/cameras/${encodeURIComponent(req.camera)}/clips`;
  const call = async (url: string, json?: unknown): Promise<ClipAnswer> => {
    let res: Response;
    try {
      res = await signedFetch(url, { credentials, region, ...(json !== undefined ? { json } : {}) });
    } catch (err) {
      throw new LocalUsageError(`could not reach ${url}: ${(err as Error).message}`, { cause: err, retryable: true });
    }
    const body = (await res.json().catch(() => ({}))) as ClipAnswer & { message?: string };
    if (!res.ok)
      throw new LocalUsageError(`the playback API answered ${res.status}: ${body.error?.message ?? body.message ?? 'no answer'}`, {
        retryable: res.status === 429 || res.status >= 500,
      });
    return body;
  };
  const started = await call(base, { start: req.start, end: req.end });
  progress(`clip ${started.clipId}: exporting`);
  const deadline = Date.now() + req.timeoutMs;
  let answer = started;
  let waitMs = req.firstWaitMs ?? 500;
  while (answer.state === 'EXPORTING') {
    if (Date.now() > deadline)
      throw new LocalUsageError(
        `clip ${started.clipId} is still exporting after ${req.timeoutMs / 1000} s: fetch it later with GET ${base}/${started.clipId}`,
        { retryable: true },
      );
    await new Promise((r) => setTimeout(r, waitMs));
    waitMs = Math.min(waitMs * 2, 5000);
    try {
      answer = await call(`${base}/${started.clipId}`);
    } catch (err) {
      // The export goes on whatever one status read met (a dropped connection, a throttled or
      // failed request): ask again until the deadline. A refusal (4xx) is final.
      if (!(err instanceof LocalUsageError && err.retryable)) throw err;
      progress(`clip ${started.clipId}: ${err.message}; asking again`);
    }
  }
  if (answer.state !== 'READY' || !answer.downloadUrl) throw new LocalUsageError(`clip ${started.clipId} failed: ${answer.error?.message ?? answer.state}`);
  const covers = answer.covered ? `, ${answer.covered.start} to ${answer.covered.end}` : '';
  progress(`clip ${started.clipId}: ready (${answer.sizeBytes} bytes${covers}), downloading`);
  const res = await fetch(answer.downloadUrl);
  if (!res.ok || !res.body) throw new LocalUsageError(`downloading clip ${started.clipId} answered ${res.status}`, { retryable: true });
  const partial = `${req.out}.part`;
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(partial));
  await rename(partial, req.out);
  return answer;
}

export async function run(argv: string[]): Promise<number> {
  let req;
  try {
    req = parseClipArgs(argv);
  } catch (err) {
    const msg = (err as Error).message;
    process.stderr.write(msg ? `camrec clip: ${msg}\n\n${USAGE}` : USAGE);
    return msg ? 2 : 0;
  }
  try {
    const answer = await makeClip(req, (line) => process.stderr.write(`${line}\n`));
    process.stdout.write(`${req.out}\nclip ${answer.clipId} sha256 ${answer.sha256}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`camrec clip: ${(err as Error).message}\n`);
    return 1;
  }
}
