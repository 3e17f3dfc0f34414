/**
 * P8: captions from a corpus must not drive the terminal. Human output shows every control
 * character as a visible escape; the search table is built from termSafe'd fields; --json stays
 * exact (JSON.stringify escapes C0 controls itself and the parsed value is the original).
 */
import { describe, expect, it } from 'vitest';
import { formatHits } from './commands/search';
import { command, formatLineError, termSafe, usageSafe } from './output';

const HOSTILE = 'cat\u001b]0;pwned-title\u0007\u001b[2J\u001b[31mred\u009b31m\u202eevil\u2066x\u2069\r\nend';

describe('termSafe', () => {
  it('escapes OSC, CSI, BEL, C1 controls, BiDi overrides and isolates, CR and LF', () => {
    const safe = termSafe(HOSTILE);
    expect(safe).toBe('cat\\x1b]0;pwned-title\\x07\\x1b[2J\\x1b[31mred\\x9b31m\\u202eevil\\u2066x\\u2069\\x0d\\x0aend');
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('keeps what the caller asks for (a report keeps its newlines and tabs) and all ordinary text', () => {
    expect(termSafe('a\tb\nc\u001b', '\n\t')).toBe('a\tb\nc\\x1b');
    expect(termSafe('一只猫 😺 café — “quotes”')).toBe('一只猫 😺 café — “quotes”');
  });

  it('line errors are printed escaped', () => {
    expect(formatLineError({ line: 3, file: 'x\u001b[2J.jsonl', reason: 'image id "\u001b]0;t\u0007" is not among the ingested images' })).toBe(
      'x\\x1b[2J.jsonl: line 3: image id "\\x1b]0;t\\x07" is not among the ingested images',
    );
  });
});

describe('search output', () => {
  const result = {
    hits: [
      { kind: 'text' as const, textId: 7, score: 0.9, text: HOSTILE, dataset: 'd', images: [] },
    ],
    k: 10,
    offset: 0,
    hasMore: false,
    tookMs: 1,
  };

  it('the human table carries no raw control character', () => {
    const out = formatHits(result as Parameters<typeof formatHits>[0]);
    expect(out).toContain('cat\\x1b]0;pwned-title\\x07');
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(out.split('\n')).toHaveLength(1); // the caption's CR LF cannot break the table
  });

  it('--json keeps the caption exact', () => {
    const json = JSON.stringify(result);
    expect(json).not.toMatch(/[\u0000-\u001f]/);
    expect(JSON.parse(json).hits[0].text).toBe(HOSTILE);
  });
});

describe('command()', () => {
  it('prints any error once with the clipdex prefix and sets the exit code lib/errors gives it', async () => {
    const { AppError } = await import('../lib/errors');
    const writes: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    const saved = process.exitCode;
    process.stderr.write = ((s: string) => (writes.push(String(s)), true)) as typeof process.stderr.write;
    try {
      await command(async () => {
        throw new AppError('MODEL_INVALID', 'model m refused: \u001b[2J');
      })();
      expect(process.exitCode).toBe(3);
      await command(async () => {
        throw new Error('boom');
      })();
      expect(process.exitCode).toBe(1);
    } finally {
      process.stderr.write = orig;
      process.exitCode = saved;
    }
    expect(writes).toEqual(['clipdex: model m refused: \\x1b[2J\n', 'clipdex: internal error: boom\n']);
  });
});

describe('ingest default dataset name', () => {
  it('drops the extension, and a .gz with the extension it compresses', async () => {
    const { defaultDatasetName } = await import('./commands/ingest');
    expect(['demo/train.tsv', 'x/train.tsv.gz', 'my.data.tsv.gz', 'corpus.GZ', 'folder'].map(defaultDatasetName)).toEqual(['train', 'train', 'my.data', 'corpus', 'folder']);
  });
});

describe('usageSafe (commander echoes refused arguments)', () => {
  it('escapes control characters and cuts a huge argument in the middle, keeping the reason', () => {
    const line = `error: option '-d, --dataset <name>' argument '${'x'.repeat(10_000)}\x1b]0;t\x07' is invalid. the name is too long`;
    const out = usageSafe(`${line}\n(add --help for usage)\n`);
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(out).toContain('characters cut');
    expect(out).toMatch(/the name is too long\n\(add --help for usage\)\n$/);
    expect(out.length).toBeLessThan(500);
  });
});
