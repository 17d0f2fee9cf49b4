import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';

/** A throwaway s3rver on a free port with one bucket, for tests; `close()` removes its files. */
export interface S3rverFixture {
  readonly endpoint: string;
  readonly server: { on(event: 'event', fn: (e: unknown) => void): void };
  close(): Promise<void>;
}

export async function startS3rverFixture(bucket: string): Promise<S3rverFixture> {
  const directory = await mkdtemp(join(tmpdir(), 'camrec-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = (await server.run()) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    server,
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
