import { readdir, readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

/**
 * The parts meet only where the design says they do: the agent (device/) and the cloud
 * (lambda/, lib/) never import each other and share only contract/ (data contracts) and
 * media/ (pure codecs and containers); contract/ and media/ import nothing of ours.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** For each top folder, the top folders its sources may import (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  contract: [],
  media: [],
  device: ['contract', 'media'],
  lambda: ['contract', 'media'],
  lib: ['contract'],
  local: ['contract', 'media', 'device', 'lambda'],
  bin: ['contract', 'media', 'device', 'lambda', 'lib', 'local'],
};

/**
 * Inside device/, the stage folders form layers, each importing only the ones below it, so
 * no folder imports upward and no two import each other:
 *
 *   core                                  errors, logger, counters, status, UploadItem, ObjectPutter, backoff
 *   media, link, credentials, buffer      each uses core only
 *   config (link: the window syntax), keys (buffer: atomic files), upload (buffer: the backlog it drains; link: cap, windows)
 *   recording (config, buffer), sources (config, media), control (recording: its request types)
 *   agent, cli                            the composition root and the command line: may import any stage
 *
 * A new stage folder has to be placed here before anything may import it or be imported.
 */
const DEVICE_MAY_IMPORT: Record<string, readonly string[] | 'any'> = {
  core: [],
  media: ['core'],
  link: ['core'],
  credentials: ['core'],
  buffer: ['core'],
  config: ['core', 'link'],
  keys: ['core', 'buffer'],
  upload: ['core', 'buffer', 'link'],
  recording: ['core', 'config', 'buffer'],
  sources: ['core', 'config', 'media'],
  control: ['core', 'recording'],
  agent: 'any',
  cli: 'any',
};

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

function sourceFiles(): string[] {
  const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...Object.keys(MAY_IMPORT)], { cwd: ROOT, encoding: 'utf8' });
  return tracked.split('\n').filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'));
}

async function crossings(): Promise<{ checked: number; violations: string[] }> {
  const violations: string[] = [];
  let checked = 0;
  for (const file of sourceFiles()) {
    const from = file.split('/')[0]!;
    const text = await readFile(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      checked++;
      const target = normalize(join(dirname(file), match[1]!));
      const to = relative('.', target).split('/')[0]!;
      if (to === from || to.startsWith('..')) continue;
      if (to === 'node_modules' || to === 'package.json') continue;
      if (!MAY_IMPORT[from]!.includes(to)) violations.push(`${file} imports ${match[1]} (${from}/ may not import ${to}/)`);
    }
  }
  return { checked, violations };
}

/** device/ imports that leave their stage folder for one the layering above does not allow. */
async function deviceCrossings(): Promise<{ checked: number; violations: string[] }> {
  const violations: string[] = [];
  let checked = 0;
  for (const file of sourceFiles().filter((f) => f.startsWith('device/'))) {
    const from = file.split('/')[1]!;
    const text = await readFile(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const target = relative('.', normalize(join(dirname(file), match[1]!))).split('/');
      if (target[0] !== 'device' || target.length < 3) continue;
      const to = target[1]!;
      if (to === from) continue;
      checked++;
      const allowed = DEVICE_MAY_IMPORT[from];
      if (allowed === undefined) violations.push(`${file}: device/${from}/ is not placed in DEVICE_MAY_IMPORT; give it a layer`);
      else if (allowed !== 'any' && !allowed.includes(to))
        violations.push(`${file} imports ${match[1]} (device/${from}/ may import only ${allowed.map((x) => `${x}/`).join(', ') || 'nothing of device/'})`);
    }
  }
  return { checked, violations };
}

/** A cycle in the layering (a imports b, b imports a, possibly through others), or undefined. */
function layeringCycle(): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...path, node];
    state.set(node, 'open');
    const next = DEVICE_MAY_IMPORT[node];
    for (const to of next === 'any' || next === undefined ? [] : next) {
      const cycle = visit(to, [...path, node]);
      if (cycle) return cycle;
    }
    state.set(node, 'done');
    return undefined;
  };
  for (const node of Object.keys(DEVICE_MAY_IMPORT)) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('import boundaries between the parts', () => {
  test('every relative import stays inside what its part may use', async () => {
    const { checked, violations } = await crossings();
    // The scan really reads the tree's imports (hundreds of them), so an empty list means something.
    expect(checked).toBeGreaterThan(500);
    expect(violations).toEqual([]);
  });

  test('device/ stage folders import only the layers below them (core at the bottom, agent and cli on top)', async () => {
    expect(layeringCycle()).toBeUndefined();
    const { checked, violations } = await deviceCrossings();
    // Dozens of imports cross device/ stage folders: the check sees them.
    expect(checked).toBeGreaterThan(60);
    expect(violations).toEqual([]);
  });

  test('every device/ folder has a place in the layering', async () => {
    const folders = (await readdir(join(ROOT, 'device'), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(folders.filter((f) => !(f in DEVICE_MAY_IMPORT))).toEqual([]);
  });
});

/** Every relative import of every product file (type-only imports too: they tie the files as much), as file -> imported files. */
async function importGraph(): Promise<Map<string, string[]>> {
  const graph = new Map<string, string[]>();
  const files = new Set(sourceFiles());
  for (const file of files) {
    const text = await readFile(join(ROOT, file), 'utf8');
    const deps = [...text.matchAll(IMPORT)].map((m) => relative('.', normalize(join(dirname(file), m[1]!)))).filter((t) => files.has(t));
    graph.set(file, deps);
  }
  return graph;
}

/** The strongly connected components with more than one node (Tarjan): each is a set of nodes that import each other, directly or through the others. */
function importCycles(graph: ReadonlyMap<string, Iterable<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) out.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/**
 * The folder graph one level below `parent`: each subfolder (`audio/`) and each file directly
 * in `parent` (`segmenter-options.ts`) is a node, with an edge where one of its files imports
 * one of the other's.
 */
function folderGraph(files: ReadonlyMap<string, string[]>, parent: string): Map<string, Set<string>> {
  const node = (f: string): string | undefined => {
    if (!f.startsWith(`${parent}/`)) return undefined;
    const rest = f.slice(parent.length + 1).split('/');
    return rest.length > 1 ? `${parent}/${rest[0]}/` : f;
  };
  const graph = new Map<string, Set<string>>();
  for (const [file, deps] of files) {
    const from = node(file);
    if (from === undefined) continue;
    for (const dep of deps) {
      const to = node(dep);
      if (to === undefined || to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)!.add(to);
    }
  }
  return graph;
}

describe('no import cycles', () => {
  test('no two product files import each other, directly or through others', async () => {
    const graph = await importGraph();
    expect(graph.size).toBeGreaterThan(300);
    expect(importCycles(graph)).toEqual([]);
  });

  test('no two folders of one part import each other, directly or through others (a shared type lives below both)', async () => {
    const files = await importGraph();
    const parents = new Set(
      [...files.keys()].flatMap((f) =>
        f
          .split('/')
          .slice(0, -2)
          .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
      ),
    );
    const cycles = [...parents].sort().flatMap((p) => importCycles(folderGraph(files, p)));
    // Every part with subfolders is scanned, and the scan sees imports between folders (device/agent uses device/media).
    expect([...parents]).toEqual(expect.arrayContaining(['device', 'device/media', 'lambda', 'lib', 'local', 'media']));
    expect(folderGraph(files, 'device').get('device/agent/')).toContain('device/media/');
    expect(cycles).toEqual([]);
  });
});
