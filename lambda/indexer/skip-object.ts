import { ObjectTooLargeError } from '../storage/object-store.ts';

/** An object that is not camrec's or does not parse: logged, counted and never indexed. */
export class SkipObject extends Error {
  override readonly name: string = 'SkipObject';
}

/** Reads a small JSON object (event record, heartbeat) as JSON; SkipObject when it is gone, too big or not JSON. */
export async function readSmallJson(
  store: { getBytes(key: string, maxBytes: number): Promise<Uint8Array | undefined> },
  key: string,
  maxBytes: number,
  what: string,
): Promise<unknown> {
  const body = await store.getBytes(key, maxBytes).catch((e: unknown) => {
    if (e instanceof ObjectTooLargeError) throw new SkipObject(`${what} over ${maxBytes} bytes`);
    throw e;
  });
  if (!body) throw new SkipObject('object no longer exists');
  try {
    return JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new SkipObject(`${what} is not JSON`);
  }
}
