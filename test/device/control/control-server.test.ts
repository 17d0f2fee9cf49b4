import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../device/core/agent-status.ts';
import { createJsonLogger } from '../../../device/core/json-logger.ts';
import { startControlServer, type ControlServer, type ControlTarget } from '../../../device/control/control-server.ts';

/**
 * The control endpoint at its HTTP boundary, with requests a browser on the camera (or on
 * a gateway next to it) could send: a cross-site text/plain POST, a DNS-rebinding request
 * with a foreign Host, and local programs with and without the bearer token. The agent
 * behind it is a recorder of calls: what matters is whether privacy was switched.
 */
const log = createJsonLogger({ level: 'error', out: { write: () => true } as never });

function recorder(): ControlTarget & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    status: () =>
      ({
        state: 'running',
        recording: { mode: 'continuous', privacyPaused: calls.includes('privacy:true'), audio: true, event: null },
      }) as unknown as AgentStatus,
    startEvent: (type) => (calls.push(`event:${type}`), 'ev-1'),
    stopEvent: () => undefined,
    setPrivacy: (p) => void calls.push(`privacy:${p}`),
    setAudio: (a) => void calls.push(`audio:${a}`),
    setMode: (m) => void calls.push(`mode:${m}`),
    setUploadLimits: (l) => void calls.push(`upload:${l.maxBytesPerSecond}`),
    putImage: async (j) => (calls.push(`image:${j.length}`), 'images/x'),
  };
}

interface Sent {
  status: number;
  body: { error?: { code: string } } & Record<string, unknown>;
}
function send(where: { port?: number; socketPath?: string }, method: string, path: string, headers: Record<string, string>, body?: string): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', ...where, method, path, headers: { ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}), ...headers } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

let server: ControlServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const privacyOn = '{"paused":true}';

describe('control endpoint: who may switch the camera', () => {
  it('a local program with a JSON body and a loopback Host switches privacy on', async () => {
    const t = recorder();
    server = await startControlServer(t, { port: 0 }, log);
    const r = await send({ port: server.port }, 'PUT', '/v1/privacy', { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json' }, privacyOn);
    expect(r.status).toBe(200);
    expect(t.calls).toEqual(['privacy:true']);
    expect((await send({ port: server.port }, 'GET', '/v1/status', { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('refuses a cross-site text/plain POST from a web page (403) and a text/plain body from anyone (415); nothing switches', async () => {
    const t = recorder();
    server = await startControlServer(t, { port: 0 }, log);
    const host = `127.0.0.1:${server.port}`;
    const crossSite = await send(
      { port: server.port },
      'POST',
      '/v1/events',
      { host, origin: 'https://ads.example', 'content-type': 'text/plain' },
      '{"type":"motion"}',
    );
    expect(crossSite.status).toBe(403);
    expect(crossSite.body.error?.code).toBe('browser_origin');
    const plain = await send({ port: server.port }, 'PUT', '/v1/privacy', { host, 'content-type': 'text/plain' }, privacyOn);
    expect(plain.status).toBe(415);
    const form = await send({ port: server.port }, 'PUT', '/v1/privacy', { host, 'content-type': 'application/x-www-form-urlencoded' }, privacyOn);
    expect(form.status).toBe(415);
    const noType = await send({ port: server.port }, 'PUT', '/v1/privacy', { host }, privacyOn);
    expect(noType.status).toBe(415);
    expect(t.calls).toEqual([]);
  });

  it('refuses a DNS-rebinding request (a foreign Host that resolved to 127.0.0.1) with 421, even as JSON', async () => {
    const t = recorder();
    server = await startControlServer(t, { port: 0 }, log);
    for (const host of [`rebind.attacker.example:${server.port}`, 'attacker.example', `127.0.0.1.attacker.example:${server.port}`]) {
      const r = await send({ port: server.port }, 'PUT', '/v1/privacy', { host, 'content-type': 'application/json' }, privacyOn);
      expect(r.status, host).toBe(421);
      expect(r.body.error?.code).toBe('bad_host');
    }
    expect(t.calls).toEqual([]);
  });

  it('with a token, requests without it or with a wrong one get 401; the right bearer token works', async () => {
    const t = recorder();
    const token = 'k3y-0123456789abcdef';
    server = await startControlServer(t, { port: 0, token }, log);
    const h = { host: `127.0.0.1:${server.port}`, 'content-type': 'application/json' };
    expect((await send({ port: server.port }, 'PUT', '/v1/privacy', h, privacyOn)).status).toBe(401);
    expect((await send({ port: server.port }, 'PUT', '/v1/privacy', { ...h, authorization: 'Bearer k3y-0123456789abcdeX' }, privacyOn)).status).toBe(401);
    expect((await send({ port: server.port }, 'GET', '/v1/status', { host: h.host })).status).toBe(401);
    expect(t.calls).toEqual([]);
    expect((await send({ port: server.port }, 'PUT', '/v1/privacy', { ...h, authorization: `Bearer ${token}` }, privacyOn)).status).toBe(200);
    expect(t.calls).toEqual(['privacy:true']);
  });

  it('on a Unix socket (mode 0600) it answers a local program; a web page cannot reach it anyway, but an Origin is still refused', async () => {
    const t = recorder();
    dir = mkdtempSync(join(tmpdir(), 'camrec-control-'));
    const socketPath = join(dir, 'control.sock');
    server = await startControlServer(t, { socketPath }, log);
    expect(server.address).toBe(`unix:${socketPath}`);
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect((await send({ socketPath }, 'PUT', '/v1/privacy', { host: 'localhost', 'content-type': 'application/json' }, privacyOn)).status).toBe(200);
    expect(
      (
        await send(
          { socketPath },
          'PUT',
          '/v1/audio',
          { host: 'localhost', origin: 'https://x.example', 'content-type': 'application/json' },
          '{"enabled":false}',
        )
      ).status,
    ).toBe(403);
    expect(t.calls).toEqual(['privacy:true']);
  });
});
