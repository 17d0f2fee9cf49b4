import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CORS_ALLOW_HEADERS, CORS_ALLOW_METHODS, CORS_MAX_AGE_SECONDS, LambdaEnv, PlaybackRoute, TopFolder } from '../../contract/index.ts';
import { CamrecFunction } from '../functions/camrec-function.ts';
import { HandlerEntry } from '../handler-entries.ts';
import { NotificationDefault, PipelineDefault, defaultTargetDurationSeconds } from '../settings.ts';
import { validatePlaybackApiProps, type PlaybackApiProps } from './playback-api-props.ts';

export type { PlaybackApiProps } from './playback-api-props.ts';

/** The routes (contract/playback-routes.ts): their handler and whether API Gateway checks SigV4 (IAM) before the function runs. */
export { PlaybackRoute };

/**
 * One JSON line per request. The route key, not the path: a path carries the session
 * token, which must not end up in logs.
 */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
});

/**
 * The playback API: an HTTP API (payload 2.0) with IAM auth on the camera routes and the
 * signed session token (checked by the functions) on the session routes; stage
 * throttling, JSON access logs, CORS; the token HMAC secret in Secrets Manager. Two
 * functions: `api` (sessions, timeline, playlists, segment redirects) and `keys` (the
 * only one that may kms:Decrypt: data keys, and the pictures it decrypts with them).
 */
