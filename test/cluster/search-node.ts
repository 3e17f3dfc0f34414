/**
 * A web node without Next.js, for the cluster test and bench/cluster.ts: the same engine a web
 * node opens (indexes following PostgreSQL through the change feed in distributed mode) and the
 * same lib/search, behind a tiny HTTP server. `next start` does the same and more, but needs a
 * production build, which the test tier should not wait for. Prints `ready <port>` when serving.
 *   GET /search?q=TEXT&k=10[&dataset=NAME] → { ids: number[], scores: number[] } (image hits, best first)
 *   GET /labels               → { modelId, image: number[] } (the image index's live labels)
 */
import http from 'node:http';
import { getEngine } from '../../lib/engine';
import { search } from '../../lib/search';

const engine = await getEngine({ log: (m) => process.stderr.write(`node: ${m}\n`) });
const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://x');
    let body: unknown;
    if (url.pathname === '/search') {
      const dataset = url.searchParams.get('dataset') ?? undefined;
      const r = await search({ query: { text: url.searchParams.get('q') ?? '' }, want: 'image', k: Number(url.searchParams.get('k') ?? 10), dataset }, engine);
      body = { ids: r.hits.map((h) => h.imageId), scores: r.hits.map((h) => h.score) };
    } else if (url.pathname === '/labels') {
      body = { modelId: engine.model.info.id, image: engine.indexes.image.labels() };
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  } catch (err) {
    res.writeHead(500).end(String((err as Error).message));
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`ready ${typeof addr === 'object' && addr ? addr.port : '?'}\n`);
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => server.close(() => process.exit(0)));
