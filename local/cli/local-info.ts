import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LocalUsageError } from '../local-error.ts';
import { LOCAL_JSON, type LocalStackInfo } from '../stack/local-stack.ts';

/** Reads DIR/local.json written by a running `camrec local`. */
export async function readLocalInfo(dataDir: string): Promise<LocalStackInfo> {
  const path = join(resolve(dataDir), LOCAL_JSON);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LocalStackInfo;
  } catch (cause) {
    throw new LocalUsageError(`cannot read ${path}: is 'camrec local --data-dir ${dataDir}' running? (${(cause as Error).message})`, { cause });
  }
}
