import { describe, expect, test } from 'vitest';
import {
  CORS_ALLOW_HEADERS,
  CORS_ALLOW_METHODS,
  CORS_MAX_AGE_SECONDS,
  Liveness,
  PlaybackRoute,
  SegmentSeconds,
  routePattern,
  targetDurationSeconds,
} from '../../contract/index.ts';
import { deviceConfigSchema } from '../../device/config/device-config-schema.ts';
import { ApiRoute } from '../../lambda/api/create-api-handler.ts';
import { preflight } from '../../lambda/shared/http.ts';
import { readPlaybackConfig } from '../../lambda/shared/lambda-config.ts';
import { PlaybackApi } from '../../lib/playback/playback-api.ts';
import { NotificationDefault, NotificationLimit, PipelineDefault, PipelineLimit } from '../../lib/settings.ts';
import { SegmentIndex } from '../../lib/storage/segment-index.ts';
import { SegmentStore } from '../../lib/storage/segment-store.ts';
import { ContentKey } from '../../lib/keys/content-key.ts';
import { templateOf } from '../lib/support/cdk-test-app.ts';
import { MINIMAL_DEVICE_CONFIG } from '../support/minimal-device-config.ts';

describe('values the agent, the cloud and local mode share are written once (contract/)', () => {
  test('segment length: the agent, the CDK and the Lambdas agree on the default and the range', () => {
    const device = deviceConfigSchema.parse(MINIMAL_DEVICE_CONFIG);
    expect(device.segmentSeconds).toBe(SegmentSeconds.DEFAULT);
    expect(PipelineDefault.SEGMENT_SECONDS).toBe(SegmentSeconds.DEFAULT);
    expect([PipelineLimit.SEGMENT_SECONDS_MIN, PipelineLimit.SEGMENT_SECONDS_MAX]).toEqual([SegmentSeconds.MIN, SegmentSeconds.MAX]);
    expect(deviceConfigSchema.safeParse({ ...MINIMAL_DEVICE_CONFIG, segmentSeconds: SegmentSeconds.MAX }).success).toBe(true);
    expect(deviceConfigSchema.safeParse({ ...MINIMAL_DEVICE_CONFIG, segmentSeconds: SegmentSeconds.MAX + 0.5 }).success).toBe(false);
    expect(deviceConfigSchema.safeParse({ ...MINIMAL_DEVICE_CONFIG, segmentSeconds: SegmentSeconds.MIN - 0.5 }).success).toBe(false);
    // A Lambda without CAMREC_TARGET_DURATION_SECONDS uses the target duration of the agent's default.
    const env = { CAMREC_BUCKET_NAME: 'b', CAMREC_TABLE_NAME: 't', CAMREC_TOKEN_SECRET_ID: 's' };
    expect(readPlaybackConfig(env, []).targetDurationSeconds).toBe(targetDurationSeconds(SegmentSeconds.DEFAULT));
  });

  test('liveness: the agent heartbeats often enough for the cloud to miss two beats before calling it offline', () => {
    expect(deviceConfigSchema.parse(MINIMAL_DEVICE_CONFIG).heartbeatSeconds).toBe(Liveness.HEARTBEAT_SECONDS);
    expect(Liveness.OFFLINE_AFTER_SECONDS).toBeGreaterThanOrEqual(2 * Liveness.HEARTBEAT_SECONDS);
    expect(NotificationDefault.OFFLINE_AFTER_SECONDS).toBe(Liveness.OFFLINE_AFTER_SECONDS);
    expect([NotificationLimit.OFFLINE_AFTER_MIN_SECONDS, NotificationLimit.OFFLINE_AFTER_MAX_SECONDS]).toEqual([
      Liveness.OFFLINE_AFTER_MIN_SECONDS,
      Liveness.OFFLINE_AFTER_MAX_SECONDS,
    ]);
  });

  test('every value the CDK accepts for a Lambda setting lets the Lambda start (it refused live windows over 100 and retention over 3650 days)', () => {
    const env = { CAMREC_BUCKET_NAME: 'b', CAMREC_TABLE_NAME: 't', CAMREC_TOKEN_SECRET_ID: 's' };
    for (const [name, value] of [
      ['CAMREC_LIVE_WINDOW_SEGMENTS', PipelineLimit.LIVE_WINDOW_SEGMENTS_MAX],
      ['CAMREC_LIVE_WINDOW_SEGMENTS', PipelineLimit.LIVE_WINDOW_SEGMENTS_MIN],
      ['CAMREC_TARGET_DURATION_SECONDS', PipelineLimit.TARGET_DURATION_MAX_SECONDS],
      ['CAMREC_RETENTION_DAYS', PipelineLimit.RETENTION_DAYS_MAX],
      ['CAMREC_EVENT_RETENTION_DAYS', PipelineLimit.RETENTION_DAYS_MAX],
      ['CAMREC_OFFLINE_AFTER_SECONDS', NotificationLimit.OFFLINE_AFTER_MAX_SECONDS],
    ] as const) {
      expect(() => readPlaybackConfig({ ...env, [name]: String(value) }, []), `${name}=${value}`).not.toThrow();
    }
    const defaults = readPlaybackConfig(env, []);
    expect([defaults.liveWindowSegments, defaults.retentionDays]).toEqual([PipelineDefault.LIVE_WINDOW_SEGMENTS, PipelineDefault.RETENTION_DAYS]);
  });

  test('routePattern: a template becomes a path matcher capturing each parameter', () => {
    const key = routePattern(PlaybackRoute.KEY.path);
    expect(key.exec('/v1/sessions/abc.def/keys/0123')?.slice(1)).toEqual(['abc.def', '0123']);
    expect(key.test('/v1/sessions//keys/0123')).toBe(false);
    expect(key.test('/v1/sessions/a/keys/b/c')).toBe(false);
    const playlist = routePattern(PlaybackRoute.PLAYLIST.path);
    expect(playlist.test('/v1/sessions/t/playlist.m3u8')).toBe(true);
    expect(playlist.test('/v1/sessions/t/playlistxm3u8')).toBe(false);
  });

  test('the Lambda routers match exactly the paths API Gateway routes to them', () => {
    const sample = (path: string) => path.replace(/\{[^}]+\}/g, 'x');
    for (const [name, route] of Object.entries(PlaybackRoute)) {
      expect(ApiRoute[name as keyof typeof ApiRoute].test(sample(route.path))).toBe(true);
    }
  });

  test('API Gateway routes and CORS are built from the contract, and the Lambdas answer preflights with the same rules', () => {
    const template = templateOf(
      (stack) =>
        new PlaybackApi(stack, 'Playback', {
          store: new SegmentStore(stack, 'Store'),
          index: new SegmentIndex(stack, 'Index'),
          contentKey: new ContentKey(stack, 'Key'),
        }),
    );
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => (r as { Properties: { RouteKey: string } }).Properties.RouteKey,
    );
    expect(routeKeys.sort()).toEqual(
      Object.values(PlaybackRoute)
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    );
    const api = Object.values(template.findResources('AWS::ApiGatewayV2::Api'))[0] as {
      Properties: { CorsConfiguration: { AllowHeaders: string[]; AllowMethods: string[]; MaxAge: number } };
    };
    const cors = api.Properties.CorsConfiguration;
    const lambda = preflight(['*'], undefined).headers;
    expect(cors.AllowHeaders).toEqual([...CORS_ALLOW_HEADERS]);
    expect(lambda['access-control-allow-headers']!.split(',')).toEqual(cors.AllowHeaders);
    expect(cors.AllowMethods).toEqual([...CORS_ALLOW_METHODS]);
    expect(lambda['access-control-allow-methods']!.split(',')).toEqual(cors.AllowMethods);
    expect(Number(lambda['access-control-max-age'])).toBe(cors.MaxAge);
    expect(cors.MaxAge).toBe(CORS_MAX_AGE_SECONDS);
    // A first CDK build loads aws-cdk-lib: over a minute on a loaded machine.
  }, 180_000);
});
