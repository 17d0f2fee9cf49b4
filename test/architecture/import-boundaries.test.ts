import { readFile } from 'node:fs/promises';
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

describe('import boundaries between the parts', () => {
  test('every relative import stays inside what its part may use', async () => {
    const { checked, violations } = await crossings();
    // The scan really reads the tree's imports (hundreds of them), so an empty list means something.
    expect(checked).toBeGreaterThan(500);
    expect(violations).toEqual([]);
  });
});
