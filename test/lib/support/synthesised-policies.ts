import { Template } from 'aws-cdk-lib/assertions';
import { CamrecStack } from '../../../lib/camrec-stack.ts';
import { testApp } from './cdk-test-app.ts';

/**
 * The policies of a synthesised template, with every intrinsic replaced by a fixed,
 * deterministic value per resource type (account 123456789012, eu-west-1), so an IAM
 * evaluator can run over exactly what `cdk synth` writes. Values:
 *
 *   AWS::S3::Bucket     Ref = the logical id lowercased, Arn = arn:aws:s3:::{that}
 *   AWS::IAM::Role      Arn = arn:aws:iam::{account}:role/{logical id}
 *   AWS::SecretsManager::Secret  Ref = Arn = arn:aws:secretsmanager:{region}:{account}:secret:{logical id}-AbCdEf
 *   AWS::Events::EventBus        Arn = arn:aws:events:{region}:{account}:event-bus/{logical id}
 *   AWS::SQS::Queue              Arn = arn:aws:sqs:{region}:{account}:{logical id}
 *   AWS::Lambda::Function        Arn = arn:aws:lambda:{region}:{account}:function:{logical id}
 *   other types         Arn / RoleAliasArn = arn:aws:{service}:{region}:{account}:{type}/{logical id}, Ref = the logical id
 */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::URLSuffix': 'amazonaws.com' };

export type PolicyDoc = { Version?: string; Statement: unknown[] | unknown };

interface TemplateJson {
  Resources: Record<string, { Type: string; Properties?: Record<string, any> }>;
}

export class SynthesisedPolicies {
  readonly json: TemplateJson;

  constructor(readonly template: Template) {
    this.json = template.toJSON() as TemplateJson;
  }

  /** The whole CamrecStack as `cdk synth` writes it (bundling off: only the policies matter). */
  static ofCamrecStack(): SynthesisedPolicies {
    return new SynthesisedPolicies(Template.fromStack(new CamrecStack(testApp(), 'Camrec')));
  }

  /** Logical ids of resources of `type`. */
  ids(type: string): string[] {
    return Object.entries(this.json.Resources)
      .filter(([, r]) => r.Type === type)
      .map(([id]) => id);
  }

  /** The one resource of `type` whose logical id contains `part`. */
  id(type: string, part: string): string {
    const found = this.ids(type).filter((id) => id.includes(part));
    if (found.length !== 1) throw new Error(`expected one ${type} with "${part}" in its id, found ${found.join(', ') || 'none'}`);
    return found[0]!;
  }

  props(id: string): Record<string, any> {
    return this.json.Resources[id]!.Properties ?? {};
  }

  arn(id: string, attr = 'Arn'): string {
    const r = this.json.Resources[id];
    if (!r) throw new Error(`no resource ${id} in the template`);
    switch (r.Type) {
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${this.ref(id)}`;
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${id}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}-AbCdEf`;
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${id}`;
      default: {
        if (r.Type === 'AWS::SQS::Queue' && attr === 'Arn') return `arn:aws:sqs:${REGION}:${ACCOUNT}:${id}`;
        if (r.Type === 'AWS::Lambda::Function' && attr === 'Arn') return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
        const [, service, kind] = r.Type.split('::');
        return `arn:aws:${service!.toLowerCase()}:${REGION}:${ACCOUNT}:${kind!.toLowerCase()}/${id}${attr === 'Arn' ? '' : `#${attr}`}`;
      }
    }
  }

  ref(id: string): string {
    const r = this.json.Resources[id];
    if (!r) throw new Error(`no resource ${id} in the template`);
    if (r.Type === 'AWS::S3::Bucket') return id.toLowerCase();
    if (r.Type === 'AWS::SecretsManager::Secret') return this.arn(id); // a secret's Ref is its ARN
    return id;
  }

  /** `value` with Ref, Fn::GetAtt, Fn::Join, Fn::Select and Fn::Split resolved. */
  resolve<T = unknown>(value: unknown): T {
    return this.#resolve(value) as T;
  }

  #resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.#resolve(v));
    if (!value || typeof value !== 'object') return value;
    const o = value as Record<string, unknown>;
    if ('Ref' in o) return PSEUDO[o.Ref as string] ?? this.ref(o.Ref as string);
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      return attr === 'RoleAliasArn' || attr === 'Arn' ? this.arn(id, attr) : `${this.ref(id)}#${attr}`;
    }
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return (this.#resolve(parts) as string[]).join(sep);
    }
    if ('Fn::Select' in o) {
      const [i, list] = o['Fn::Select'] as [number, unknown];
      return (this.#resolve(list) as string[])[i];
    }
    if ('Fn::Split' in o) {
      const [sep, s] = o['Fn::Split'] as [string, unknown];
      return (this.#resolve(s) as string).split(sep);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, this.#resolve(v)]));
  }

  /** Every identity policy of a role: its inline Policies and each AWS::IAM::Policy attached to it. */
  identityPolicies(roleId: string): { name: string; policy: PolicyDoc }[] {
    const inline = ((this.props(roleId).Policies ?? []) as { PolicyName: string; PolicyDocument: unknown }[]).map((p) => ({
      name: p.PolicyName,
      policy: this.resolve<PolicyDoc>(p.PolicyDocument),
    }));
    const attached = this.ids('AWS::IAM::Policy')
      .filter((id) => JSON.stringify(this.props(id).Roles ?? []).includes(`"${roleId}"`))
      .map((id) => ({ name: id, policy: this.resolve<PolicyDoc>(this.props(id).PolicyDocument) }));
    return [...inline, ...attached];
  }

  trustPolicy(roleId: string): PolicyDoc {
    return this.resolve<PolicyDoc>(this.props(roleId).AssumeRolePolicyDocument);
  }

  bucketPolicy(bucketId: string): PolicyDoc {
    const policies = this.ids('AWS::S3::BucketPolicy').filter((id) => JSON.stringify(this.props(id).Bucket).includes(`"${bucketId}"`));
    if (policies.length !== 1) throw new Error(`expected one bucket policy for ${bucketId}, found ${policies.length}`);
    return this.resolve<PolicyDoc>(this.props(policies[0]!).PolicyDocument);
  }

  keyPolicy(keyId: string): PolicyDoc {
    return this.resolve<PolicyDoc>(this.props(keyId).KeyPolicy);
  }

  /** Roles assumed by lambda.amazonaws.com, by logical id. */
  lambdaRoleIds(): string[] {
    return this.ids('AWS::IAM::Role').filter((id) => JSON.stringify(this.props(id).AssumeRolePolicyDocument).includes('lambda.amazonaws.com'));
  }
}
