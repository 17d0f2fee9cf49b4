import { SessionMode } from '../../contract/token.ts';
import { signedFetch } from '../auth/signed-fetch.ts';
import { LocalUsageError } from '../local-error.ts';
import { apiTarget, checkApiTarget, checkIsoTimes, parseClientArgs, resolveApiTarget, type ApiTarget } from './api-target.ts';

const USAGE = `usage: camrec play-url --camera ID [--mode LIVE|LIVE_REPLAY|ON_DEMAND] [--start ISO] [--end ISO] [--expires S]
                       [--data-dir DIR | --api URL --region R]

Asks the playback API for an HLS playback URL and prints it. Against the local stack
(credentials from DIR/local.json, default .camrec) or a deployed stack (--api, signed
with the default AWS credential chain).
`;

export interface PlayUrlRequest {
  camera: string;
  body: { mode: string; start?: string; end?: string; expiresInSeconds?: number };
  target: ApiTarget;
}

export function parsePlayUrlArgs(argv: string[]): PlayUrlRequest {
  const values = parseClientArgs(argv, {
    camera: { type: 'string' },
    mode: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    expires: { type: 'string' },
  } as const);
  const problems: string[] = [];
  if (!values.camera) problems.push('--camera ID is required');
  const mode = (values.mode ?? 'LIVE').toUpperCase();
  if (!(Object.values(SessionMode) as string[]).includes(mode)) problems.push(`--mode ${values.mode} must be LIVE, LIVE_REPLAY or ON_DEMAND`);
  checkIsoTimes(values, ['start', 'end'], false, problems);
  const expires = values.expires === undefined ? undefined : Number(values.expires);
  if (expires !== undefined && !Number.isInteger(expires)) problems.push(`--expires ${values.expires} must be whole seconds`);
  checkApiTarget(values, problems);
  if (problems.length) throw new LocalUsageError(problems.join('; '));
  const body: PlayUrlRequest['body'] = { mode };
  if (values.start) body.start = new Date(values.start).toISOString();
  if (values.end) body.end = new Date(values.end).toISOString();
  if (expires !== undefined) body.expiresInSeconds = expires;
  return {
    camera: values.camera!,
    body,
    target: apiTarget(values),
  };
}

/** Asks the sessions route; returns the playlist URL or throws with the API's message. */
export async function requestPlayUrl(req: PlayUrlRequest): Promise<{ playlistUrl: string; expiresAt: string }> {
  const { apiUrl, region, credentials } = await resolveApiTarget(req.target);
  const url = `${apiUrl}/v1/cameras/${encodeURIComponent(req.camera)}/sessions`;
  let res: Response;
  try {
    res = await signedFetch(url, { credentials, region, json: req.body });
  } catch (err) {
    throw new LocalUsageError(`could not reach ${url}: ${(err as Error).message}`, { cause: err, retryable: true });
  }
  const json = (await res.json().catch(() => ({}))) as { playlistUrl?: string; expiresAt?: string; error?: { message?: string }; message?: string };
  if (!res.ok || !json.playlistUrl)
    throw new LocalUsageError(`the playback API answered ${res.status}: ${json.error?.message ?? json.message ?? 'no playlistUrl'}`);
  return { playlistUrl: json.playlistUrl, expiresAt: json.expiresAt ?? '' };
}

export async function run(argv: string[]): Promise<number> {
  let req;
  try {
    req = parsePlayUrlArgs(argv);
  } catch (err) {
    const msg = (err as Error).message;
    process.stderr.write(msg ? `camrec play-url: ${msg}\n\n${USAGE}` : USAGE);
    return msg ? 2 : 0;
  }
  try {
    const { playlistUrl, expiresAt } = await requestPlayUrl(req);
    process.stdout.write(`${playlistUrl}\n`);
    if (expiresAt) process.stderr.write(`expires ${expiresAt}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`camrec play-url: ${(err as Error).message}\n`);
    return 1;
  }
}
