/**
 * The pages' engine gate (app/_lib/with-engine.tsx): an engine that will not open renders
 * EngineError with the reason, instead of the page (or Next's generic error page); an engine that
 * opens is handed to the page with its props.
 */
import path from 'node:path';
import type { ReactElement } from 'react';
import { afterAll, describe, expect, it } from 'vitest';
import { withEngine } from '../../app/_lib/with-engine';
import { EngineError } from '../../components/layout/engine-error';
import { closeEngine } from '../../lib/engine';
import { resetConfig } from '../../lib/config';
import { makeTestEnv } from './engine-helpers';

const t = makeTestEnv('with-engine');
afterAll(() => t.cleanup());

describe('withEngine', () => {
  it('shows EngineError naming the cause when the engine cannot open, without calling the page', async () => {
    const missing = path.join(t.dataDir, 'no-such-model');
    process.env.CLIPDEX_DATA_DIR = t.dataDir;
    process.env.CLIPDEX_MODEL_DIR = missing;
    resetConfig();
    let called = false;
    const Page = withEngine(async () => {
      called = true;
      return 'page';
    });
    const out = (await Page({})) as ReactElement<{ message: string }>;
    expect(called).toBe(false);
    expect(out.type).toBe(EngineError);
    expect(out.props.message).toContain(missing);
    await closeEngine();
  });

  it('hands the open engine and the props to the page', async () => {
    await t.open();
    const Page = withEngine(async (engine, props: { id: string }) => `${engine.model.info.dim}:${props.id}`);
    const out = await Page({ id: 'x' });
    expect(out).toMatch(/^\d+:x$/);
  });
});
