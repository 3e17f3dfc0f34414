/**
 * The one gate for pages that need the engine: it opens the engine (cached per process) and, when
 * that fails (no model, a bad data dir, a bad DATABASE_URL), shows EngineError with the reason and
 * the fix instead of Next's generic error page. Routes use `route()`, actions `adminAction()`.
 */
import type { ReactNode } from 'react';
import { getEngine, type Engine } from '@/lib/engine';
import { describeError } from '@/lib/errors';
import { EngineError } from '@/components/layout/engine-error';

export function withEngine<P>(page: (engine: Engine, props: P) => Promise<ReactNode>): (props: P) => Promise<ReactNode> {
  return async function EnginePage(props: P) {
    let engine: Engine;
    try {
      engine = await getEngine();
    } catch (err) {
      return <EngineError message={describeError(err)} />;
    }
    return page(engine, props);
  };
}
