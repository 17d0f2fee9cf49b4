import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The camrec package's root folder (where its package.json is), found by walking up from
 * this module. The same answer whether this runs from the TypeScript sources
 * (`local/package-root.ts`) or from the build (`dist/cli/chunk-*.js`), so files shipped
 * beside the code (samples/, local/player/, bin/provision/AmazonRootCA1.pem) are found
 * from either.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'camrec') return (cached = dir);
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error(`camrec: cannot find camrec's package.json above ${fileURLToPath(import.meta.url)}; run camrec from its package folder`);
    dir = parent;
  }
}
let cached: string | undefined;

/** A path inside the camrec package, e.g. `packagePath('samples', 'sample.h264')`. */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
