/**
 * `camrec` subcommand dispatcher. Each subcommand lives in its own module and exports
 * `run(argv): Promise<number>` (the exit code). Modules load lazily so `camrec segment`
 * never pulls in the AWS SDK and `camrec provision` never pulls in the muxer.
 */
type Subcommand = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const SUBCOMMANDS: Record<string, Subcommand> = {
  segment: { summary: 'mux and encrypt an H.264 (+AAC) file into HLS segments', load: () => import('../device/cli/segment-command.ts') },
  agent: { summary: 'run the camera agent: record, encrypt, upload to S3', load: () => import('../device/cli/agent-command.ts') },
  provision: { summary: 'create an IoT thing, certificate and device.json for a camera', load: () => import('./provision/provision-command.ts') },
  local: { summary: 'run the whole stack on this machine (no AWS account)', load: () => import('../local/cli/local-command.ts') },
  'play-url': { summary: 'ask the playback API for an HLS URL', load: () => import('../local/cli/play-url-command.ts') },
  clip: { summary: 'export a range of a camera as one MP4 and download it', load: () => import('../local/cli/clip-command.ts') },
  event: { summary: 'start an event recording on a running agent', load: () => import('../local/cli/event-command.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`);
  return `usage: camrec <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nRun 'camrec <command> --help' for a command's options.\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    process.stderr.write(`camrec: unknown command '${name}'.\n\n${usage()}`);
    return 2;
  }
  let mod: { run(argv: string[]): Promise<number> };
  try {
    mod = await sub.load();
  } catch (err) {
    process.stderr.write(`camrec ${name}: this command is not available in this build (${(err as Error).message}).\n`);
    return 2;
  }
  return mod.run(rest);
}
