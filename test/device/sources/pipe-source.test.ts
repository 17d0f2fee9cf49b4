import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PipeSource } from '../../../device/sources/pipe-source.ts';
import { mediaInput } from '../../support/media-input.ts';
import { until } from '../../support/until.ts';

/** Opens of the FIFO the writer makes, one after the other, each writing one numbered chunk. */
const OPENS = 48;
const chunk = (i: number) => `<${i}:${'x'.repeat(200)}>`;

/**
 * A writer process that opens the FIFO, writes one chunk, closes it and opens it again at
 * once (or after up to 2 ms), OPENS times; then it opens it once more (until an open
 * succeeds), writes `<end>` and holds it open. A FIFO keeps order, so once `<end>` has
 * arrived every earlier byte that ever will has too. `nonblock`: the writer opens with
 * O_NONBLOCK (an open while no reader is open fails, ENXIO). Prints each failed open or
 * write on stderr.
 */
const WRITER = `
import os, sys, time
fifo, opens, nonblock = sys.argv[1], int(sys.argv[2]), sys.argv[3] == '1'
flags = os.O_WRONLY | (os.O_NONBLOCK if nonblock else 0)
def chunk(i): return ('<%d:%s>' % (i, 'x' * 200)).encode()
for i in range(opens):
    try:
        fd = os.open(fifo, flags)
    except OSError as e:
        sys.stderr.write('open %d failed: %s\\n' % (i, e))
    else:
        try:
            os.write(fd, chunk(i))
        except OSError as e:
            sys.stderr.write('write %d failed: %s\\n' % (i, e))
        os.close(fd)
    # Reopen at once, or a fraction of a millisecond later: one of these lands while the
    # reader has seen this close but not yet closed its end.
    time.sleep((i % 8) * 0.00025)
while True:
    try:
        fd = os.open(fifo, flags)
        break
    except OSError:
        time.sleep(0.01)
os.write(fd, b'<end>')
sys.stdin.read()  # hold the last open until the test ends
`;

describe('PipeSource: a FIFO writer that reconnects at once', () => {
  let dir: string;
  let fifo: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'camrec-pipe-src-'));
    fifo = join(dir, 'video.fifo');
    execFileSync('mkfifo', [fifo]);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a blocking', false],
    ['an O_NONBLOCK', true],
  ])(
    '%s writer that closes and reopens within milliseconds loses no bytes: every chunk of every open arrives, in order',
    async (_, nonblock) => {
      const got: Buffer[] = [];
      const closes: string[] = [];
      const src = new PipeSource(
        mediaInput({
          pushVideo: (c) => got.push(Buffer.from(c)),
          noteSourceError: (e) => closes.push(e.message),
        }),
        { videoPath: fifo, stallMs: 120_000 },
      );
      src.start();
      const writer = spawn('/usr/bin/python3', ['-c', WRITER, fifo, String(OPENS), nonblock ? '1' : '0'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let writerErrors = '';
      writer.stderr.on('data', (d: Buffer) => (writerErrors += d.toString()));
      try {
        const text = () => Buffer.concat(got).toString('latin1');
        await until('the last open of the writer to arrive', () => text().endsWith('<end>'), {
          timeoutMs: 60_000,
          detail: () => ({ received: text().length, writerErrors }),
        });
        const arrived = [...text().matchAll(/<(\d+):x{200}>/g)].map((m) => Number(m[1]));
        expect({ arrived, writerErrors }).toEqual({ arrived: Array.from({ length: OPENS }, (_, i) => i), writerErrors: '' });
        // Every byte, nothing else: the chunks back to back, then the last open's.
        expect(text()).toBe(Array.from({ length: OPENS }, (_, i) => chunk(i)).join('') + '<end>');
        // Each close the source saw was reported as one (and reopened), never as a failure.
        expect(closes.filter((m) => !/closed; reopening/.test(m))).toEqual([]);
      } finally {
        writer.kill('SIGKILL');
        await src.stop();
      }
    },
    90_000,
  );
});
