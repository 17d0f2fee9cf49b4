import * as s3 from 'aws-cdk-lib/aws-s3';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, test } from 'vitest';
import { DeviceAccess } from '../../../lib/devices/device-access.ts';
import { InvalidPropsError } from '../../../lib/infra-error.ts';
import { resourcesOf, templateOf } from '../support/cdk-test-app.ts';

const build = (credentialDurationSeconds?: number) =>
  templateOf((stack) => new DeviceAccess(stack, 'Devices', { bucket: new s3.Bucket(stack, 'Bucket'), credentialDurationSeconds }));
const template = build();

describe('DeviceAccess alone', () => {
  test("the role is trusted by this account's IoT credential provider only (aws:SourceAccount, aws:SourceArn)", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'credentials.iot.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*']],
                },
              },
            },
          },
        ],
      },
    });
  });

  test('the role allows only PutObject on segments/, init/, keys/, events/, heartbeats/, images/ and event-images/ under ${credentials-iot:ThingName}, for things of our type', () => {
    const [, role] = resourcesOf(template, 'AWS::IAM::Role')[0]!;
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toHaveLength(1);
    const statements = role.Policies[0].PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('s3:PutObject');
    expect(statements[0].Effect).toBe('Allow');
    const typeId = resourcesOf(template, 'AWS::IoT::ThingType')[0]![0];
    expect(statements[0].Condition).toEqual({ StringEquals: { 'credentials-iot:ThingTypeName': { Ref: typeId } } });
    const suffixes = statements[0].Resource.map((r: { 'Fn::Join': [string, unknown[]] }) => r['Fn::Join'][1][1]);
    expect(suffixes.sort()).toEqual([
      '/event-images/${credentials-iot:ThingName}/*',
      '/events/${credentials-iot:ThingName}/*',
      '/heartbeats/${credentials-iot:ThingName}/*',
      '/images/${credentials-iot:ThingName}/*',
      '/init/${credentials-iot:ThingName}/*',
      '/keys/${credentials-iot:ThingName}/*',
      '/segments/${credentials-iot:ThingName}/*',
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('a role alias for that role, 3600 s by default, and the role session covers it', () => {
    template.hasResourceProperties('AWS::IoT::RoleAlias', {
      CredentialDurationSeconds: 3600,
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DevicesRole'), 'Arn'] },
    });
    const t = build(7200);
    t.hasResourceProperties('AWS::IoT::RoleAlias', { CredentialDurationSeconds: 7200 });
    t.hasResourceProperties('AWS::IAM::Role', { MaxSessionDuration: 7200 });
  });

  test('the IoT policy is exactly what AWS documents for the credential provider: AssumeRoleWithCertificate on the alias, no MQTT-only conditions', () => {
    const aliasId = resourcesOf(template, 'AWS::IoT::RoleAlias')[0]![0];
    const [, policy] = resourcesOf(template, 'AWS::IoT::Policy')[0]!;
    expect(policy.PolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'AssumeDeviceRoleAlias', Effect: 'Allow', Action: 'iot:AssumeRoleWithCertificate', Resource: { 'Fn::GetAtt': [aliasId, 'RoleAliasArn'] } },
      ],
    });
    expect(JSON.stringify(policy)).not.toContain('iot:Connection.Thing');
  });

  test('a thing type exists for cameras', () => {
    template.resourceCountIs('AWS::IoT::ThingType', 1);
  });

  test('credential duration outside 900..43200 is refused with the range', () => {
    expect(() => build(600)).toThrow(InvalidPropsError);
    expect(() => build(50_000)).toThrow(/credentialDurationSeconds=50000 must be a whole number from 900 to 43200 \(the IoT role alias range\)/);
  });
});
