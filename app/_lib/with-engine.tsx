/**
 * The one gate for pages that need the engine: it opens the engine (cached per process) and, when
 * that fails (no model, a bad data dir, a bad DATABASE_URL), shows EngineError with the reason and
 * the fix instead of Next's generic error page. Routes use `route()`, actions `adminAction()`.
 * Only an admin sees the server paths in that reason; anyone else gets each path's last segment,
 * with the rest of the message (the cause and the fix) unchanged (A12).
 */
import type { ReactNode } from 'react';
import { getEngine, type Engine } from '@/lib/engine';
import { describeError } from '@/lib/errors';
import { hidePaths } from '@/lib/views/hide-paths';
import { EngineError } from '@/components/layout/engine-error';
import { viewerIsAdmin } from '@/app/_lib/session';

export function withEngine<P>(page: (engine: Engine, props: P) => Promise<ReactNode>): (props: P) => Promise<ReactNode> {
  return async function EnginePage(props: P) {
    let engine: Engine;
    try {
      engine = await getEngine();
    } catch (err) {
      const message = describeError(err);
      return <EngineError message={(await viewerIsAdmin()) ? message : hidePaths(message)} />;
    }
    return page(engine, props);
  };
}
