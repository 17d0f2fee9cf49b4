import { spawn } from 'node:child_process';

/** dynalite in its own process, on a free port. */
export async function dynaliteProcess(): Promise<{ endpoint: string; close(): void }> {
  const child = spawn(process.execPath, ['-e', "const d=require('dynalite')({createTableMs:0});d.listen(0,'127.0.0.1',()=>console.log(d.address().port))"], {
    cwd: import.meta.dirname,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim())));
  });
  return { endpoint: `http://127.0.0.1:${port}`, close: () => child.kill() };
}
