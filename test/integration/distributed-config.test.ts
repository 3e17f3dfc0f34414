/**
 * Distributed mode's configuration (issue 15): REDIS_URL with a SQLite database is refused with
 * what to set instead, and `clipdex worker` without REDIS_URL says what it needs (exit 2).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { getConfig, resetConfig } from '../../lib/config';
import { isAppError } from '../../lib/errors';
import { startCli } from '../helpers/cli';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  resetConfig();
});

describe('REDIS_URL', () => {
  it('with the default SQLite database is a configuration error naming the file and the fix', () => {
    process.env.REDIS_URL = 'redis://127.0.0.1:6379';
    delete process.env.DATABASE_URL;
    process.env.CLIPDEX_DATA_DIR = '/tmp/clipdex-dist-config';
    resetConfig();
    let err: unknown;
    try {
      getConfig();
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe('CONFIG_INVALID');
    expect((err as Error).message).toMatch(/REDIS_URL is set.*the SQLite file file:\/tmp\/clipdex-dist-config\/clipdex\.db.*DATABASE_URL=postgresql:\/\/.*or unset REDIS_URL/);
  });

  it('with PostgreSQL turns distributed mode on; without it, nothing changes', () => {
    process.env.REDIS_URL = 'redis://127.0.0.1:6379';
    process.env.DATABASE_URL = 'postgresql://u:p@127.0.0.1:5432/db';
    resetConfig();
    expect(getConfig()).toMatchObject({ redisUrl: 'redis://127.0.0.1:6379', queue: 'clipdex' });
    delete process.env.REDIS_URL;
    resetConfig();
    expect(getConfig().redisUrl).toBeUndefined();
  });

  it('`clipdex worker` without it exits 2 saying what it needs', async () => {
    const r = await startCli(['worker'], { REDIS_URL: '', DATABASE_URL: 'postgresql://u:p@127.0.0.1:1/none' }).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/clipdex worker needs distributed mode: set REDIS_URL/);
  });
});
