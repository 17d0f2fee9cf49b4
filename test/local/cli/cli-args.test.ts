import { describe, expect, test } from 'vitest';
import { parseLocalArgs } from '../../../local/cli/local-command.ts';
import { parsePlayUrlArgs } from '../../../local/cli/play-url-command.ts';

describe('camrec local arguments', () => {
  test('defaults: .camrec, port 8080, one sample camera, 2 s segments, no webhook, offline after 90 s, history packed when about 2 minutes old', () => {
    expect(parseLocalArgs([])).toEqual({
      dataDir: '.camrec',
      port: 8080,
      cameras: [{ id: 'cam-1', source: { kind: 'sample' } }],
      segmentSeconds: 2,
      offlineAfterSeconds: 90,
      packing: { periodMs: 60_000, graceMs: 30_000, drainMs: 120_000, sweepMs: 15_000 },
    });
  });

  test('--webhook URL and --offline-after S', () => {
    expect(parseLocalArgs(['--webhook', 'http://127.0.0.1:9000/hook', '--offline-after', '20'])).toMatchObject({
      webhookUrl: 'http://127.0.0.1:9000/hook',
      offlineAfterSeconds: 20,
    });
    expect(() => parseLocalArgs(['--webhook', 'ftp://x', '--offline-after', '1'])).toThrow(
      /--webhook "ftp:\/\/x" must be an http:\/\/ or https:\/\/ URL; --offline-after 1 must be a whole number of seconds from 2 to 900/,
    );
  });

  test('--pack-after sets the short local pack "hour" (or turns packing off), and refuses what is not a duration', () => {
    expect(parseLocalArgs(['--pack-after', '40s']).packing).toEqual({ periodMs: 20_000, graceMs: 10_000, drainMs: 40_000, sweepMs: 5_000 });
    expect(parseLocalArgs(['--pack-after', '1h']).packing).toMatchObject({ periodMs: 1_800_000 });
    expect(parseLocalArgs(['--pack-after', 'off']).packing).toBe(false);
    expect(() => parseLocalArgs(['--pack-after', 'soon'])).toThrow(/--pack-after "soon" must be a duration from 8s to 2h, like 90s, 2m or 1h \(or off\)/);
    expect(() => parseLocalArgs(['--pack-after', '1s'])).toThrow(/from 8s to 2h/);
  });

  test('--cameras N names cam-1..cam-N', () => {
    expect(parseLocalArgs(['--cameras', '3']).cameras.map((c) => c.id)).toEqual(['cam-1', 'cam-2', 'cam-3']);
  });

  test('--camera with a file, stdin or RTSP source', () => {
    expect(parseLocalArgs(['--camera', 'door', '--source', 'clip.h264', '--loop']).cameras).toEqual([
      { id: 'door', source: { kind: 'file', path: 'clip.h264', loop: true } },
    ]);
    expect(parseLocalArgs(['--camera', 'door', '--source', '-']).cameras[0]!.source).toEqual({ kind: 'stdin' });
    expect(parseLocalArgs(['--source', 'rtsp://10.0.0.2/s1']).cameras[0]).toEqual({ id: 'cam-1', source: { kind: 'rtsp', url: 'rtsp://10.0.0.2/s1' } });
  });

  test('several cameras, each with its own source, fps and RTSP transport; --fps before any --camera is for all', () => {
    const args = [
      '--fps',
      '30',
      '--camera',
      'door',
      '--source',
      'door.h264',
      '--loop',
      '--camera',
      'yard',
      '--source',
      'yard.h264',
      '--fps',
      '12.5',
      '--audio',
      'yard.aac',
      '--camera',
      'gate',
      '--source',
      'rtsp://u:p@10.0.0.3/s',
      '--rtsp-transport',
      'udp',
      '--camera',
      'drive',
      '--source',
      'drive.mp4',
    ];
    expect(parseLocalArgs(args).cameras).toEqual([
      { id: 'door', source: { kind: 'file', path: 'door.h264', loop: true, fps: 30 } },
      { id: 'yard', source: { kind: 'file', path: 'yard.h264', loop: false, fps: 12.5, audioPath: 'yard.aac' } },
      { id: 'gate', source: { kind: 'rtsp', url: 'rtsp://u:p@10.0.0.3/s', transport: 'udp' } },
      { id: 'drive', source: { kind: 'file', path: 'drive.mp4', loop: false, fps: 30 } },
    ]);
    expect(parseLocalArgs(['--source', 'clip.h264', '--fps', '30']).cameras).toEqual([
      { id: 'cam-1', source: { kind: 'file', path: 'clip.h264', loop: false, fps: 30 } },
    ]);
    expect(parseLocalArgs(['--cameras', '2', '--fps', '30']).cameras).toEqual([
      { id: 'cam-1', source: { kind: 'sample', fps: 30 } },
      { id: 'cam-2', source: { kind: 'sample', fps: 30 } },
    ]);
    expect(() => parseLocalArgs(['--camera', 'a', '--source', 'x', '--source', 'y', '--fps', '0', '--rtsp-transport', 'sctp', '--camera', 'a'])).toThrow(
      /--source given twice for --camera a.*--fps 0 must be 1\.\.120.*--rtsp-transport sctp must be tcp or udp.*--camera a is given twice/,
    );
  });

  test('every problem is named at once', () => {
    expect(() => parseLocalArgs(['--port', '70000', '--segment-seconds', '0.5', '--cameras', '2', '--camera', 'x'])).toThrow(
      /--port 70000 must be 0\.\.65535; --segment-seconds 0\.5 must be 1\.\.10; give either --cameras N or --camera ID/,
    );
    expect(() => parseLocalArgs(['--camera', 'a/b'])).toThrow(/IoT thing name/);
    expect(() => parseLocalArgs(['--bogus'])).toThrow(/bogus/);
  });
});

describe('camrec play-url arguments', () => {
  test('local by default, LIVE by default', () => {
    expect(parsePlayUrlArgs(['--camera', 'cam-1'])).toEqual({ camera: 'cam-1', body: { mode: 'LIVE' }, target: { kind: 'local', dataDir: '.camrec' } });
  });

  test('ON_DEMAND against a deployed API', () => {
    const r = parsePlayUrlArgs([
      '--camera',
      'c',
      '--mode',
      'on_demand',
      '--start',
      '2026-01-01T00:00:00Z',
      '--end',
      '2026-01-01T01:00:00Z',
      '--expires',
      '600',
      '--api',
      'https://x.execute-api.eu-west-1.amazonaws.com/',
      '--region',
      'eu-west-1',
    ]);
    expect(r).toEqual({
      camera: 'c',
      body: { mode: 'ON_DEMAND', start: '2026-01-01T00:00:00.000Z', end: '2026-01-01T01:00:00.000Z', expiresInSeconds: 600 },
      target: { kind: 'deployed', apiUrl: 'https://x.execute-api.eu-west-1.amazonaws.com', region: 'eu-west-1' },
    });
  });

  test('refuses a missing camera, a bad mode and a bad time together', () => {
    expect(() => parsePlayUrlArgs(['--mode', 'LATER', '--start', 'yesterday'])).toThrow(
      /--camera ID is required; --mode LATER must be .*; --start yesterday is not an ISO 8601 time/,
    );
  });
});
