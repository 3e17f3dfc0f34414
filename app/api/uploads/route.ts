import { stageUpload } from '@/lib/staged-uploads';
import { json, route } from '@/app/api/_lib/http';
import { uploadQuery } from '@/app/api/_lib/schemas';

export const dynamic = 'force-dynamic';

/**
 * PUT (or POST) /api/uploads?name=<file name> with the file's bytes as the raw body →
 * 201 { upload: { id, name, bytes } }. The body is streamed to disk as it arrives, never held in
 * memory; over CLIPDEX_MAX_UPLOAD_BYTES (declared in Content-Length or counted) → 413 and nothing
 * is kept. Hand the id to the upload page's or the evaluate page's server action; an id not used
 * within an hour expires. Needs the admin token, checked before a single byte is read.
 */
const receive = route({ admin: true, query: uploadQuery }, async ({ req, engine, query }) => {
  const length = req.headers.get('content-length');
  const upload = await stageUpload(req.body, {
    dataDir: engine.config.dataDir,
    maxBytes: engine.config.maxUploadBytes,
    fileName: query.name,
    declaredBytes: length !== null && /^\d+$/.test(length) ? Number(length) : undefined,
    label: query.label ?? 'file',
  });
  return json({ upload }, { status: 201 });
});

export const PUT = receive;
export const POST = receive;
