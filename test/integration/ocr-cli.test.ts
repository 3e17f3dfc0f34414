/**
 * issue 11, the CLI side of OCR as a user runs it (bin/clipdex.mjs in a child process): --help
 * names --ocr/--no-ocr and the backfill flags, --retry-failed-ocr alone is a usage error (exit 2),
 * `ingest --no-ocr --json` reports the images it left unread, and `reindex --ocr` reads them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli';
import { assertCjkFont, renderText } from '../helpers/text-image';
import { makeTestEnv } from './engine-helpers';

const t = makeTestEnv('ocr-cli');
const run = (args: string[]) => startCli(args, t.env).done;
afterAll(() => t.cleanup());

describe('clipdex OCR flags', { timeout: 400_000 }, () => {
  let file: string;
  beforeAll(async () => {
    assertCjkFont();
    const img = await renderText(400, 140, [{ text: '红烧牛肉面', x: 20, y: 90, size: 56 }]);
    file = path.join(t.dataDir, 'menu.tsv');
    fs.writeFileSync(file, `a menu\t${img.toString('base64')}\n`);
  });

  it('--help names the OCR flags; --retry-failed-ocr without --ocr exits 2 saying what goes with it', async () => {
    expect((await run(['ingest', '--help'])).stdout).toMatch(/--no-ocr\s+do not read text in images now/);
    const re = await run(['reindex', '--help']);
    expect(re.stdout).toMatch(/--ocr\s+then read the text in every image not read yet/);
    expect(re.stdout).toMatch(/--retry-failed-ocr/);
    const bad = await run(['reindex', '--retry-failed-ocr']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--retry-failed-ocr goes with --ocr/);
  });

  it('ingest --no-ocr leaves the text unread and says so; reindex --ocr reads it', async () => {
    const ing = await run(['ingest', file, '--dataset', 'menu', '--no-ocr', '--json']);
    expect(ing.code, ing.stderr).toBe(0);
    expect(JSON.parse(ing.stdout)).toMatchObject({ images: 1, ocr: { skipped: 1, images: 0 } });
    const re = await run(['reindex', '--ocr']);
    expect(re.code, re.stderr).toBe(0);
    expect(re.stdout).toMatch(/text found in 1 of 1 images read/);
  });
});
