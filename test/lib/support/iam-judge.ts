import { runSimulation, runUnsafeSimulation, type EvaluationResult } from '@cloud-copilot/iam-simulate';
import { ACCOUNT, type PolicyDoc } from './synthesised-policies.ts';

/**
 * An IAM evaluator not written here: @cloud-copilot/iam-simulate (npm), over policies from
 * the synthesised template. Its strict mode (`runSimulation`) validates actions, resource
 * types and condition keys against AWS's published IAM data; it does not know the IoT
 * credential provider's `credentials-iot:*` keys and so ignores them (a `${credentials-iot:ThingName}`
 * resource would never match). Requests that carry those keys therefore run in its
 * unsafe mode (`runUnsafeSimulation`), which evaluates every key given; all others run strict.
 */
export interface JudgeRequest {
  /** ARN of the calling principal (a role, or the account root). */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | string[] | undefined>>;
  readonly identity: readonly { name: string; policy: PolicyDoc }[];
  /** The resource's own policy (bucket policy, key policy, trust policy). */
  readonly resourcePolicy?: PolicyDoc;
}

export type Verdict = EvaluationResult;

const usesUnknownKeys = (context: Record<string, unknown>) => Object.keys(context).some((k) => k.startsWith('credentials-iot:'));

export async function judge(r: JudgeRequest): Promise<Verdict> {
  const context = Object.fromEntries(Object.entries(r.context ?? {}).filter(([, v]) => v !== undefined)) as Record<string, string | string[]>;
  const base = {
    request: { principal: r.principal, action: r.action, resource: { resource: r.resource, accountId: ACCOUNT }, contextVariables: context },
    identityPolicies: r.identity.map((p) => ({ name: p.name, policy: p.policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  if (usesUnknownKeys(context)) {
    // The unsafe engine loads the resource policy without a name and then reads it: hand it a named one.
    const resourcePolicy = r.resourcePolicy ? { __validated: true, policyDocument: r.resourcePolicy, metadata: { name: 'resource-policy' } } : undefined;
    return runUnsafeSimulation({ ...base, resourcePolicy }, {});
  }
  const out = await runSimulation({ ...base, resourcePolicy: r.resourcePolicy }, {});
  if (out.resultType === 'error') throw new Error(`iam-simulate refused the request: ${JSON.stringify(out.errors).slice(0, 1000)}`);
  return out.overallResult;
}
