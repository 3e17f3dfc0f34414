import { subscribe } from '@/lib/jobs';
import { loadJobView } from '@/app/_lib/jobs';
import { route } from '@/app/api/_lib/http';
import { jobIdParams } from '@/app/api/_lib/schemas';
import { isFinished, type JobView } from '@/lib/views/jobs';

export const dynamic = 'force-dynamic';

const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;

/**
 * GET /api/jobs/:id/events — server-sent events: `progress` (a JobView) whenever the job moves,
 * then one `end` (the final JobView with its result and first errors), then the stream closes.
 * Live events come from lib/jobs in this process; a poll of the Job row covers jobs run by
 * another process (the CLI) and any missed event.
 */
export const GET = route({ params: jobIdParams }, async ({ req, engine, params }) => {
  const { id } = params;
  const first = await loadJobView(engine, id, false); // 404 before the stream starts
  const enc = new TextEncoder();
  let cleanup = () => {};

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let last = first;
      let lastSent = '';
      const send = (event: string, data: JobView) => {
        if (closed) return;
        const payload = JSON.stringify(data);
        if (event === 'progress' && payload === lastSent) return;
        lastSent = payload;
        controller.enqueue(enc.encode(`event: ${event}\ndata: ${payload}\n\n`));
      };
      const finish = async () => {
        if (closed) return;
        try {
          send('end', await loadJobView(engine, id, true));
        } catch {
          send('end', last);
        }
        close();
      };
      const close = () => {
        if (closed) return;
        closed = true;
        cleanup();
        try {
          controller.close();
        } catch {
          /* already closed by the client */
        }
      };
      const refresh = async () => {
        try {
          const v = await loadJobView(engine, id, false);
          last = v;
          if (isFinished(v.status)) await finish();
          else send('progress', v);
        } catch {
          /* the next poll tries again */
        }
      };

      const unsubscribe = subscribe(id, (e) => {
        if (e.type === 'progress') {
          const started = last.startedAt ? Date.parse(last.startedAt) : Date.now();
          last = { ...last, status: last.status === 'cancelling' ? 'cancelling' : 'running', processed: e.processed, total: e.total, errors: e.errors, rate: e.rate, message: e.message ?? last.message, startedAt: last.startedAt ?? new Date(started).toISOString() };
          send('progress', last);
        } else if (e.type === 'done' || e.type === 'failed' || e.type === 'cancelled') {
          void finish();
        }
      });
      const poll = setInterval(refresh, POLL_MS);
      const beat = setInterval(() => {
        if (!closed) controller.enqueue(enc.encode(': keep-alive\n\n'));
      }, HEARTBEAT_MS);
      cleanup = () => {
        unsubscribe();
        clearInterval(poll);
        clearInterval(beat);
      };
      req.signal.addEventListener('abort', close);
      controller.enqueue(enc.encode('retry: 2000\n\n'));
      if (isFinished(first.status)) void finish();
      else send('progress', first);
    },
    cancel() {
      cleanup();
    },
  });

  return new Response(stream, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    },
  });
});
