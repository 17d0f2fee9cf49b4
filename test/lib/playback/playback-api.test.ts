import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { LambdaEnv } from '../../../contract/index.ts';
import { InvalidPropsError } from '../../../lib/infra-error.ts';
import { ContentKey } from '../../../lib/keys/content-key.ts';
import { PlaybackApi, type PlaybackApiProps } from '../../../lib/playback/playback-api.ts';
import { SegmentIndex } from '../../../lib/storage/segment-index.ts';
import { SegmentStore } from '../../../lib/storage/segment-store.ts';
import { resourcesOf, templateOf } from '../support/cdk-test-app.ts';

const build = (props: Partial<PlaybackApiProps> = {}) =>
  templateOf((stack) => {
    const store = new SegmentStore(stack, 'Store');
    new PlaybackApi(stack, 'Playback', { store, index: new SegmentIndex(stack, 'Index'), contentKey: new ContentKey(stack, 'Key'), ...props });
  });
const template = build();
const routes = () => resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, p]) => p);
const fnOf = (word: string) => resourcesOf(template, 'AWS::Lambda::Function').find(([, p]) => p.Description?.includes(word))!;
const policyOf = (rolePrefix: string) => JSON.stringify(resourcesOf(template, 'AWS::IAM::Policy').find(([id]) => id.startsWith(rolePrefix))![1].PolicyDocument);

describe('PlaybackApi alone', () => {
  test('an HTTP API with IAM auth on camera routes and none (the token) on session routes', () => {
    const byKey = Object.fromEntries(routes().map((r) => [r.RouteKey, r.AuthorizationType]));
    expect(byKey).toEqual({
      'POST /v1/cameras/{id}/sessions': 'AWS_IAM',
      'GET /v1/cameras/{id}/timeline': 'AWS_IAM',
      'GET /v1/cameras/{id}/status': 'AWS_IAM',
      'POST /v1/cameras/{id}/clips': 'AWS_IAM',
      'GET /v1/cameras/{id}/clips': 'AWS_IAM',
      'GET /v1/cameras/{id}/clips/{clipId}': 'AWS_IAM',
      'DELETE /v1/cameras/{id}/clips/{clipId}': 'AWS_IAM',
      'GET /v1/sessions/{token}/playlist.m3u8': 'NONE',
      'GET /v1/sessions/{token}/segments/{name}': 'NONE',
      'GET /v1/sessions/{token}/init/{name}': 'NONE',
      'GET /v1/sessions/{token}/packs/{name}': 'NONE',
      'GET /v1/sessions/{token}/keys/{keyId}': 'NONE',
      'GET /v1/sessions/{token}/images/{name}': 'NONE',
    });
  });

  test('the key and picture routes go to the keys function (it decrypts pictures), every other route to the api function', () => {
    const integrations = Object.fromEntries(resourcesOf(template, 'AWS::ApiGatewayV2::Integration').map(([id, p]) => [id, JSON.stringify(p.IntegrationUri)]));
    const [keysFn] = fnOf('key route');
    for (const r of routes()) {
      const target = integrations[r.Target['Fn::Join'][1][1].Ref]!;
      expect(target.includes(keysFn), r.RouteKey).toBe(r.RouteKey.includes('/keys/') || r.RouteKey.includes('/images/'));
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { PayloadFormatVersion: '2.0' });
  });

  test('the stage throttles, auto-deploys and writes JSON access logs without the path (tokens stay out of logs)', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PlaybackAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('routeKey'),
      },
    });
    const [, stage] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage')[0]!;
    expect(stage.AccessLogSettings.Format).not.toMatch(/\$context\.path|rawPath/);
  });

  test('CORS answers browsers from the configured origins', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['*'], AllowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'] }),
    });
    build({ corsOrigins: ['https://app.example.com'] }).hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({ AllowOrigins: ['https://app.example.com'] }),
    });
  });

  test('the token secret is generated in Secrets Manager and both functions may read it', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true } });
    expect(policyOf('PlaybackApiRole')).toContain('secretsmanager:GetSecretValue');
    expect(policyOf('PlaybackKeysRole')).toContain('secretsmanager:GetSecretValue');
  });

  test('only the keys function may kms:Decrypt; the api function presigns segments and queries the index', () => {
    expect(policyOf('PlaybackKeysRole')).toContain('kms:Decrypt');
    expect(policyOf('PlaybackApiRole')).not.toContain('kms:');
    expect(policyOf('PlaybackApiRole')).toContain('/segments/*');
    expect(policyOf('PlaybackApiRole')).not.toContain('/keys/*');
    expect(policyOf('PlaybackKeysRole')).toContain('/keys/*');
    // Pictures: read (to decrypt) by the keys function only.
    expect(policyOf('PlaybackKeysRole')).toContain('/images/*');
    expect(policyOf('PlaybackKeysRole')).toContain('/event-images/*');
    expect(policyOf('PlaybackApiRole')).not.toContain('images/*');
    for (const p of [policyOf('PlaybackApiRole'), policyOf('PlaybackKeysRole')]) {
      expect(p).toContain('dynamodb:Query');
      expect(p).not.toMatch(/dynamodb:(Scan|PutItem|DeleteItem)/);
      expect(p).not.toMatch(/s3:(PutObject|DeleteObject|\*)/);
    }
  });

  test('functions get playlist settings: target duration = ceil(segment) + 2 by default, live window 5 (6 s segments)', () => {
    const [, api] = fnOf('playback API');
    expect(api.Environment.Variables).toMatchObject({
      [LambdaEnv.TARGET_DURATION_SECONDS]: '6',
      [LambdaEnv.LIVE_WINDOW_SEGMENTS]: '5',
      [LambdaEnv.CORS_ORIGINS]: '*',
      [LambdaEnv.RETENTION_DAYS]: '30',
    });
    expect(api.Environment.Variables[LambdaEnv.CONTENT_KEY_ID]).toBeUndefined();
    const [, keys] = fnOf('key route');
    const keyId = resourcesOf(template, 'AWS::KMS::Key')[0]![0];
    expect(keys.Environment.Variables[LambdaEnv.CONTENT_KEY_ID]).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const custom = build({ segmentSeconds: 6, liveWindowSegments: 10, throttleRatePerSecond: 50, throttleBurstRequests: 80 });
    custom.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [LambdaEnv.TARGET_DURATION_SECONDS]: '6', [LambdaEnv.LIVE_WINDOW_SEGMENTS]: '10' }) },
    });
    custom.hasResourceProperties('AWS::ApiGatewayV2::Stage', { DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 } });
  });

  test('bad playlist and CORS settings are all reported at once', () => {
    let error: unknown;
    try {
      build({ segmentSeconds: 6, targetDurationSeconds: 4, liveWindowSegments: 2, corsOrigins: ['https://a.example.com/path'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).problems).toHaveLength(3);
    expect((error as Error).message).toMatch(/targetDurationSeconds=4 must be >= ceil\(segmentSeconds\)=6/);
    expect((error as Error).message).toMatch(/liveWindowSegments=2 must be a whole number from 3/);
    expect((error as Error).message).toMatch(/corsOrigins=.*scheme:\/\/host\[:port\] with no path/);
  });
});