export class PlaybackApi extends Construct {
  public readonly httpApi: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly tokenSecret: secretsmanager.Secret;
  public readonly apiFunction: CamrecFunction;
  public readonly keysFunction: CamrecFunction;
  public readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PlaybackApiProps) {
    super(scope, id);
    const segmentSeconds = props.segmentSeconds ?? PipelineDefault.SEGMENT_SECONDS;
    const targetDurationSeconds = props.targetDurationSeconds ?? defaultTargetDurationSeconds(segmentSeconds);
    const liveWindowSegments = props.liveWindowSegments ?? PipelineDefault.LIVE_WINDOW_SEGMENTS;
    const corsOrigins = [...(props.corsOrigins ?? PipelineDefault.CORS_ORIGINS)];
    validatePlaybackApiProps({ segmentSeconds, targetDurationSeconds, liveWindowSegments, corsOrigins, props });

    this.tokenSecret = new secretsmanager.Secret(this, 'TokenSecret', {
      description: 'camrec playback session-token HMAC-SHA256 secret',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    Validations.of(this.tokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the HMAC secret would cut every open playback session; tokens live at most 12 h and the secret never leaves Lambda. Rotate by replacing the secret in a maintenance window.',
    });

    const common = {
      [LambdaEnv.BUCKET_NAME]: props.store.bucket.bucketName,
      [LambdaEnv.TABLE_NAME]: props.index.table.tableName,
      [LambdaEnv.RETENTION_DAYS]: String(props.store.retentionDays),
      [LambdaEnv.TARGET_DURATION_SECONDS]: String(targetDurationSeconds),
      [LambdaEnv.LIVE_WINDOW_SEGMENTS]: String(liveWindowSegments),
      [LambdaEnv.TOKEN_SECRET_ID]: this.tokenSecret.secretArn,
      [LambdaEnv.CORS_ORIGINS]: corsOrigins.join(','),
      [LambdaEnv.OFFLINE_AFTER_SECONDS]: String(props.offlineAfterSeconds ?? NotificationDefault.OFFLINE_AFTER_SECONDS),
    };
    this.apiFunction = new CamrecFunction(this, 'Api', {
      entry: props.apiEntry ?? HandlerEntry.API,
      description: 'camrec playback API: sessions, timeline, playlists, segment and pack redirects',
      environment: {
        ...common,
        ...(props.clips
          ? { [LambdaEnv.CLIP_EXPORT_FUNCTION_NAME]: props.clips.function.fn.functionName, [LambdaEnv.CLIP_KEY_ID]: props.clips.clipKey.keyArn }
          : {}),
      },
      memorySize: 512,
    });
    this.keysFunction = new CamrecFunction(this, 'Keys', {
      entry: props.keysEntry ?? HandlerEntry.KEYS,
      description: 'camrec key route: unwraps content keys with KMS for valid sessions',
      environment: {
        ...common,
        [LambdaEnv.CONTENT_KEY_ID]: props.contentKey.key.keyArn,
        ...(props.unboundKeysStoredBefore ? { [LambdaEnv.UNBOUND_KEYS_STORED_BEFORE]: props.unboundKeysStoredBefore } : {}),
      },
    });

    // api: presigned GETs of segments and pack ranges, index reads, the token secret.
    props.store.grantObjectRead(
      this.apiFunction.role,
      'segments/*',
      'the API presigns GETs of any segment of any camera a valid session names; the session token decides which.',
    );
    props.store.grantObjectRead(
      this.apiFunction.role,
      'init/*',
      'the API presigns GETs of the fMP4 init sections of the camera a valid session names; the session token decides which.',
    );
    props.store.grantObjectRead(
      this.apiFunction.role,
      'packs/*',
      'the API presigns ranged GETs of packed history a valid session names, each range checked against the session first.',
    );
    props.index.grantIndexRead(this.apiFunction.role);
    this.tokenSecret.grantRead(this.apiFunction.role);
    if (props.clips) {
      props.store.grantClipManagement(this.apiFunction.role);
      props.clips.grantRequests(this.apiFunction.role);
    }
    // keys: wrapped keys, index reads, the token secret, and the only kms:Decrypt.
    props.store.grantObjectRead(
      this.keysFunction.role,
      'keys/*',
      'the key route reads the wrapped data key a valid session asks for; the session token decides which camera.',
    );
    for (const folder of [TopFolder.IMAGES, TopFolder.EVENT_IMAGES]) {
      props.store.grantObjectRead(
        this.keysFunction.role,
        `${folder}/*`,
        'the picture route reads the encrypted picture a valid session asks for (in its camera and range) to decrypt it; the session token decides which.',
      );
    }
    props.index.grantIndexRead(this.keysFunction.role);
    this.tokenSecret.grantRead(this.keysFunction.role);
    props.contentKey.grantUnwrap(this.keysFunction.role);

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'camrec playback API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: corsOrigins,
        allowMethods: CORS_ALLOW_METHODS.map((m) => apigwv2.CorsHttpMethod[m]),
        allowHeaders: [...CORS_ALLOW_HEADERS],
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      },
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = this.httpApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: {
        rateLimit: props.throttleRatePerSecond ?? PipelineDefault.THROTTLE_RATE_PER_SECOND,
        burstLimit: props.throttleBurstRequests ?? PipelineDefault.THROTTLE_BURST_REQUESTS,
      },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigw.AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });

    const iamAuthorizer = new HttpIamAuthorizer();
    const integrations = {
      api: new HttpLambdaIntegration('ApiIntegration', this.apiFunction.fn),
      keys: new HttpLambdaIntegration('KeysIntegration', this.keysFunction.fn),
    };
    for (const route of Object.values(PlaybackRoute)) {
      const routes = this.httpApi.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integrations[route.fn],
        authorizer: route.auth === 'iam' ? iamAuthorizer : undefined,
      });
      if (route.auth !== 'iam') {
        for (const r of routes) {
          Validations.of(r).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason: `${route.method} ${route.path} is authorised by the signed session token in the path (HMAC-SHA256, expiry, camera and range), which the function checks in constant time; players such as hls.js, AVPlayer and VLC cannot sign requests.`,
          });
        }
      }
    }
  }

  /** The API's base URL, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/ */
  public get url(): string {
    return this.stage.url;
  }

  /**
   * Lets `grantee` call the IAM-authorised camera routes (sessions, timeline, status, and
   * clips: create, list, read, delete), for every camera or only for `cameras` (their ids
   * go into the execute-api ARNs, so a request for another camera is refused by API
   * Gateway before any function runs).
   */
  public grantCameraRoutes(grantee: iam.IGrantable, cameras?: readonly string[]): iam.Grant {
    const ids = cameras ?? ['*'];
    const arns = Object.values(PlaybackRoute)
      .filter((r) => r.auth === 'iam')
      .flatMap((r) =>
        ids.map((id) =>
          Stack.of(this).formatArn({
            service: 'execute-api',
            resource: this.httpApi.apiId,
            resourceName: `${this.stage.stageName}/${r.method}${r.path.replace('{id}', id).replace(/\{[^}]+\}/g, '*')}`,
          }),
        ),
      );
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: arns });
  }
}
