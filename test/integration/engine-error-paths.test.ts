/**
 * A12 leftover: when the engine cannot open, GET /api/health and the pages' EngineError showed the
 * raw reason to anyone, e.g. "model folder not found: /abs/server/path". With an admin token set,
 * a viewer without it gets each path's last segment; the code, the cause and the fix are kept; the
 * admin still sees the full path.
 */
import path from 'node:path';
import type { ReactElement } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as healthGet } from '../../app/api/health/route';
import { withEngine } from '../../app/_lib/with-engine';
import { EngineError } from '../../components/layout/engine-error';
import { closeEngine } from '../../lib/engine';
import { resetConfig } from '../../lib/config';
import { makeTestEnv, type TestEnv } from './engine-helpers';

const TOKEN = 'engine-error-token-0123456789abcdef';
let t: TestEnv;
let missing: string;

beforeAll(() => {
  t = makeTestEnv('engine-error-paths');
  missing = path.join(t.dataDir, 'no-such-model');
  Object.assign(process.env, t.env, { CLIPDEX_MODEL_DIR: missing, CLIPDEX_ADMIN_TOKEN: TOKEN });
  delete process.env.DATABASE_URL;
  resetConfig();
});
afterAll(async () => {
  delete process.env.CLIPDEX_ADMIN_TOKEN;
  resetConfig();
  await closeEngine();
  await t?.cleanup();
});

const health = (headers: Record<string, string> = {}) => healthGet(new Request('http://127.0.0.1/api/health', { headers }));

describe('the engine error shown to a viewer without the admin token', () => {
  it('GET /api/health: anonymous gets the last segment, the code and the fix; the admin the full path', async () => {
    const anon = await health();
    expect(anon.status).toBe(503);
    const body = await anon.json();
    expect(body.error.code).toBe('MODEL_MISSING');
    expect(body.error.message).toContain('model folder not found: no-such-model.');
    expect(body.error.message).toContain('CLIPDEX_MODEL_DIR');
    expect(body.error.message).not.toContain(t.dataDir);

    const admin = await (await health({ authorization: `Bearer ${TOKEN}` })).json();
    expect(admin.error.message).toContain(missing);
  });

  it('EngineError on a page: no server path for a viewer without the sign-in cookie', async () => {
    const Page = withEngine(async () => 'page');
    const out = (await Page({})) as ReactElement<{ message: string }>;
    expect(out.type).toBe(EngineError);
    expect(out.props.message).toContain('model folder not found: no-such-model.');
    expect(out.props.message).not.toContain(t.dataDir);
  });

  it('with no token configured everyone is an admin and sees the full path', async () => {
    delete process.env.CLIPDEX_ADMIN_TOKEN;
    resetConfig();
    const body = await (await health()).json();
    expect(body.error.message).toContain(missing);
    const out = (await withEngine(async () => 'page')({})) as ReactElement<{ message: string }>;
    expect(out.props.message).toContain(missing);
  });
});
