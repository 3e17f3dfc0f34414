/**
 * A very long command line (e.g. a pasted 60 KB query) gets exit 2 and a message, never a crash:
 * ONNX Runtime segfaults creating a session when the process's arguments reach ~40 KB.
 */
import { describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli';

describe('clipdex with a very long command line', () => {
  it('refuses 60 KB of arguments with exit 2 and says what to do, for any command', async () => {
    const long = 'a'.repeat(60_000);
    for (const args of [['search', '--text', long], ['classify', 'x.png', '--labels', long]]) {
      const r = await startCli(args).done;
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/arguments are 600\d\d bytes; at most 16384 are accepted\. Put long text in a file/);
    }
  });

  it('still accepts a long but reasonable query (4 KB) as far as its own limits', async () => {
    const r = await startCli(['search', '--text', 'dog '.repeat(1000), '--json']).done;
    expect(r.code).toBe(2); // the query language's own limit (500 characters) answers, not the guard
    expect(r.stderr).not.toMatch(/at most 16384/);
  }, 60_000);
});
