import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The feature flags cdk.json gives `cdk synth`, so tests synthesise what deploys. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(`${REPO_ROOT}cdk.json`, 'utf8')).context;
}

/**
 * An app with cdk.json's context and esbuild bundling switched off (the handlers are
 * bundled once, by the synth test); template assertions do not need the code.
 */
export function testApp(): App {
  return new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true } });
}

/** Builds one construct into a fresh stack and returns its template. */
export function templateOf(build: (stack: Stack) => void): Template {
  const stack = new Stack(testApp(), 'Test');
  build(stack);
  return Template.fromStack(stack);
}

/** Resources of `type` in the template, as [logicalId, properties]. */
export function resourcesOf(template: Template, type: string): Array<[string, any]> {
  return Object.entries(template.findResources(type)).map(([id, r]) => [id, (r as { Properties: unknown }).Properties]);
}
