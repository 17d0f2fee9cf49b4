import { createServer } from 'node:http';
import { describe, expect, test } from 'vitest';
import { listenLocal } from '../../../local/http/listen-local.ts';
import { LocalStartError } from '../../../local/local-error.ts';

describe('listenLocal', () => {
  test('a port already taken is a LocalStartError naming the server, the address and what to do', async () => {
    const first = await listenLocal(createServer(), { host: '127.0.0.1', what: 'the first server' });
    try {
      const err = await listenLocal(createServer(), { host: '127.0.0.1', port: first.port, what: 'the local API', hint: 'choose another --port' }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LocalStartError);
      expect((err as Error).message).toBe(
        `the local API could not listen on 127.0.0.1:${first.port}: listen EADDRINUSE: address already in use 127.0.0.1:${first.port}; choose another --port`,
      );
    } finally {
      await first.stop();
    }
  });
});
