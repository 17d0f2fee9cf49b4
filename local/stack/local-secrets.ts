import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdir, readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../device/buffer/atomic-file.ts';
import { dirname, join } from 'node:path';
import type { TokenSigningKey } from '../../contract/index.ts';

/**
 * Local mode's stand-ins for KMS and Secrets Manager, created on first run and kept in
 * the data dir so recordings stay playable across restarts:
 *
 *   {dir}/content-key/private.pem   RSA-2048 private key (unwraps data keys; KMS in the cloud)
 *   {dir}/content-key/public.pem    its public half, handed to the agents
 *   {dir}/token-secret.json         {"version","secretBase64"}: session-token HMAC secret
 */
export interface LocalSecrets {
  readonly contentKeyPrivatePem: string;
  readonly contentKeyPublicPem: string;
  readonly contentKeyPublicPath: string;
  readonly tokenKey: TokenSigningKey;
}

async function readOrCreate(path: string, make: () => string | Promise<string>, mode: number): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(path), { recursive: true });
  const text = await make();
  await writeFileAtomic(path, text, mode);
  return text;
}

export async function ensureLocalSecrets(dir: string): Promise<LocalSecrets> {
  const privatePath = join(dir, 'content-key', 'private.pem');
  const publicPath = join(dir, 'content-key', 'public.pem');
  let pair: Promise<{ privateKey: string; publicKey: string }> | undefined;
  const makePair = () =>
    (pair ??= promisify(generateKeyPair)('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }));
  const contentKeyPrivatePem = await readOrCreate(privatePath, async () => (await makePair()).privateKey, 0o600);
  const contentKeyPublicPem = await readOrCreate(publicPath, async () => (await makePair()).publicKey, 0o644);
  const tokenJson = await readOrCreate(
    join(dir, 'token-secret.json'),
    () => JSON.stringify({ version: 'local-1', secretBase64: randomBytes(32).toString('base64') }),
    0o600,
  );
  const token = JSON.parse(tokenJson) as { version: string; secretBase64: string };
  return {
    contentKeyPrivatePem,
    contentKeyPublicPem,
    contentKeyPublicPath: publicPath,
    tokenKey: { version: token.version, secret: new Uint8Array(Buffer.from(token.secretBase64, 'base64')) },
  };
}
