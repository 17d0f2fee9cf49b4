import { Duration, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { CamrecFunction } from '../../lib/functions/camrec-function.ts';
import { DeviceAccess } from '../../lib/devices/device-access.ts';
import { HandlerEntry } from '../../lib/handler-entries.ts';
import { SegmentIndexer } from '../../lib/indexer/segment-indexer.ts';
import { ContentKey } from '../../lib/keys/content-key.ts';
import { CameraEvents } from '../../lib/notifications/camera-events.ts';
import { EmailAlerts } from '../../lib/notifications/email-alerts.ts';
import { WebhookDelivery } from '../../lib/notifications/webhook-delivery.ts';
import { HistoryPacker } from '../../lib/packing/history-packer.ts';
import { ClipExport } from '../../lib/clips/clip-export.ts';
import { PlaybackApi } from '../../lib/playback/playback-api.ts';
import { RecordingPipeline } from '../../lib/recording-pipeline.ts';
import { SegmentIndex } from '../../lib/storage/segment-index.ts';
import { SegmentStore } from '../../lib/storage/segment-store.ts';
import { REPO_ROOT, templateOf } from './support/cdk-test-app.ts';

/**
 * The `@default` a prop's JSDoc documents must be what the construct does when the prop is
 * left out. For every optional prop of every `*Props` interface in lib/ whose `@default`
 * is a value (a number, a list, a `Duration`, an enum member), the construct is built twice:
 * without the prop, and with the documented value set. The two templates must be equal.
 * Descriptive defaults (`@default - a new bus`, `@default retentionDays`) are not values
 * and are left to the construct's own tests.
 */

interface DocumentedDefault {
  readonly file: string;
  readonly iface: string;
  readonly prop: string;
  readonly text: string;
}

function libFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? libFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every optional prop with a `@default` tag in a `*Props` interface of lib/. */
export function documentedDefaults(root: string): DocumentedDefault[] {
  const out: DocumentedDefault[] = [];
  for (const path of libFiles(join(root, 'lib'))) {
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    source.forEachChild((node) => {
      if (!ts.isInterfaceDeclaration(node) || !node.name.text.endsWith('Props')) return;
      for (const member of node.members) {
        if (!ts.isPropertySignature(member) || !member.questionToken) continue;
        for (const tag of ts.getJSDocTags(member)) {
          if (tag.tagName.text !== 'default') continue;
          const text = (ts.getTextOfJSDocComment(tag.comment) ?? '').replace(/\s+/g, ' ').trim();
          out.push({ file: relative(root, path), iface: node.name.text, prop: member.name.getText(source), text });
        }
      }
    });
  }
  return out;
}

const NOT_A_VALUE = Symbol('not a value');

/** The value a `@default` text names, or NOT_A_VALUE for a description. A trailing `(note)` is ignored. */
export function defaultValue(text: string): unknown {
  const t = text.replace(/\s+\(.*\)$/, '').trim();
  if (/^-?\d[\d,_]*(\.\d+)?$/.test(t)) return Number(t.replace(/[,_]/g, ''));
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^\[.*\]$/.test(t)) return JSON.parse(t.replace(/'/g, '"'));
  let m: RegExpMatchArray | null;
  if ((m = /^Duration\.(seconds|minutes|hours|days)\((\d+)\)$/.exec(t))) return Duration[m[1] as 'seconds'](Number(m[2]));
  if ((m = /^RemovalPolicy\.([A-Z_]+)$/.exec(t))) return RemovalPolicy[m[1] as keyof typeof RemovalPolicy];
  if ((m = /^RetentionDays\.([A-Z_]+)$/.exec(t))) return logs.RetentionDays[m[1] as keyof typeof logs.RetentionDays];
  return NOT_A_VALUE;
}

type Build = (stack: Stack, props: Record<string, unknown>) => void;

/** How to build each construct with only the props under test (plus what it requires). */
const builders: Record<string, Build> = {
  RecordingPipelineProps: (stack, p) => new RecordingPipeline(stack, 'Pipeline', p),
  NotificationsProps: (stack, p) => new RecordingPipeline(stack, 'Pipeline', { notifications: { webhookUrl: 'https://hooks.example.com/camrec', ...p } }),
  PlaybackApiProps: (stack, p) =>
    new PlaybackApi(stack, 'Playback', {
      store: new SegmentStore(stack, 'Store'),
      index: new SegmentIndex(stack, 'Index'),
      contentKey: new ContentKey(stack, 'Key'),
      ...p,
    }),
  SegmentStoreProps: (stack, p) => new SegmentStore(stack, 'Store', p),
  SegmentIndexProps: (stack, p) => new SegmentIndex(stack, 'Index', p),
  ContentKeyProps: (stack, p) => new ContentKey(stack, 'Key', p),
  DeviceAccessProps: (stack, p) => new DeviceAccess(stack, 'Devices', { bucket: new s3.Bucket(stack, 'Bucket'), ...p }),
  HistoryPackerProps: (stack, p) =>
    new HistoryPacker(stack, 'Packing', { store: new SegmentStore(stack, 'Store'), index: new SegmentIndex(stack, 'Index'), ...p }),
  CameraEventsProps: (stack, p) => new CameraEvents(stack, 'Events', { index: new SegmentIndex(stack, 'Index'), ...p }),
  WebhookDeliveryProps: (stack, p) =>
    new WebhookDelivery(stack, 'Webhook', { bus: new events.EventBus(stack, 'Bus'), url: 'https://hooks.example.com/camrec', ...p }),
  EmailAlertsProps: (stack, p) => new EmailAlerts(stack, 'Alerts', { bus: new events.EventBus(stack, 'Bus'), addresses: ['ops@example.com'], ...p }),
  SegmentIndexerProps: (stack, p) =>
    new SegmentIndexer(stack, 'Indexer', { store: new SegmentStore(stack, 'Store'), index: new SegmentIndex(stack, 'Index'), ...p }),
  ClipExportProps: (stack, p) => {
    const index = new SegmentIndex(stack, 'Index');
    return new ClipExport(stack, 'Clips', {
      store: new SegmentStore(stack, 'Store'),
      index,
      contentKey: new ContentKey(stack, 'Key'),
      cameraEvents: new CameraEvents(stack, 'Events', { index }),
      ...p,
    });
  },
  CamrecFunctionProps: (stack, p) => new CamrecFunction(stack, 'Fn', { entry: HandlerEntry.API, description: 'test', environment: {}, ...p }),
};

const all = documentedDefaults(REPO_ROOT);
const valued = all.filter((d) => defaultValue(d.text) !== NOT_A_VALUE);

describe('documented @default values in lib/ are the real defaults', () => {
  test('finds the props (a broken parser would check nothing)', () => {
    expect(valued.length).toBeGreaterThan(20);
    expect(valued.map((d) => `${d.iface}.${d.prop}`)).toEqual(
      expect.arrayContaining(['PlaybackApiProps.segmentSeconds', 'RecordingPipelineProps.liveWindowSegments', 'CamrecFunctionProps.memorySize']),
    );
  });

  test('every construct with a documented value has a builder here', () => {
    expect([...new Set(valued.map((d) => d.iface))].filter((i) => !builders[i])).toEqual([]);
  });

  const baselines = new Map<string, unknown>();
  const baseline = (iface: string) => {
    if (!baselines.has(iface)) baselines.set(iface, templateOf((s) => builders[iface]!(s, {})).toJSON());
    return baselines.get(iface);
  };

  test.each(valued.map((d) => [`${d.iface}.${d.prop} @default ${d.text} (${d.file})`, d] as const))(
    '%s',
    (_name, d) => {
      const explicit = templateOf((s) => builders[d.iface]!(s, { [d.prop]: defaultValue(d.text) })).toJSON();
      expect(explicit, `setting ${d.prop} to its documented default changed the template: the JSDoc in ${d.file} is wrong`).toEqual(baseline(d.iface));
    },
    // A first CDK build loads aws-cdk-lib: over a minute on a loaded machine.
    180_000,
  );
});

describe('defaultValue', () => {
  test('reads values and skips descriptions', () => {
    expect(defaultValue('43,500 (12 h 5 min)')).toBe(43_500);
    expect(defaultValue("['*']")).toEqual(['*']);
    expect(defaultValue('Duration.hours(6)')).toEqual(Duration.hours(6));
    expect(defaultValue('RemovalPolicy.DESTROY (logs go with the stack)')).toBe(RemovalPolicy.DESTROY);
    for (const d of ['- a new bus', 'retentionDays', 'all of them', 'lambda/api/handler.ts', 'defaultPackStorageClass(retentionDays)'])
      expect(defaultValue(d)).toBe(NOT_A_VALUE);
  });
});
