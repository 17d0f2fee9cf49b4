import { createServer, request, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';

let upstream: Server;
let proxy: FaultProxy;

/** One request over a fresh connection: status and body, or the error code. */
function call(url: string, body = ''): Promise<{ status: number; body: string } | { error: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: body ? 'PUT' : 'GET', agent: false, timeout: 800 }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end(body);
  });
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => res.end(`ok ${req.method} ${n}`));
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  proxy = await startFaultProxy({ target: `127.0.0.1:${(upstream.address() as { port: number }).port}`, control: true });
});
afterAll(async () => {
  await proxy.stop();
  await new Promise((r) => upstream.close(r));
});

describe('fault proxy', () => {
  test('passes traffic through when no fault is set', async () => {
    expect(await call(proxy.url, 'abc')).toEqual({ status: 200, body: 'ok PUT 3' });
  });

  test('refuse: connections are refused until cleared', async () => {
    await proxy.setFault({ kind: 'refuse' });
    expect(await call(proxy.url)).toEqual({ error: 'ECONNREFUSED' });
    await proxy.setFault(undefined);
    expect(await call(proxy.url)).toMatchObject({ status: 200 });
  });

  test('refuse cuts keep-alive connections too and never waits on them; cutAll sends kept-alive clients into other faults', async () => {
    const { Agent } = await import('node:http');
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const viaAgent = (): Promise<{ status: number } | { error: string }> =>
      new Promise((resolve) => {
        const req = request(proxy.url, { agent: keepAlive, timeout: 800 }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode! }));
        });
        req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
        req.end();
      });
    try {
      expect(await viaAgent()).toEqual({ status: 200 }); // the connection stays open in the agent
      const settle = () => new Promise((r) => setTimeout(r, 50)); // the client sees its socket close
      await proxy.setFault({ kind: 'http-status', status: 503 });
      proxy.cutAll();
      await settle();
      expect(await viaAgent()).toEqual({ status: 503 });
      expect(await viaAgent()).toEqual({ status: 503 });
      await proxy.setFault({ kind: 'refuse' }); // resolves although a keep-alive connection was open
      await settle();
      expect(await viaAgent()).toEqual({ error: 'ECONNREFUSED' });
      await proxy.setFault(undefined);
      expect(await viaAgent()).toEqual({ status: 200 });
    } finally {
      keepAlive.destroy();
    }
  });

  test('reset and stall break the request', async () => {
    await proxy.setFault({ kind: 'reset' });
    expect(await call(proxy.url)).toEqual({ error: 'ECONNRESET' });
    await proxy.setFault({ kind: 'stall' });
    expect(await call(proxy.url)).toEqual({ error: 'TIMEOUT' });
    await proxy.setFault(undefined);
  });

  test('http-status answers 503 with S3 error XML for the next N connections only', async () => {
    await proxy.setFault({ kind: 'http-status', status: 503, connections: 2 });
    const first = await call(proxy.url);
    expect(first).toMatchObject({ status: 503 });
    expect((first as { body: string }).body).toContain('<Code>SlowDown</Code>');
    expect(await call(proxy.url)).toMatchObject({ status: 503 });
    expect(await call(proxy.url)).toEqual({ status: 200, body: 'ok GET 0' });
  });

  test('a fault with forMs ends by itself', async () => {
    await proxy.setFault({ kind: 'http-status', status: 500, forMs: 150 });
    expect(await call(proxy.url)).toMatchObject({ status: 500 });
    await new Promise((r) => setTimeout(r, 200));
    expect(await call(proxy.url)).toMatchObject({ status: 200 });
  });

  test('cut-after cuts an upload mid-body', async () => {
    await proxy.setFault({ kind: 'cut-after', bytes: 200, connections: 1 });
    const r = await call(proxy.url, 'x'.repeat(100_000));
    expect(r).toHaveProperty('error');
    expect(await call(proxy.url, 'x'.repeat(100_000))).toEqual({ status: 200, body: 'ok PUT 100000' });
  });

  test('delay adds latency', async () => {
    await proxy.setFault({ kind: 'delay', ms: 120 });
    const t0 = performance.now();
    expect(await call(proxy.url)).toMatchObject({ status: 200 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
    await proxy.setFault(undefined);
  });

  test('the control API sets and clears faults and reports counters', async () => {
    const put = await fetch(`${proxy.controlUrl}/fault`, { method: 'PUT', body: JSON.stringify({ kind: 'http-status', status: 503 }) });
    expect(put.status).toBe(200);
    expect(await call(proxy.url)).toMatchObject({ status: 503 });
    await fetch(`${proxy.controlUrl}/fault`, { method: 'DELETE' });
    expect(await call(proxy.url)).toMatchObject({ status: 200 });
    const stats = await (await fetch(`${proxy.controlUrl}/stats`)).json();
    expect(stats.connections).toBeGreaterThan(5);
    expect(stats.fault).toBeNull();
    const bad = await fetch(`${proxy.controlUrl}/fault`, { method: 'PUT', body: '{"kind":"meteor"}' });
    expect(bad.status).toBe(400);
  });
});
