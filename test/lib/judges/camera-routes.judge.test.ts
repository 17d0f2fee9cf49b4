import * as iam from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { CamrecStack } from '../../../lib/camrec-stack.ts';
import { testApp } from '../support/cdk-test-app.ts';
import { judge, type Verdict } from '../support/iam-judge.ts';
import { ACCOUNT, REGION, SynthesisedPolicies } from '../support/synthesised-policies.ts';

/**
 * An app user (a role of the camera maker's backend, a signed-in user's Cognito role)
 * granted the camera routes of one camera only: API Gateway's IAM authorizer (judged by
 * iam-simulate with the synthesised policy) lets it ask for that camera's clips and
 * refuses another camera's before any function runs.
 */
const stack = new CamrecStack(testApp(), 'Camrec');
const user = new iam.Role(stack, 'AppUserCamA', { assumedBy: new iam.AccountRootPrincipal() });
stack.pipeline.playback.grantCameraRoutes(user, ['camA']);
const t = new SynthesisedPolicies(Template.fromStack(stack));
const userId = t.id('AWS::IAM::Role', 'AppUserCamA');
const api = t.ref(t.id('AWS::ApiGatewayV2::Api', 'HttpApi'));
const route = (method: string, path: string) => `arn:aws:execute-api:${REGION}:${ACCOUNT}:${api}/$default/${method}${path}`;
const ask = (method: string, path: string) =>
  judge({ principal: t.arn(userId), action: 'execute-api:Invoke', resource: route(method, path), identity: t.identityPolicies(userId) });

describe('camera routes granted for one camera (iam-simulate over the synthesised policy)', () => {
  test.each([
    ['POST', '/v1/cameras/camA/clips'],
    ['GET', '/v1/cameras/camA/clips'],
    ['GET', '/v1/cameras/camA/clips/1767323045000-0a1b2c3d'],
    ['DELETE', '/v1/cameras/camA/clips/1767323045000-0a1b2c3d'],
    ['POST', '/v1/cameras/camA/sessions'],
  ])('%s %s is allowed', async (method, path) => {
    expect(await ask(method, path)).toBe<Verdict>('Allowed');
  });

  test.each([
    ['POST', '/v1/cameras/camB/clips'],
    ['GET', '/v1/cameras/camB/clips'],
    ['GET', '/v1/cameras/camB/clips/1767323045000-0a1b2c3d'],
    ['DELETE', '/v1/cameras/camB/clips/1767323045000-0a1b2c3d'],
    ['POST', '/v1/cameras/camB/sessions'],
    ['PUT', '/v1/cameras/camA/clips'],
  ])('%s %s is refused', async (method, path) => {
    expect(await ask(method, path)).not.toBe<Verdict>('Allowed');
  });
});
