/**
 * The JSON manifest beside each HNSW file. It names the index file of the current generation
 * (`image-<generation>.hnsw`), so a save is: write the new file, then atomically rename the
 * manifest over the old one. A reader never sees a manifest that points at a half-written file,
 * and a process holding the index in memory notices a newer generation by the manifest's mtime.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { isAlive } from '../process';

export type IndexKind = 'image' | 'text';

const ManifestSchema = z.object({
  version: z.literal(1),
  kind: z.enum(['image', 'text']),
  modelId: z.string(),
  dim: z.number().int().positive(),
  count: z.number().int().nonnegative(),
  maxElements: z.number().int().positive(),
  M: z.number().int().positive(),
  efConstruction: z.number().int().positive(),
  generation: z.number().int().nonnegative(),
  file: z.string().regex(/^(image|text)-\d+\.hnsw$/),
  /** Labels marked deleted in the file (hnswlib keeps them as tombstones). */
  deleted: z.array(z.number().int()),
  /**
   * sha256 of `file`, checked before hnswlib reads it: hnswlib trusts the links inside the file,
   * and a damaged body with an intact header crashes the process (SIGSEGV) at the first search.
   * Absent in manifests written before the check existed; such a file is rebuilt once.
   */
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /**
   * issue 13 (target 3): the ef the last rebuild measured as enough — the smallest whose
   * recall@k on `queries` sample queries reached `recall` against exact search — when it had
   * `count` vectors (HnswIndex.efSearch). Absent: the configured ef.
   */
  calibration: z
    .object({ ef: z.number().int().positive(), recall: z.number().min(0).max(1), k: z.number().int().positive(), queries: z.number().int().positive(), count: z.number().int().positive() })
    .optional(),
  savedAt: z.string(),
});
export type Calibration = NonNullable<z.infer<typeof ManifestSchema>['calibration']>;
export type IndexManifest = z.infer<typeof ManifestSchema>;

export const manifestPath = (dir: string, kind: IndexKind) => path.join(dir, `${kind}.json`);

/** The manifest, or the reason it cannot be used (missing, unreadable, invalid). */
export async function readManifest(dir: string, kind: IndexKind): Promise<{ ok: true; manifest: IndexManifest; mtimeMs: number } | { ok: false; reason: string }> {
  const file = manifestPath(dir, kind);
  let text: string;
  let mtimeMs: number;
  try {
    [text, mtimeMs] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file).then((s) => s.mtimeMs)]);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ENOENT' ? 'no index on disk' : `manifest unreadable (${code})` };
  }
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(text));
    if (!parsed.success) return { ok: false, reason: `manifest ${file} is invalid` };
    if (parsed.data.kind !== kind) return { ok: false, reason: `manifest ${file} describes a ${parsed.data.kind} index` };
    return { ok: true, manifest: parsed.data, mtimeMs };
  } catch {
    return { ok: false, reason: `manifest ${file} is not JSON` };
  }
}

/** sha256 of a file, streamed (an index file can be hundreds of MB). */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function manifestMtime(dir: string, kind: IndexKind): Promise<number | undefined> {
  try {
    return (await fs.stat(manifestPath(dir, kind))).mtimeMs;
  } catch {
    return undefined;
  }
}

export async function writeManifest(dir: string, m: IndexManifest): Promise<void> {
  const file = manifestPath(dir, m.kind);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await fs.writeFile(tmp, JSON.stringify(m, null, 2));
  await fs.rename(tmp, file);
}

/** Remove index files of older generations and temp files (keeps `keep` and the one before it). */
export async function sweepIndexDir(dir: string, kind: IndexKind, keepGenerations: number[]): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return;
  }
  const re = new RegExp(`^${kind}-(\\d+)\\.hnsw$`);
  for (const name of names) {
    const m = re.exec(name);
    const tmp = /\.tmp-(\d+)-/.exec(name);
    const stale = m ? !keepGenerations.includes(Number(m[1])) : name.startsWith(kind) && tmp !== null && !isAlive(Number(tmp[1]));
    if (stale) await fs.rm(path.join(dir, name), { force: true });
  }
}
