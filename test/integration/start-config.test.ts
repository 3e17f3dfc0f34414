/**
 * A8: `npm start` (scripts/start.mjs) with a CLIPDEX_ADMIN_TOKEN shorter than the minimum stops
 * at once with the rule and the fix, before building, migrating or serving anything.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

describe('npm start refuses a bad configuration', () => {
  it('a 6-character admin token stops start-up with the rule and how to fix it', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipdex-start-'));
    try {
      const started = Date.now();
      const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs')], {
        cwd: ROOT,
        env: { ...process.env, CLIPDEX_ADMIN_TOKEN: 's3cret', CLIPDEX_DATA_DIR: dataDir, PORT: '1' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('CLIPDEX_ADMIN_TOKEN: the token is 6 characters long; it must be at least 8');
      expect(r.stderr).toContain('CLIPDEX_ADMIN_TOKEN=$(openssl rand -hex 16)');
      expect(r.stderr).toContain('not starting');
      // Nothing was built, migrated or served: the data dir is untouched and it took no build's time.
      expect(r.stdout).not.toContain('serving on');
      expect(fs.readdirSync(dataDir)).toEqual([]);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
