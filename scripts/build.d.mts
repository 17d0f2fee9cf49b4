/** Builds the `camrec` command into dist/cli; resolves with the output folder. */
export function buildCli(): Promise<string>;
