import { run } from '../../../device/cli/segment-command.ts';

/** `camrec segment ARGS` in process, as a user sees it: the exit code and what it printed on stdout and stderr. */
export async function segmentCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = process.stdout.write;
  const e = process.stderr.write;
  process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
  try {
    return { code: await run(args), out, err };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
  }
}
