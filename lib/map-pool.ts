export type Limiter = <R>(fn: () => Promise<R>) => Promise<R>;

/**
 * At most `limit` calls in flight across everyone who holds the limiter; the rest wait in the
 * order they came (issue 13: the batches an ingest prepares ahead share one set of lanes).
 */
export function createLimiter(limit: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (fn) => {
    if (active < Math.max(1, limit)) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // handed its lane by a finisher
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order (lib/clip: image preprocessing two at a time). */
export async function mapPool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const lane = createLimiter(limit);
  return Promise.all(items.map((item, i) => lane(() => fn(item, i))));
}
