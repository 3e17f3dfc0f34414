/**
 * Model identity: sha256 over the model's files — each relative name, its size and its bytes, in
 * sorted name order — first 16 hex chars. Streamed (models can be GBs) and cached per process,
 * keyed by the files' sizes, inodes and times so an edited folder is hashed again.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const cache = new Map<string, string>();

export async function computeModelId(dir: string, files: string[]): Promise<string> {
  const sorted = [...files].sort();
  const stats = sorted.map((f) => fs.statSync(path.join(dir, f), { bigint: true }));
  // The same stat fields as check-cache.ts: a same-size copy that kept the old mtime (cp -p, rsync -a)
  // still changes the inode or the change time.
  const key = `${path.resolve(dir)}\0${sorted.map((f, i) => `${f}:${stats[i].size}:${stats[i].ino}:${stats[i].mtimeNs}:${stats[i].ctimeNs}`).join('\0')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const hash = crypto.createHash('sha256');
  for (let i = 0; i < sorted.length; i++) {
    hash.update(`${sorted[i]}\0${stats[i].size}\0`);
    for await (const chunk of fs.createReadStream(path.join(dir, sorted[i]), { highWaterMark: 1 << 20 })) {
      hash.update(chunk as Buffer);
    }
  }
  const id = hash.digest('hex').slice(0, 16);
  cache.set(key, id);
  return id;
}
