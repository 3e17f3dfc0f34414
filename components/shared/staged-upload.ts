/**
 * Browser side of staged uploads: each chosen file is PUT to /api/uploads as a raw stream (the
 * server writes it to disk as it arrives, with the size limit), and the form then sends only the
 * staged ids to its server action. Server action bodies are limited to 1 MB, so file bytes never
 * go through them.
 */
import type { FormAction } from '@/lib/views/action-result';

/** A refusal from /api/uploads, with the server's message (e.g. over the limit). */
export class StagingError extends Error {}

async function stageFile(file: File, label: string): Promise<string> {
  const q = new URLSearchParams({ name: file.name, label });
  let res: Response;
  try {
    res = await fetch(`/api/uploads?${q}`, { method: 'PUT', body: file, headers: { 'content-type': 'application/octet-stream' } });
  } catch (err) {
    throw new StagingError(`sending “${file.name}” failed: ${(err as Error).message}. Nothing was stored.`);
  }
  const body = (await res.json().catch(() => null)) as { upload?: { id: string }; error?: { message: string } } | null;
  if (!res.ok || !body?.upload) {
    const why = body?.error?.message ?? `the server answered HTTP ${res.status}`;
    throw new StagingError(/stored\.?$/.test(why) ? why.replace(/\.?$/, '.') : `${why}. Nothing was stored.`);
  }
  return body.upload.id;
}

/** Best effort: a staged file the action will never use (the other file was refused). */
function discard(id: string): void {
  void fetch(`/api/uploads/${encodeURIComponent(id)}`, { method: 'DELETE' }).catch(() => undefined);
}

/**
 * A copy of `form` in which each file field named in `fields` (name → label for messages) holds
 * the staged upload's id instead of the file. A file input left empty is left out.
 */
export async function stageFormFiles(form: FormData, fields: Record<string, string>): Promise<FormData> {
  const out = new FormData();
  const staged: string[] = [];
  try {
    for (const [key, value] of form.entries()) {
      if (typeof value !== 'string' && key in fields) {
        if (value.size === 0 && value.name === '') continue;
        const id = await stageFile(value, fields[key]);
        staged.push(id);
        out.append(key, id);
      } else {
        out.append(key, value);
      }
    }
  } catch (err) {
    staged.forEach(discard);
    throw err;
  }
  return out;
}

/**
 * A form's server action with its files staged first: `files` maps each file field to what it is
 * ("corpus file"); a refused file becomes the action's INVALID_INPUT result, so every form shows
 * staging and server errors the same way. `before` runs first (e.g. to clear a finished view).
 */
export function stagedAction<T>(action: FormAction<T>, files: Record<string, string>, before?: () => void): FormAction<T> {
  return async (prev, form) => {
    before?.();
    try {
      return await action(prev, await stageFormFiles(form, files));
    } catch (err) {
      if (err instanceof StagingError) return { ok: false, error: { code: 'INVALID_INPUT', message: err.message } };
      return { ok: false, error: { code: 'INTERNAL', message: `the request failed: ${(err as Error).message}` } };
    }
  };
}
