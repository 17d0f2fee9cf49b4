/**
 * A small IAM policy evaluator for tests, following "Policy evaluation logic" in the IAM
 * User Guide for one account: an explicit Deny in any policy wins; otherwise an Allow in
 * an identity policy (or a resource policy naming the principal) allows; otherwise the
 * request is implicitly denied. Supports Action/NotAction, Resource/NotResource with `*`
 * and `?` wildcards (actions case-insensitive, resources case-sensitive), policy
 * variables `${key}` (a statement whose variable has no value does not match), and the
 * condition operators camrec's policies use. It is checked against documented cases in
 * iam-policy-evaluator.test.ts.
 */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

export interface AccessRequest {
  action: string;
  resource: string;
  /** Request context keys, e.g. `credentials-iot:ThingName`, `s3:if-none-match`, `aws:SecureTransport`. */
  context: Record<string, string | undefined>;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function wildcardToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

/** Substitutes `${key}`; returns undefined when a variable has no value (the statement then does not match). */
export function substituteVariables(pattern: string, context: AccessRequest['context']): string | undefined {
  let missing = false;
  const out = pattern.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    if (key === '*') return '\\*'; // literal escapes per the IAM docs
    if (key === '?') return '\\?';
    if (key === '$') return '$';
    const v = context[key];
    if (v === undefined) missing = true;
    // a value is matched literally, so wildcard characters in it must not act as wildcards
    return (v ?? '').replace(/[*?]/g, '\\$&');
  });
  return missing ? undefined : out;
}

function matchesResource(pattern: string, resource: string, context: AccessRequest['context']): boolean {
  const p = substituteVariables(pattern, context);
  if (p === undefined) return false;
  // Split on escaped wildcards (\* \?) so they match literally.
  const parts = p.split(/(\\\*|\\\?)/);
  const body = parts
    .map((part) => (part === '\\*' ? '\\*' : part === '\\?' ? '\\?' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')))
    .join('');
  return new RegExp(`^${body}$`, 's').test(resource);
}

const matchesAction = (pattern: string, action: string): boolean => wildcardToRegExp(pattern, true).test(action);

type ConditionFn = (actual: string | undefined, expected: string[]) => boolean;

const CONDITION_OPERATORS: Record<string, ConditionFn> = {
  StringEquals: (a, e) => a !== undefined && e.includes(a),
  StringNotEquals: (a, e) => a === undefined || !e.includes(a),
  StringLike: (a, e) => a !== undefined && e.some((p) => wildcardToRegExp(p, false).test(a)),
  ArnEquals: (a, e) => a !== undefined && e.includes(a),
  ArnLike: (a, e) => a !== undefined && e.some((p) => wildcardToRegExp(p, false).test(a)),
  ArnNotEquals: (a, e) => a === undefined || !e.includes(a),
  Bool: (a, e) => a !== undefined && e.map((x) => x.toLowerCase()).includes(a.toLowerCase()),
  Null: (a, e) => e.some((x) => (x === 'true' ? a === undefined : a !== undefined)),
  NumericLessThan: (a, e) => a !== undefined && e.some((x) => Number(a) < Number(x)),
};

function conditionsHold(condition: PolicyStatement['Condition'], context: AccessRequest['context']): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    const fn = CONDITION_OPERATORS[operator];
    if (!fn) throw new Error(`iam-policy-evaluator: condition operator ${operator} is not supported`);
    for (const [key, expected] of Object.entries(keys)) {
      if (!fn(context[key], list(expected as string | string[]).map(String))) return false;
    }
  }
  return true;
}

export function statementApplies(s: PolicyStatement, req: AccessRequest): boolean {
  const actionOk = s.NotAction ? !list(s.NotAction).some((a) => matchesAction(a, req.action)) : list(s.Action).some((a) => matchesAction(a, req.action));
  if (!actionOk) return false;
  const resourceOk = s.NotResource
    ? !list(s.NotResource).some((r) => matchesResource(r, req.resource, req.context))
    : list(s.Resource).some((r) => matchesResource(r, req.resource, req.context));
  if (!resourceOk) return false;
  return conditionsHold(s.Condition, req.context);
}

/** A resource-policy statement applies to our principal only when it names everyone. */
const namesEveryone = (principal: unknown): boolean =>
  principal === '*' || (typeof principal === 'object' && principal !== null && list((principal as { AWS?: string | string[] }).AWS).includes('*'));

export function evaluate(policies: { identity: PolicyDocument[]; resource?: PolicyDocument[] }, req: AccessRequest): Decision {
  const identity = policies.identity.flatMap((d) => list(d.Statement));
  const resource = (policies.resource ?? []).flatMap((d) => list(d.Statement)).filter((s) => namesEveryone(s.Principal));
  const all = [...identity, ...resource];
  if (all.some((s) => s.Effect === 'Deny' && statementApplies(s, req))) return 'ExplicitDeny';
  if (all.some((s) => s.Effect === 'Allow' && statementApplies(s, req))) return 'Allow';
  return 'ImplicitDeny';
}

/**
 * Resolves CloudFormation intrinsics in a synthesised template value: Fn::Join,
 * Fn::GetAtt [id, 'Arn'] and Ref, using `arns` for logical ids and fixed pseudo parameters.
 */
export function resolveIntrinsics(value: unknown, arns: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, arns));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolveIntrinsics(p, arns)).join(sep);
    }
    if ('Fn::GetAtt' in o) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      const arn = arns[id];
      if (!arn || attr !== 'Arn') throw new Error(`iam-policy-evaluator: no ARN for ${id}.${attr}`);
      return arn;
    }
    if ('Ref' in o) {
      const ref = o.Ref as string;
      const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::AccountId': '123456789012', 'AWS::Region': 'eu-west-1' };
      const v = pseudo[ref] ?? arns[ref];
      if (!v) throw new Error(`iam-policy-evaluator: no value for Ref ${ref}`);
      return v;
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolveIntrinsics(v, arns)]));
  }
  return value;
}
